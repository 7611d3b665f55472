"""The dense search run again over the texts a question's language lacks, and over a year it writes.

The multilingual model puts a paragraph in the question's language closer than the same meaning in
another, so on a large index the nearest rows are all in the question's language and a Council text
published only in English is among them for no question in French. Here the index is small, so the
whole index's dense search is cut to a few rows (`dense_candidates`), as the nearest of 120k rows
would be: the French rows of the seed and of S/RES/2699 fill it.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from reso.assistant.question import Question
from reso.assistant.retrieval import HybridRetriever, HybridWeights
from reso.index.embedders import make_embedder
from reso.index.library import Library
from reso.index.store import ChromaStore

pytestmark = pytest.mark.slow  # the real multilingual model embeds the index

# S/RES/1585 (2005) exists in English only: "Decides to extend the mandate of the United Nations
# Advance Mission in Sudan (UNAMIS) … until 17 March 2005" (OP1)
QUESTION = "Jusqu'à quelle date le mandat de la mission est-il prorogé ?"
ONLY_ENGLISH = ("S/RES/1585(2005)", "OP1")  # (document key, paragraph)


@pytest.fixture(scope="module")
def library(tmp_path_factory, seed_path, fixtures_dir) -> Library:
    library = Library(ChromaStore.open(tmp_path_factory.mktemp("pools-index")), make_embedder("e5-int8"))
    akn = fixtures_dir / "akn"
    library.ingest([seed_path, akn / "S_RES_2699-2318982E.xml", akn / "S_RES_2699-2318982F.xml",
                    akn / "S_RES_1585_N0526638.xml"])
    return library


def retriever(library: Library, **weights) -> HybridRetriever:
    return HybridRetriever(library, "hybrid", weights=replace(HybridWeights(), dense_candidates=3, **weights),
                           ranker="auto")


def keys(rows, first) -> list[tuple[str, str]]:
    return [first.tables.paragraph_keys[c] for c in first.tables.paragraphs[rows].tolist()]


def test_a_text_only_in_english_is_found_for_a_french_question(library):
    question = Question.of(QUESTION)
    without = retriever(library, pool_rows=0)
    alone = without.first_stage(question, 10)
    assert alone.pools == ()
    assert set(alone.tables.languages[alone.dense > 0]) == {"fr"}, "the whole index's nearest rows are in French"
    unseen = {c.key: c for c in without.candidates(alone, question)}
    assert ONLY_ENGLISH not in unseen or unseen[ONLY_ENGLISH].cosine == 0.0  # by words only, if at all

    with_pools = retriever(library)
    first = with_pools.first_stage(question, 10)
    (lacking,) = first.pools  # no year written: the texts lacking French, searched apart
    assert set(first.tables.languages[lacking]) == {"en"}
    assert keys(lacking, first)[0] == ONLY_ENGLISH
    found = {c.key: c for c in with_pools.candidates(first, question)}[ONLY_ENGLISH]
    # normalised among its own search: the best English-only row stands as high as the best French one
    assert found.cosine > 0.5 and found.dense == 1.0
    assert [r.key for r in with_pools.retrieve(question, k=3)][0] == ONLY_ENGLISH


def test_a_year_the_question_writes_searches_that_years_texts(library):
    dated = Question.of("Que demande le Conseil de sécurité en 2005 ?")
    assert dated.years == {2005}
    first = retriever(library).first_stage(dated, 10)
    assert len(first.pools) == 2  # the texts lacking French, and those of 2005
    assert {k[0] for k in keys(first.pools[1], first)} == {"S/RES/1585(2005)"}
    # a year no text was adopted in adds no search
    assert len(retriever(library).first_stage(Question.of("Que demande le Conseil en 1999 ?"), 10).pools) == 1


def test_an_english_questions_further_search_holds_only_the_texts_without_english(library):
    first = retriever(library).first_stage(Question.of("Until when was the mission in Sudan extended?"), 10)
    # the French seed is the one text with no English version: its rows, and no other, are searched apart
    (lacking,) = first.pools
    assert {k[0] for k in keys(lacking, first)} == {"A/HRC/RES/30/25"}
    assert set(first.tables.languages[lacking]) == {"fr"}


def test_a_large_pool_is_searched_in_its_nearest_documents(library):
    """Past `pool_direct_rows`, the rows searched are those of the documents whose mean vector is
    nearest: the English-only text is still found, through its document."""
    question = Question.of(QUESTION)
    narrow = retriever(library, pool_direct_rows=1, pool_documents=1)
    first = narrow.first_stage(question, 10)
    (lacking,) = first.pools
    assert {k[0] for k in keys(lacking, first)} == {ONLY_ENGLISH[0]}
    assert keys(lacking, first)[0] == ONLY_ENGLISH
