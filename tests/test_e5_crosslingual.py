"""The crosslingual retrieval set made from corpus-large's aligned language versions (`evals/crosslingual.py`)."""

from __future__ import annotations

import os

import pytest

from reso.evals.crosslingual import LANGUAGES, build_set, evaluate, half, table
from reso.index.embedders import HashEmbedder
from tests.conftest import SHARED

CORPUS = SHARED / "corpus-large"


@pytest.fixture(scope="module")
def tiny():
    if not (CORPUS / "expected.json").is_file():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs corpus-large at {CORPUS}")
        pytest.skip(f"corpus-large not found at {CORPUS}")
    return build_set(CORPUS, paragraphs=60, queries=15)


def test_queries_come_from_every_language_and_point_at_indexed_english_paragraphs(tiny):
    index, pairs = tiny
    assert 60 <= len(index) < 400
    assert {p.language for p in pairs} == set(LANGUAGES)
    assert all(0 <= p.target < len(index) for p in pairs)
    # the English control queries are the first words of their own target
    for pair in (p for p in pairs if p.language == "en"):
        assert " ".join(index[pair.target].split()).find(pair.query) >= 0


def test_a_lexical_fake_finds_english_from_english_and_almost_nothing_from_chinese(tiny):
    # the hashing fake matches words: the aligned English paragraph must come first for English
    # queries (the pairing is right) and not for Chinese ones (the fake is not crosslingual)
    result = evaluate(HashEmbedder(256), *tiny)
    assert result["en"]["hit@1"][0] >= 0.8
    assert result["zh"]["hit@5"][0] <= 0.3
    low, mean, high = result["en"]["mrr"][1], result["en"]["mrr"][0], result["en"]["mrr"][2]
    assert low <= mean <= high
    assert "| zh |" in table("hash", result)


def test_the_split_is_fixed_by_the_symbol():
    assert half("S/RES/2618 (2022)") == half("s/res/2618(2022)")
    halves = {half(f"S/RES/{n} (2022)") for n in range(2600, 2640)}
    assert halves == {"fit", "held-out"}
