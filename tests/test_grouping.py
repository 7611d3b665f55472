"""The first stage's grouping of rows into paragraphs, against the loop it replaced.

`HybridRetriever._group` ranks paragraphs by their best language version's score; it runs on every
question over up to 400 candidate rows, so it is numpy, not a Python loop. Its order must be the
loop's to the tie: equal scores are common (the same standard paragraph in many resolutions, a
paragraph found by one score only), and which of two equal paragraphs is cited is what a user sees.
"""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from reso.assistant.retrieval import HybridRetriever


def grouped_by_loop(t, combined: np.ndarray, cand: np.ndarray, k: int):
    """The loop `_group` was until 2026-12-07: the reference for its order."""
    rows = np.flatnonzero(cand)
    limit = max(k, 10) * 40
    if len(rows) > limit:
        rows = rows[np.argpartition(-combined[rows], limit)[:limit]]
    best: dict = {}
    rows_of: dict = defaultdict(list)
    for row, s in zip(rows.tolist(), combined[rows].tolist()):
        key = t.paragraph_keys[t.paragraphs[row]]
        rows_of[key].append(row)
        if key not in best or s > best[key][0]:
            best[key] = (s, row)
    return sorted(best.items(), key=lambda kv: -kv[1][0]), dict(rows_of)


@settings(max_examples=300, deadline=None)
@given(
    n_rows=st.integers(1, 900),
    n_paragraphs=st.integers(1, 300),
    levels=st.integers(1, 12),  # few distinct scores: many ties, between paragraphs and within one
    k=st.sampled_from([1, 5, 10, 20]),
    seed=st.integers(0, 2**32 - 1),
)
def test_paragraphs_rank_and_group_as_the_loop_did_ties_included(n_rows, n_paragraphs, levels, k, seed):
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, n_paragraphs, n_rows)
    t = SimpleNamespace(paragraphs=codes, paragraph_keys=[(f"S/RES/{c}", f"OP{c % 7}") for c in range(n_paragraphs)])
    combined = (rng.integers(0, levels, n_rows) / levels).astype(np.float32)
    cand = rng.random(n_rows) < 0.8
    ranked, rows_of = HybridRetriever._group(None, t, combined, cand, k)
    expected_ranked, expected_rows_of = grouped_by_loop(t, combined, cand, k)
    assert ranked == expected_ranked
    assert rows_of == expected_rows_of


def test_no_candidate_gives_no_paragraph():
    t = SimpleNamespace(paragraphs=np.array([0, 1]), paragraph_keys=[("A", "OP1"), ("A", "OP2")])
    assert HybridRetriever._group(None, t, np.ones(2, np.float32), np.zeros(2, bool), 10) == ([], {})
