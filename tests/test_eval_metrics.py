"""CONTRACTS §4 figures on hand-made records: each definition pinned, edge cases included."""

from __future__ import annotations

import dataclasses

import json

import pytest

from reso.evals import metrics
from reso.evals.dataset import EvalItem
from reso.evals.metrics import ItemRecord

DOC = "A/HRC/RES/30/25"


def item(gold=("OP4",), documents=(DOC,), language="fr", kind="named", answerable=True, id="q") -> EvalItem:
    if not answerable:
        gold, documents = (), ()
    return EvalItem(id, "question?", language, list(documents), list(gold), answerable, kind)


def rec(it: EvalItem, retrieved=(), cited=(), refused=False, latency=10.0, invented=(), error="") -> ItemRecord:
    def pairs(xs):
        return [(DOC, x) if isinstance(x, str) else x for x in xs]

    return ItemRecord(it, pairs(retrieved), pairs(cited), refused, latency, pairs(invented), error=error)


def test_a_perfect_answer_scores_one_everywhere():
    rep = metrics.report([rec(item(), ["OP4", "OP1"], ["OP4"])])
    assert rep["n"] == rep["answerable"] == 1 and rep["unanswerable"] == 0
    assert rep["retrieval"] == {"hit@1": 1.0, "hit@5": 1.0, "hit@10": 1.0, "mrr": 1.0}
    assert rep["citations"]["precision"] == rep["citations"]["recall"] == 1.0
    assert rep["citations"]["invented"] == 0
    assert rep["refusal"] == {"accuracy": 1.0, "false_refusals": 0, "missed_refusals": 0}


def test_rank_sets_hits_and_reciprocal_rank():
    ranked = ["PP1", "PP2", "OP4", *[f"PP{i}" for i in range(3, 20)]]
    far = ["PP1"] * 10 + ["OP4"]  # gold at rank 11: outside the top 10
    rep = metrics.retrieval([rec(item(), ranked), rec(item(), far)])
    assert rep == {"hit@1": 0.0, "hit@5": 0.5, "hit@10": 0.5, "mrr": pytest.approx((1 / 3) / 2)}


def test_retrieval_ignores_unanswerable_items_and_counts_refused_ones():
    records = [rec(item(), ["OP4"], refused=True), rec(item(answerable=False), ["OP1"], refused=True)]
    assert metrics.retrieval(records)["hit@1"] == 1.0


def test_symbols_compare_without_spaces_or_case():
    it = item(gold=["op12"], documents=["S/RES/2699 (2023)"])
    assert metrics.gold_rank(it, [("s/res/2699(2023)", "OP12")]) == 1


def test_a_retrieved_parent_carries_its_gold_sub_paragraph():
    it = item(gold=["OP3(a)"])
    assert metrics.gold_rank(it, [(DOC, "OP2"), (DOC, "OP3")]) == 2
    assert metrics.gold_rank(it, [(DOC, "OP33")]) is None


def test_no_answerable_items_leaves_retrieval_and_citation_ratios_undefined():
    records = [rec(item(answerable=False), ["OP1"], refused=True), rec(item(answerable=False), ["OP1"], ["OP1"])]
    rep = metrics.report(records)
    assert rep["answerable"] == 0 and rep["unanswerable"] == 2
    assert set(rep["retrieval"].values()) == {None}
    assert rep["citations"]["precision"] is None and rep["citations"]["recall"] is None
    assert rep["refusal"] == {"accuracy": 0.5, "false_refusals": 0, "missed_refusals": 1}


def test_all_refused_precision_undefined_recall_zero():
    records = [rec(item(), ["OP4"], refused=True), rec(item(gold=["OP1", "OP2"]), ["OP1"], refused=True)]
    rep = metrics.report(records)
    assert rep["citations"]["precision"] is None
    assert rep["citations"]["recall"] == 0.0 and rep["citations"]["gold"] == 3
    assert rep["refusal"] == {"accuracy": 0.0, "false_refusals": 2, "missed_refusals": 0}


def test_empty_record_list_does_not_divide_by_zero():
    rep = metrics.report([])
    assert rep["n"] == 0 and rep["refusal"]["accuracy"] is None and rep["latency_ms"]["p50"] is None
    assert rep["by_language"] == {} and rep["by_kind"] == {}


def test_sub_paragraph_citation_matches_its_gold_parent():
    rep = metrics.citations([rec(item(gold=["OP3"]), ["OP3"], ["OP3(a)", "OP3(b)(ii)"])])
    assert rep["precision"] == 1.0 and rep["recall"] == 1.0
    assert rep["cited"] == 2 and rep["gold_recalled"] == 1  # one gold id, recalled once


def test_citing_the_parent_of_a_gold_sub_paragraph_is_not_exact():
    rep = metrics.citations([rec(item(gold=["OP3(a)"]), ["OP3"], ["OP3"])])
    assert rep["precision"] == 0.0 and rep["recall"] == 0.0


def test_precision_pools_citations_over_answered_items_only():
    records = [
        rec(item(), ["OP4"], ["OP4", "OP1", "OP2"]),  # 1 of 3
        rec(item(gold=["OP1"]), ["OP1"], ["OP1"]),  # 1 of 1
        rec(item(answerable=False), ["OP9"], ["OP9"]),  # unanswerable: not in precision
        rec(item(), ["OP4"], refused=True),  # declined: not in precision, counts in recall
    ]
    rep = metrics.citations(records)
    assert rep["precision"] == pytest.approx(2 / 4)
    assert rep["recall"] == pytest.approx(2 / 3)


def test_repeated_citations_count_once():
    rep = metrics.citations([rec(item(), ["OP4"], ["OP4", "op4", (" a/hrc/res/30/25", "OP4"), "OP1"])])
    assert rep["cited"] == 2 and rep["precision"] == 0.5


def test_recall_counts_each_gold_id_once():
    rep = metrics.citations([rec(item(gold=["OP1", "OP5", "OP5"]), ["OP1"], ["OP1"])])
    assert rep["gold"] == 2 and rep["recall"] == 0.5


def test_with_several_documents_a_gold_id_is_found_in_any_of_them():
    it = item(gold=["OP1"], documents=["A/RES/78/1", "A/RES/78/2"])
    rep = metrics.citations([rec(it, [], [("A/RES/78/2", "OP1")])])
    assert rep["gold"] == 1 and rep["recall"] == 1.0 and rep["precision"] == 1.0


def test_a_citation_in_an_unlisted_document_is_not_gold():
    rep = metrics.citations([rec(item(), [], [("A/RES/78/204", "OP4")])])
    assert rep["precision"] == 0.0 and rep["recall"] == 0.0


def test_paragraph_exists_walks_up_to_the_indexed_parent():
    known = {("A/HRC/RES/30/25", "OP3"), ("S/RES/2699(2023)", "PP1")}
    assert metrics.paragraph_exists(known, "a/hrc/res/30/25", "op3")
    assert metrics.paragraph_exists(known, DOC, "OP3(a)(ii)")
    assert metrics.paragraph_exists(known, "S/RES/2699 (2023)", "PP1")
    assert not metrics.paragraph_exists(known, DOC, "OP30")
    assert not metrics.paragraph_exists(known, "A/HRC/RES/30/26", "OP3")


def test_invented_counts_every_item_answerable_or_not():
    records = [
        rec(item(), ["OP4"], ["OP4", "OP99"], invented=["OP99"]),
        rec(item(answerable=False), [], ["OP77"], invented=["OP77", "op77"]),
    ]
    assert metrics.citations(records)["invented"] == 2


def test_refusal_counts():
    records = [
        rec(item(), refused=False),
        rec(item(), refused=True),  # false refusal
        rec(item(answerable=False), refused=True),
        rec(item(answerable=False), refused=False),  # missed refusal
    ]
    assert metrics.refusal(records) == {"accuracy": 0.5, "false_refusals": 1, "missed_refusals": 1}


def test_an_item_that_raised_fails_everywhere_but_is_not_a_refusal():
    records = [rec(item(), error="TypeError: boom"), rec(item(answerable=False), error="TypeError: boom")]
    rep = metrics.report(records)
    assert rep["errors"] == 2
    assert rep["retrieval"]["hit@10"] == 0.0 and rep["citations"]["recall"] == 0.0
    assert rep["refusal"] == {"accuracy": 0.0, "false_refusals": 0, "missed_refusals": 0}


def test_percentiles_interpolate():
    assert metrics.percentile([10.0], 95) == 10.0
    assert metrics.percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert metrics.percentile(list(map(float, range(101))), 95) == 95.0
    assert metrics.percentile([], 50) is None
    lat = metrics.latency([rec(item(), latency=x) for x in (30.0, 10.0, 20.0)])
    assert lat == {"p50": 20.0, "p95": pytest.approx(29.0), "max": 30.0}


def test_splits_by_language_and_kind_carry_the_same_keys():
    records = [
        rec(item(language="en", kind="topic"), ["OP4"], ["OP4"]),
        rec(item(language="fr", kind="crosslingual"), ["OP1"], ["OP1"]),
        rec(item(language="fr", kind="", answerable=False), [], refused=True),
    ]
    rep = metrics.report(records)
    assert set(rep["by_language"]) == {"en", "fr"}
    assert set(rep["by_kind"]) == {"topic", "crosslingual", "unlabelled"}
    top = set(rep) - {"by_language", "by_kind"}
    for block in [*rep["by_language"].values(), *rep["by_kind"].values()]:
        assert set(block) == top
    assert rep["by_language"]["fr"]["retrieval"]["hit@1"] == 0.0
    assert rep["by_kind"]["unlabelled"]["refusal"]["accuracy"] == 1.0


def test_the_report_is_plain_json():
    rep = metrics.report([rec(item(), ["OP4"], ["OP4"]), rec(item(answerable=False), refused=True)])
    assert json.loads(json.dumps(rep)) == rep


# -- the question's language, and how sure a figure is --------------------------------------------


def test_answered_in_language_counts_refusals_and_skips_errors():
    fr_ok = rec(item(language="fr"), ["OP4"], ["OP4"])
    fr_ok.answer_language, fr_ok.cited_languages = "fr", ["fr"]
    zh_en = rec(item(language="zh"), ["OP4"], ["OP4"])
    zh_en.answer_language, zh_en.cited_languages = "en", ["en"]  # a Chinese question answered in English
    declined = rec(item(language="ru", answerable=False), refused=True)
    declined.answer_language = "ru"  # the refusal said in Russian
    failed = rec(item(language="ar"), error="boom")
    got = metrics.language([fr_ok, zh_en, declined, failed])
    assert got == {"answered_in_language": 2 / 3, "citations_in_language": 1 / 2, "items": 3}
    assert metrics.report([fr_ok, zh_en])["by_language"]["zh"]["language"]["answered_in_language"] == 0.0


def test_intervals_hold_the_figure_and_narrow_with_more_questions():
    def records(n):
        # every other question finds its gold paragraph first; the rest find it nowhere
        return [rec(item(id=f"q{i}"), ["OP4"] if i % 2 else ["OP1"], ["OP4"] if i % 2 else ["OP1"]) for i in range(n)]

    small, large = metrics.intervals(records(20)), metrics.intervals(records(400))
    for ci in (small, large):
        lo, hi = ci["hit@5"]
        assert lo < 0.5 < hi
    width = lambda ci: ci["hit@5"][1] - ci["hit@5"][0]  # noqa: E731
    assert width(large) < width(small) / 2  # ~1/sqrt(n): twenty times the items, a quarter of the width
    assert small["precision"][0] < 0.5 < small["precision"][1]
    assert metrics.intervals(records(20)) == small  # a fixed seed: the same report twice


def test_intervals_are_none_where_nothing_is_counted():
    declined = [rec(item(answerable=False, id=f"u{i}"), refused=True) for i in range(5)]
    ci = metrics.intervals(declined)
    assert ci["hit@5"] is None and ci["precision"] is None
    assert ci["refusal_accuracy"] == [1.0, 1.0]
    assert metrics.intervals(declined[:1])["refusal_accuracy"] is None


def test_an_answer_cut_before_the_asked_session_counts_as_not_keeping_it():
    asked = dataclasses.replace(item(language="en"), question="At which session must the summary report be submitted?")
    source = "Requests the Office to prepare a summary report and to submit it to the Council at its thirty-fourth session;"
    kept = rec(asked, ["OP4"], ["OP4"])
    kept.cited_texts, kept.answer = [source], "The Council requests a summary report at its thirty-fourth session [A/HRC/RES/30/25, OP4]."
    cut = rec(asked, ["OP4"], ["OP4"])
    cut.cited_texts, cut.answer = [source], "The Council requests the Office to prepare a summary report [A/HRC/RES/30/25, OP4]."
    not_given = rec(asked, ["OP4"], ["OP4"])  # the cited paragraph holds no session: not counted
    not_given.cited_texts, not_given.answer = ["Decides to remain seized of the matter."], "…"
    plain = rec(item(language="en"), ["OP4"], ["OP4"])  # asks for no kind of answer: not counted
    plain.cited_texts, plain.answer = [source], "…"
    assert metrics.answers([kept, cut, not_given, plain]) == {"keeps_asked_type": 0.5, "items": 2}
