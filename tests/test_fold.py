"""`fold` takes shortcuts for speed; these tests hold it to the plain definition it replaced.

`_reference_fold` is the original implementation, kept here (not in the package) as the
specification: any input on which the two differ is a bug in the fast paths.
"""

from __future__ import annotations

import subprocess
import sys
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from reso.index.analysis import fold
from reso.index.readers import read


# one form of the Arabic letters written several ways, and ASCII digits for the Arabic-Indic ones
# (issue 13): a letter for a letter, after the marks are dropped
_SCRIPT = {"\u0671": "\u0627", "\u0649": "\u064a", "\u0629": "\u0647", "\u0640": "", "\u060c": ",", "\u061b": ";", "\u061f": "?"}
_SCRIPT.update({chr(0x0660 + d): str(d) for d in range(10)})
_SCRIPT.update({chr(0x06F0 + d): str(d) for d in range(10)})


def _reference_fold(text: str) -> str:
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("’", "'").replace("‑", "-")
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return "".join(_SCRIPT.get(ch, ch) for ch in folded)


def _mismatches(texts):
    return [(t, fold(t), _reference_fold(t)) for t in texts if fold(t) != _reference_fold(t)]


def test_every_bmp_code_point_alone_and_after_a_letter():
    # Surrogates included: a str read with surrogateescape can hold them.
    chars = [chr(cp) for cp in range(0x10000)]
    assert _mismatches(chars) == []
    assert _mismatches(["A" + ch + "Σ" for ch in chars]) == []  # Σ: lower() depends on its left


def test_every_code_point_in_runs():
    # Astral planes in runs of 512: mathematical letters (𝐀 → a), astral combining marks, emoji.
    runs = ["".join(map(chr, range(start, min(start + 512, 0x110000)))) for start in range(0, 0x110000, 512)]
    assert _mismatches(runs) == []


def test_every_pair_of_latin1_characters():
    # The Latin-1 fast path maps byte by byte: pairs check that nothing depends on a neighbour.
    latin1 = [chr(b) for b in range(256)]
    assert _mismatches([a + b for a in latin1 for b in latin1]) == []


def test_known_traps():
    cases = [
        "İstanbul", "İ", "i̇", "ΣΑΣ ΟΔΟΣ", "Straße", "µ ½ ¼ ¾ ª º ¹ ² ³", "¨´¸¯", "Æsir æther ŒUVRE cœur",
        "l’État", "non‑breaking", "ﬁnal ﬂow", "한국어 조선말", "ㄱㅏ", "𝐀𝐁𝐂 𝔸 😀 x\U0001d165y", "é\u0301\u0327",
        "\u0345\u0399", "ǅ ǆ Ǆ", "ｆｕｌｌｗｉｄｔｈ", "㎏ ㈜ ℌ", "e\u0301 café", "\u00a0\u2011\u2019\u0153",
        "Русский ёж й", "العربية مُحَمَّد", "中文（全角）", "\ud800x\udfff", "", "ascii only",
    ]
    assert _mismatches(cases) == []


_TRAPS = st.sampled_from(
    list("İıœŒæÆ’‑µ½¼¾ßΣσςﬁ\u00a0\u0301\u0307\u0327\u0345\u0399ǅ한ㄱ㈜ℌｆéÉàçêô“”«»–−")
    + ["𝐀", "😀", "\U0001d165", "\U0001d7d8", "\ud800"]
)
_TEXT = st.text(
    st.one_of(
        st.characters(codec=None, exclude_categories=()),  # every category, surrogates too
        st.characters(max_codepoint=0xFF),
        st.characters(min_codepoint=0x10000),
        _TRAPS,
    ),
    max_size=80,
)


@given(_TEXT)
def test_random_text_matches_reference(text):
    assert fold(text) == _reference_fold(text)


@given(st.lists(st.sampled_from(["Les États", " l’œuvre ", "Σ", "İ", "½", "µ", "é\u0301", "𝐀", "x"]), max_size=20))
def test_random_mixtures_of_paths_match_reference(parts):
    # Each part alone takes a different path (ASCII, Latin-1, NFKD, astral); together they must agree too.
    text = "".join(parts)
    assert fold(text) == _reference_fold(text)


def _paragraph_texts(resolution):
    yield resolution.title
    for top in resolution.paragraphs + resolution.annexes:
        yield top.full_text
        for para in top.walk():
            yield para.text


def test_seed_resolution(seed_path):
    texts = list(_paragraph_texts(read(seed_path)))
    assert len(texts) > 20
    assert _mismatches(texts) == []


def test_corpus_in_every_language(shared_corpus):
    files = sorted((shared_corpus / "unxml-hrc").rglob("*.xml"))
    assert files
    texts = [t for path in files for t in _paragraph_texts(read(path))]
    assert _mismatches(texts) == []


def test_import_does_not_build_the_general_path():
    # Importing the module builds nothing; folding the stop words (Latin-1, read from the language
    # tables on first use) must not pay for the combining-mark scan.
    code = (
        "import reso.index.analysis as a; assert a._COMBINING_RE is None and a._LATIN1_TABLE is None; "
        "assert 'ete' in a.STOPWORDS['fr']; "
        "assert a._COMBINING_RE is None and a._LATIN1_TABLE is not None"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
