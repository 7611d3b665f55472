"""OCR for the pages of a PDF that have no text layer (scans), with Tesseract's command line.

Why: many resolutions people hold are scans — older documents, signed copies, faxes. Their pages
are images, and the PDF reader finds no text. When Tesseract is installed (Debian `tesseract-ocr`
and the language packs `tesseract-ocr-{eng,fra,spa,rus,ara,chi-sim}`, plus `poppler-utils` for
`pdftoppm`) and `RESO_OCR` is `auto` (the default), such a page is rasterised with `pdftoppm`,
read by `tesseract … tsv`, and its words laid out again as lines whose leading spaces keep the
first-line indents — the only paragraph marks a page has, as in the text layer pypdf gives. The
mean word confidence of each page is returned (`OcrPage.confidence`, 0–100) for the ingest and
inspect reports. Without Tesseract, or with `RESO_OCR=off`, the reader's clear "no text layer"
message stays.

The languages are chosen per page from the script Tesseract's orientation-and-script detection
sees (Latin → eng+fra+spa, Cyrillic → rus+eng, Arabic → ara+eng, Han → chi_sim+eng), unless the caller names
them: recognising with all six models at once is slow and mixes up scripts. An Arabic page is read
twice, by the Arabic model alone and by the English one, and the Latin words English reads surely
(the symbol, numbers with a slash) are put in place (`merge_latin`); the Arabic comma it misreads
is put back (`tidy_arabic`).
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import statistics
import subprocess
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

DPI = 300
TIMEOUT = 180  # seconds for one page, rasterising and recognising
TESSERACT_LANGUAGES = {"en": "eng", "fr": "fra", "es": "spa", "ru": "rus", "ar": "ara", "zh": "chi_sim"}
# every script with English too: symbols (A/HRC/RES/54/10) are printed in Latin letters in all six
SCRIPTS = {"Latin": ("en", "fr", "es"), "Cyrillic": ("ru", "en"), "Arabic": ("ar", "en"), "Han": ("zh", "en"),
           "HanS": ("zh", "en"), "HanT": ("zh", "en")}


@dataclass(frozen=True)
class OcrPage:
    page: int  # 0-based page index in the PDF
    text: str
    confidence: float  # mean word confidence, 0–100 (0 when no word was read)
    languages: str = ""  # the Tesseract models used, e.g. "eng+fra+spa"


def setting() -> str:
    """`RESO_OCR`: `auto` (OCR when Tesseract is installed) or `off`."""
    from reso.settings import IndexSettings

    return IndexSettings().ocr


def available() -> bool:
    return bool(shutil.which("tesseract") and shutil.which("pdftoppm"))


def enabled() -> bool:
    return setting() != "off" and available()


def installed_languages() -> set[str]:
    try:
        out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return set()
    return {line.strip() for line in out.splitlines()[1:] if line.strip()}


def ocr_pages(path: Path, pages: Sequence[int], languages: Sequence[str] = ()) -> list[OcrPage]:
    """Read the given pages (0-based) of the PDF at `path` with Tesseract.

    `languages`: ISO 639-1 codes (`en`, `ar`, …) of the models to use; empty: chosen per page from
    the script Tesseract detects. Raises `OSError` when a tool is missing and
    `subprocess.SubprocessError` when one fails or runs past `TIMEOUT`.
    """
    installed = installed_languages()
    out = []
    with tempfile.TemporaryDirectory(prefix="reso-ocr-") as tmp:
        for index in pages:
            image = _rasterise(Path(path), index, Path(tmp))
            models = _models(languages or _detect(image), installed)
            text, confidence = _recognise(image, models)
            out.append(OcrPage(index, text, confidence, models))
    return out


def _rasterise(path: Path, index: int, workdir: Path) -> Path:
    prefix = workdir / f"page{index + 1}"
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", "-singlefile", "-f", str(index + 1),
                    "-l", str(index + 1), str(path), str(prefix)], check=True, capture_output=True, timeout=TIMEOUT)
    return prefix.with_suffix(".png")


def _detect(image: Path) -> tuple[str, ...]:
    """The page's languages from its script (`tesseract --psm 0`); Latin when it cannot tell."""
    try:
        done = subprocess.run(["tesseract", str(image), "-", "--psm", "0"], capture_output=True, text=True,
                              timeout=TIMEOUT)
    except (OSError, subprocess.SubprocessError):
        return SCRIPTS["Latin"]
    match = re.search(r"^Script:\s*(\S+)", done.stdout + done.stderr, re.MULTILINE)
    return SCRIPTS.get(match.group(1), SCRIPTS["Latin"]) if match else SCRIPTS["Latin"]


def _models(languages: Sequence[str], installed: set[str]) -> str:
    wanted = [TESSERACT_LANGUAGES.get(code, code) for code in languages]
    usable = [m for m in wanted if m in installed] or [m for m in ("eng",) if m in installed]
    return "+".join(usable) or "eng"


def _tsv(image: Path, models: str) -> str:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")  # one core per page: the machine runs other work too
    return subprocess.run(["tesseract", str(image), "-", "-l", models, "--psm", "4", "tsv"], capture_output=True,
                          text=True, timeout=TIMEOUT, check=True, env=env).stdout


def _recognise(image: Path, models: str) -> tuple[str, float]:
    if models.startswith("ara"):
        # Arabic with English loaded beside it reads Latin junk into Arabic words ("إن مجلس الأمن،" came
        # out as "wel SI إن مجلس"); Arabic alone reads them right but garbles the Latin symbol and
        # numbers ("A/HRC/RES/54/10" → "0 اي 0"). So the page is read with each model apart and the
        # Latin words English reads surely are put in place of what Arabic read there (`merge_latin`).
        arabic = _tsv(image, "ara")
        latin = _tsv(image, "eng") if "eng" in models.split("+") else ""
        return layout_text(merge_latin(arabic, latin) if latin else arabic, rtl=True)
    return layout_text(_tsv(image, models))


def _rows(tsv: str) -> list[dict]:
    return [r for r in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
            if r.get("level") == "5" and (r.get("text") or "").strip()]


_LATIN_WORD = re.compile(r"^[(\[]?[A-Za-z0-9][A-Za-z0-9/.,:()*\-]*$")
LATIN_CONFIDENCE = 80.0


def merge_latin(arabic_tsv: str, latin_tsv: str) -> str:
    """Arabic OCR words with the sure Latin ones of an English reading of the same page put in.

    A Latin word (letters, digits and the symbol's punctuation, with a digit or a slash in it:
    "A/HRC/RES/54/10", "(2021)", "21-62214(A)") read by English at `LATIN_CONFIDENCE` or more
    replaces every Arabic-model word whose box lies mostly inside its box on the same line, and
    takes the line (block, paragraph, line numbers) of the first of them; an English word over no
    Arabic word is left out (English reads Arabic letters as Latin junk). The result is a TSV again,
    each line's words renumbered right to left, as Tesseract numbers Arabic words."""
    rows = _rows(arabic_tsv)
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    if not rows:
        return arabic_tsv
    replaced: set[int] = set()
    added: list[dict] = []
    for w in _rows(latin_tsv):
        text = w["text"].strip()
        if float(w["conf"]) < LATIN_CONFIDENCE or not _LATIN_WORD.match(text) or not re.search(r"[\d/]", text):
            continue
        l, t, r, b = _box(w)
        under = []
        for i, a in enumerate(rows):
            al, at, ar, ab = _box(a)
            inside = max(0, min(r, ar) - max(l, al))
            middle = (at + ab) / 2
            if inside >= 0.5 * max(1, ar - al) and t <= middle <= b:
                under.append(i)
        if not under:
            continue
        replaced.update(under)
        first = rows[under[0]]
        added.append(dict(first, left=str(l), top=str(t), width=str(r - l), height=str(b - t), conf=w["conf"],
                          text=text))
    kept = [a for i, a in enumerate(rows) if i not in replaced] + added
    lines: dict[tuple[str, str, str], list[dict]] = {}
    for a in kept:
        lines.setdefault((a["block_num"], a["par_num"], a["line_num"]), []).append(a)
    out = [header]
    for words in lines.values():
        words = _logical_order(sorted(words, key=lambda a: -(int(a["left"]) + int(a["width"]))))
        for n, a in enumerate(words, 1):
            out.append("\t".join(str(a[k]) if k != "word_num" else str(n) for k in header.split("\t")))
    return "\n".join(out)


_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")


def _logical_order(words: list[dict]) -> list[dict]:
    """Words sorted right to left → the order they are written in: a run of words without Arabic
    letters that holds a Latin letter ("S/RES/2527 (2020)", "21-62214 (A) 060321") is read left to
    right, as the bidirectional algorithm lays it out; runs of bare numbers stay right to left."""
    out: list[dict] = []
    run: list[dict] = []
    for w in words + [None]:
        if w is not None and not _ARABIC_LETTER.search(w["text"]):
            run.append(w)
            continue
        if any(_LATIN_LETTER.search(r["text"]) for r in run):
            run.reverse()
        out.extend(run)
        run = []
        if w is not None:
            out.append(w)
    return out


def _box(row: dict) -> tuple[int, int, int, int]:
    left, top = int(row["left"]), int(row["top"])
    return left, top, left + int(row["width"]), top + int(row["height"])


def layout_text(tsv: str, rtl: bool = False) -> tuple[str, float]:
    """Tesseract's TSV → lines with leading spaces for their indent, and the mean word confidence.

    The indent of a line is measured from the leftmost line of the page in character widths
    (the median width of a character on the page), so a first-line indent comes out as a few
    spaces, as pypdf's layout mode gives it; a vertical gap wider than one and a half lines
    becomes a blank line. Words keep Tesseract's reading order (right to left in Arabic, whose
    indents are measured from the right edge).
    """
    rows = _rows(tsv)
    if not rows:
        return "", 0.0
    lines: dict[tuple[int, int, int], list[dict]] = {}
    for r in rows:
        lines.setdefault((int(r["block_num"]), int(r["par_num"]), int(r["line_num"])), []).append(r)
    char = statistics.median(int(r["width"]) / max(1, len(r["text"])) for r in rows) or 1.0
    height = statistics.median(int(r["height"]) for r in rows) or 1.0
    ordered = sorted(lines.values(), key=lambda ws: (min(int(w["top"]) for w in ws), min(int(w["left"]) for w in ws)))
    left_edge = min(int(w["left"]) for ws in ordered for w in ws)
    right_edge = max(int(w["left"]) + int(w["width"]) for ws in ordered for w in ws)
    indents = [round((right_edge - max(int(w["left"]) + int(w["width"]) for w in words)) / char) if rtl
               else round((min(int(w["left"]) for w in words) - left_edge) / char) for words in ordered]
    indents = _snap(indents)
    out: list[str] = []
    previous_bottom = None
    for words, indent in zip(ordered, indents):
        words.sort(key=lambda w: int(w["word_num"]))
        top = min(int(w["top"]) for w in words)
        if previous_bottom is not None and top - previous_bottom > 1.5 * height:
            out.append("")
        out.append(" " * indent + tidy(" ".join(w["text"].strip() for w in words), rtl))
        previous_bottom = max(int(w["top"]) + int(w["height"]) for w in words)
    confidences = [float(r["conf"]) for r in rows if float(r["conf"]) >= 0]
    return "\n".join(out), round(statistics.fmean(confidences), 1) if confidences else 0.0


def _snap(indents: list[int]) -> list[int]:
    """Indents one character off a common one (three lines or more) are that one.

    A scanned page is never quite straight, and a word's box is a pixel or two off: the lines of a
    paragraph come out at 10 or 11 characters, and a line one character in looks like a first
    line to the paragraph rule (`text._paragraph_starts`). A text layer has exact positions; an
    image does not, so this is done here."""
    counts = Counter(indents)
    out = []
    for indent in indents:
        near = [v for v in (indent - 1, indent + 1) if counts[v] >= 3 and counts[v] > counts[indent]]
        out.append(max(near, key=lambda v: counts[v]) if near else indent)
    return out


_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}]) +(?=[{_CJK}])")
_LATIN_TO_CYRILLIC = str.maketrans("AaBCcEeHKMOoPpTXxyk", "АаВСсЕеНКМОоРрТХхук")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_COMMA_NUMBER = re.compile(rf"^(\d{{1,3}})[，,] *(?=[”“\"]?[{_CJK}])")


# Letters a word-final hamza follows in Arabic spelling (ماء، ضوء، شيء، جزء، بطء، دفء، ملء، مرء، عبء، بدء):
# after any other, an "ء" ending a word is the Arabic comma "،" misread (the Naskh comma is a small
# raised hook): "إن مجلس الأمنء" is the body line "إن مجلس الأمن،".
_HAMZA_AFTER = "اأإآوؤيئىزطفلربد"
_COMMA_AS_HAMZA = re.compile(rf"(?<=[\u0620-\u064a])(?<![{_HAMZA_AFTER}])ء(?=[»]?(?:\s|$))")


def tidy_arabic(line: str) -> str:
    """Tesseract's Arabic model reads the comma "،" as a hamza "ء" or a closing guillemet "»" (one
    with no opening one on the line): both are put back as "،", so the body line and the clauses
    end with a comma as printed."""
    line = _COMMA_AS_HAMZA.sub("،", line)
    line = re.sub(r"،»(?=\s|$)", "،", line)
    if "«" not in line:
        line = re.sub(r"(?<=[\u0620-\u064a])»(?=\s|$)", "،", line)
    return line


def tidy(line: str, rtl: bool = False) -> str:
    """Undo two habits of Tesseract's output: spaces between Chinese characters (it splits a line
    into one "word" per character or two), Latin look-alike letters inside Cyrillic words
    ("Cовет" with a Latin C, when English is loaded beside Russian for the symbols), and a
    paragraph number whose full stop it read as a comma before Chinese text ("2， 决定" → "2. 决定")."""
    if rtl:
        line = tidy_arabic(line)
    line = _BETWEEN_CJK.sub("", line)
    line = _COMMA_NUMBER.sub(r"\1. ", line)
    return " ".join(w.translate(_LATIN_TO_CYRILLIC) if _CYRILLIC.search(w) else w for w in line.split(" "))
