"""The BM25 matrices `index_bm25` builds, against bm25s's own build of the same tokens.

`LexicalIndex` builds its two BM25 indexes with `index_bm25` (numpy) instead of bm25s's `index`
(Python lists of token ids: at 120k paragraphs most of a reload's time and memory). A search reads
these matrices on every question, so the build must give bm25s's scores to the bit, and bm25s
must save, load and query what it builds as its own.
"""

from __future__ import annotations

from collections import Counter

import bm25s
import numpy as np
import pytest

from reso.index.embedders import HashEmbedder
from reso.index.lexical import LexicalIndex, document_text, index_bm25, paragraph_tokens_of
from reso.index.analysis import tokens
from reso.index.library import Library
from reso.index.store import ChromaStore

LANGUAGES_FILES = ["A_HRC_RES_54_10A.xml", "A_HRC_RES_54_20F.xml", "S_RES_2699-2318982E.xml", "S_RES_2699-2318982F.xml",
                   "A_RES_78_186-2326034E.xml", "S_RES_1585_N0526638.xml"]


@pytest.fixture(scope="module")
def chunks(tmp_path_factory, fixtures_dir, seed_path, shared_corpus):
    """Real paragraphs in the six languages, a few hundred of them: S/RES/2779 (2025) in all six
    (corpus-large), and Arabic, English and French texts of the fixtures."""
    large = shared_corpus.parent / "corpus-large" / "unxml-sc" / "2025"
    six = sorted(large.glob("*/S_RES-2779-2507317?.xml"))
    assert len(six) == 6
    library = Library(ChromaStore.open(tmp_path_factory.mktemp("lexical-index")), HashEmbedder())
    library.ingest([seed_path, *six, *[fixtures_dir / "akn" / name for name in LANGUAGES_FILES]])
    return library.store.chunks()


def columns(bm25) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each word's postings: (document rows, score bits), whatever id the word was given."""
    data, indices, indptr = bm25.scores["data"], bm25.scores["indices"], bm25.scores["indptr"]
    out = {}
    for word, j in bm25.vocab_dict.items():
        if j + 1 < len(indptr):
            out[word] = (indices[indptr[j]:indptr[j + 1]].copy(), data[indptr[j]:indptr[j + 1]].view(np.int32).copy())
    return out


def corpora(chunks) -> dict[str, list[list[str]]]:
    paragraphs = [paragraph_tokens_of(c) or ["\u2205"] for c in chunks]
    titles = list({(c.document, c.language): tokens(document_text(c), c.language) or ["\u2205"] for c in chunks}.values())
    # repeated words (term frequency above one), one-word and empty documents
    made = [["droit", "droit", "droit", "paix"], ["\u2205"], ["paix"], ["a", "b", "a", "c", "b", "a"]] * 3
    return {"paragraphs": paragraphs, "titles": titles, "made": made}


@pytest.mark.parametrize("name", ["paragraphs", "titles", "made"])
def test_the_matrix_is_bm25s_own_to_the_bit(chunks, name):
    corpus = corpora(chunks)[name]
    assert len(corpus) >= 12 and len({w for row in corpus for w in row}) >= 6
    theirs, ours = bm25s.BM25(), bm25s.BM25()
    theirs.index(corpus, show_progress=False)
    index_bm25(ours, corpus)
    assert ours.scores["num_docs"] == theirs.scores["num_docs"] == len(corpus)
    assert set(ours.vocab_dict) == set(theirs.vocab_dict)
    assert ours.scores["data"].dtype == theirs.scores["data"].dtype
    assert ours.scores["indices"].dtype == theirs.scores["indices"].dtype
    assert ours.scores["indptr"].dtype == theirs.scores["indptr"].dtype
    mine, reference = columns(ours), columns(theirs)
    assert mine.keys() == reference.keys()
    for word, (rows, bits) in reference.items():
        np.testing.assert_array_equal(mine[word][0], rows, err_msg=word)
        np.testing.assert_array_equal(mine[word][1], bits, err_msg=word)
    words = sorted(reference)
    rng = np.random.default_rng(3)
    for _ in range(40):
        query = [words[i] for i in rng.choice(len(words), size=3)] + ["not-a-word"]
        np.testing.assert_array_equal(ours.get_scores(query), theirs.get_scores(query))


def test_bm25s_saves_and_loads_what_it_builds(chunks, tmp_path):
    index = LexicalIndex(chunks)
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path, chunks)
    for c in chunks[:: max(1, len(chunks) // 25)]:
        query = paragraph_tokens_of(c)[:4]
        np.testing.assert_array_equal(loaded.scores(query), index.scores(query))
        assert np.argmax(index.scores(paragraph_tokens_of(c))) in {i for i, d in enumerate(chunks) if d.text == c.text}


def test_each_word_counts_the_paragraphs_holding_it_in_their_text_or_their_documents_title(chunks):
    """`df`, the word rarities the refusal policy reads, as a set union per paragraph counts them."""
    index = LexicalIndex(chunks)
    expected = Counter()
    titles = {}
    for c in chunks:
        own = paragraph_tokens_of(c) or ["\u2205"]
        title = titles.setdefault((c.document, c.language), tokens(document_text(c), c.language) or ["\u2205"])
        expected.update(frozenset(own) | frozenset(title))
    assert dict(index.df) == dict(expected)
    assert len(expected) > 1000
