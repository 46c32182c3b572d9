"""Identity of places and of offending content — what makes two captures "the same".

`page_key` decides whether a capture belongs to an existing lead (same place);
`content_fingerprint` decides whether what is there is the same offending content
(a sighting) or changed content (a new version). Both must be stable across re-crawls:
tracking parameters, fragments, host case and default ports do not make a new place, and
unrelated page text does not make new content.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Query parameters that identify a visitor or campaign, not a page.
_TRACKING_PREFIXES = ("utm_",)
_TRACKING_NAMES = frozenset({"fbclid", "gclid", "spm"})


def _host_port(scheme: str, netloc: str) -> str:
    parts = urlsplit(f"{scheme}://{netloc}")
    host = (parts.hostname or "").lower().rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = parts.port
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        return f"{host}:{port}"
    return host


def normalise_url(url: str) -> str:
    """Canonical form of a page URL for identity: lower-case scheme and host, no default
    port, no fragment, no user info, tracking parameters dropped, the rest sorted."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        return url.strip()  # upload:<id>, tip:<id> and other references are already keys
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING_PREFIXES) and k.lower() not in _TRACKING_NAMES
    ]
    path = parts.path or "/"
    return urlunsplit(
        (scheme, _host_port(scheme, parts.netloc), path, urlencode(sorted(query)), "")
    )


def site_of(url: str) -> str:
    """`scheme://host[:port]` of a web URL ("" for upload:/tip: references)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        return ""
    return f"{scheme}://{_host_port(scheme, parts.netloc)}"


def page_key(url: str, via: str, image_url: str | None = None) -> str:
    """SHA-256 of the place's identity: normalised URL + via (+ image URL for via=image)."""
    identity = "\n".join((normalise_url(url), via, normalise_url(image_url) if image_url else ""))
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()


def _normal_text(text: str) -> str:
    """Width-, case- and space-insensitive form of a hit, so re-rendering the same words
    (full-width digits, a line break in a different place) is not new content."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(folded.split())


def content_fingerprint(hits: Iterable[Mapping[str, Any]], categories: Sequence[str]) -> str:
    """Hash of the offending content only: the set of (category, normalised hit text) plus
    the categories. Offsets are left out on purpose — text moving on the page is not a
    change of what the ad says."""
    pairs = sorted(
        {(str(h.get("category", "")), _normal_text(str(h.get("text", "")))) for h in hits}
    )
    payload = json.dumps({"hits": pairs, "categories": sorted(set(categories))}, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def without_ignored(
    detection: Mapping[str, Any], phrases: Iterable[str]
) -> tuple[dict[str, Any], bool]:
    """Drop hits whose text contains an ignored phrase (误报忽略). Returns the filtered
    detection and whether anything was dropped. Categories are recomputed from the hits
    that remain (keeping the detector's order); risk and score are the detector's."""
    folded = [_normal_text(p) for p in phrases if p.strip()]
    hits = list(detection.get("hits", []))
    if not folded:
        return dict(detection), False
    kept = [h for h in hits if not any(p in _normal_text(str(h.get("text", ""))) for p in folded)]
    if len(kept) == len(hits):
        return dict(detection), False
    remaining = {str(h.get("category")) for h in kept}
    filtered = dict(detection)
    filtered["hits"] = kept
    filtered["categories"] = [c for c in detection.get("categories", []) if c in remaining]
    if not kept:
        filtered["violation"] = False
    return filtered, True
