"""The OCR package's exception tree (style.md: a small tree, one docstring per class).

Callers (the CLI, uploads, the crawler's image intake) catch `OcrError` and show its
message; `code` is the short machine-readable reason stored in JSON error objects and in
an upload's `ocr_status`.
"""

from __future__ import annotations

from typing import Literal

RejectCode = Literal["empty", "too_large", "image_too_large", "unsupported_type", "corrupt_image"]

#: Every code `ImageRejected` may carry (the contract in DEVELOPERS.md).
REJECT_CODES: frozenset[str] = frozenset(
    {"empty", "too_large", "image_too_large", "unsupported_type", "corrupt_image"}
)


class OcrError(Exception):
    """Raised when an image cannot be read into text: bad input, engine failure, timeout."""

    code: str = "ocr_failed"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        """The human-readable message, without the code."""
        return str(self.args[0]) if self.args else self.code


class ImageRejected(OcrError):
    """Raised by the loader when the bytes are not an image we are willing to decode."""

    def __init__(self, code: RejectCode, message: str) -> None:
        if code not in REJECT_CODES:
            raise ValueError(f"unknown ImageRejected code {code!r}")
        super().__init__(message, code)

    def __reduce__(self) -> tuple[type[ImageRejected], tuple[str, str]]:
        # Rebuild with (code, message) when pickled across a process boundary (the
        # crawler's OCR worker process), not with Exception's default (args only).
        return (type(self), (self.code, self.message))


class OcrTimeout(OcrError):
    """Raised when an engine did not finish within the per-image time limit."""

    code = "timeout"


class EngineUnavailable(OcrError):
    """Raised when the requested engine (or any engine, for `auto`) is not installed."""

    code = "engine_unavailable"
