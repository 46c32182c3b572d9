"""EXIF facts a reviewer needs from a grid worker's photo: when (拍摄时间) and where (位置).

Read-only helpers over Pillow's `Image.Exif`; malformed tags give None, never an error,
because a damaged EXIF block must not cost us the poster.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from PIL import Image

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_DATETIME = 0x0132
_DATETIME_ORIGINAL = 0x9003
_OFFSET_TIME_ORIGINAL = 0x9011


@dataclass(frozen=True)
class GpsPosition:
    """WGS-84 latitude and longitude in decimal degrees (south and west negative)."""

    latitude: float
    longitude: float


def capture_time(exif: Image.Exif) -> datetime | None:
    """DateTimeOriginal (else DateTime); timezone-aware when OffsetTimeOriginal is present."""
    try:
        sub = exif.get_ifd(_EXIF_IFD)
    except (KeyError, ValueError, TypeError):
        sub = {}
    raw = sub.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
    if not isinstance(raw, str):
        return None
    try:
        stamp = datetime.strptime(raw.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = sub.get(_OFFSET_TIME_ORIGINAL)
    if isinstance(offset, str) and len(offset.strip("\x00 ")) == 6:
        text = offset.strip("\x00 ")
        try:
            sign = -1 if text[0] == "-" else 1
            delta = timedelta(hours=int(text[1:3]), minutes=int(text[4:6]))
            stamp = stamp.replace(tzinfo=timezone(sign * delta))
        except ValueError:
            return stamp
    return stamp


def _degrees(value: Any) -> float | None:
    """(deg, min, sec) rationals → decimal degrees."""
    try:
        deg, minutes, seconds = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return deg + minutes / 60.0 + seconds / 3600.0


def gps_position(exif: Image.Exif) -> GpsPosition | None:
    """The GPS position recorded in the photo, if complete and plausible."""
    try:
        gps = exif.get_ifd(_GPS_IFD)
    except (KeyError, ValueError, TypeError):
        return None
    if not gps:
        return None
    lat, lon = _degrees(gps.get(2)), _degrees(gps.get(4))
    if lat is None or lon is None:
        return None
    if str(gps.get(1, "N")).upper().startswith("S"):
        lat = -lat
    if str(gps.get(3, "E")).upper().startswith("W"):
        lon = -lon
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None
    return GpsPosition(round(lat, 7), round(lon, 7))
