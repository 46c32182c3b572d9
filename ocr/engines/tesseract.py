"""tesseract (via pytesseract) as an OCR engine: chi_sim, word boxes from image_to_data.

tesseract runs as a subprocess per call, so it is thread-safe and a hung run can be killed
at the time limit (pytesseract's `timeout`), which is what makes faults.md row 10 testable.
"""

from __future__ import annotations

import shutil
from functools import lru_cache

import pytesseract
from PIL import Image

from ocr.errors import EngineUnavailable, OcrError, OcrTimeout
from ocr.layout import group_lines
from ocr.preprocess import PIPELINES, Array
from ocr.result import OcrLine

#: Language models. chi_sim alone, not chi_sim+eng: chi_sim's model already reads digits
#: and Latin letters, and with eng added tesseract switched short spaced Chinese words
#: (书法 合唱 太极拳) to English gibberish. 8 posters, psm 3, CER chi_sim vs chi_sim+eng:
#: clean 1.9 % vs 3.0 %, photo 1.5 % vs 3.4 % (900 px); clean 3.4 % vs 8.9 % (600 px).
LANGS: tuple[str, ...] = ("chi_sim",)

#: Page segmentation mode 3 (automatic layout). On the 35 synthetic posters per style, with
#: the default preprocessing, CER clean / photo: psm 3 0.9 / 0.6 %, psm 6 (one uniform block:
#: merges headline and body) 1.4 / 2.0 %, psm 11 (sparse text) 3.4 / 1.6 %.
DEFAULT_PSM = 3

#: Lines whose length-weighted confidence is below this are dropped: on the synthetic photos
#: they were the poster frame or wall texture read as Latin gibberish (confidence ≈ 0).
#: Filtering single words instead (< 20) also dropped real low-scored characters and raised
#: the clean-poster CER from 0.9 % to 1.7 %.
MIN_LINE_CONFIDENCE = 0.3


@lru_cache(maxsize=1)
def installed_languages() -> frozenset[str]:
    """Languages tesseract reports, or raise EngineUnavailable naming the Debian packages."""
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        raise EngineUnavailable(
            "tesseract is not installed "
            "(Debian: apt-get install tesseract-ocr tesseract-ocr-chi-sim)"
        )
    try:
        return frozenset(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractError, OSError) as exc:
        raise EngineUnavailable(f"tesseract does not run: {exc}") from exc


class TesseractEngine:
    """Simplified-Chinese recognition; lines and confidences rebuilt from word-level data."""

    name = "tesseract"
    pipeline = PIPELINES["tesseract"]

    def __init__(self, psm: int = DEFAULT_PSM, langs: tuple[str, ...] = LANGS) -> None:
        missing = [lang for lang in langs if lang not in installed_languages()]
        if missing:
            raise EngineUnavailable(
                f"tesseract lacks language data {', '.join(missing)} "
                "(Debian: apt-get install tesseract-ocr-chi-sim)"
            )
        self.psm = psm
        self.lang = "+".join(langs)
        self.config = f"--oem 1 --psm {psm} -c preserve_interword_spaces=1"

    def recognise(self, img: Array, timeout: float) -> list[OcrLine]:
        """Run tesseract once; words grouped by tesseract's own block/paragraph/line ids."""
        try:
            data = pytesseract.image_to_data(
                Image.fromarray(img),
                lang=self.lang,
                config=self.config,
                output_type=pytesseract.Output.DICT,
                timeout=timeout,
            )
        except RuntimeError as exc:  # pytesseract raises RuntimeError on its timeout
            if "timeout" in str(exc).lower():
                raise OcrTimeout(f"tesseract did not finish within {timeout:g} s") from exc
            raise OcrError(f"tesseract failed: {exc}") from exc
        except (pytesseract.TesseractError, OSError) as exc:
            raise OcrError(f"tesseract failed: {exc}") from exc
        groups: dict[tuple[int, int, int], list[OcrLine]] = {}
        for i, word in enumerate(data["text"]):
            conf = float(data["conf"][i])
            if not str(word).strip() or conf < 0:
                continue  # conf -1 marks layout rows (blocks, paragraphs), not words
            box = (
                int(data["left"][i]),
                int(data["top"][i]),
                int(data["left"][i]) + int(data["width"][i]),
                int(data["top"][i]) + int(data["height"][i]),
            )
            key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
            groups.setdefault(key, []).append(OcrLine(str(word), conf / 100.0, box))
        lines: list[OcrLine] = []
        for words in groups.values():
            lines.extend(
                line for line in group_lines(words) if line.confidence >= MIN_LINE_CONFIDENCE
            )
        return lines
