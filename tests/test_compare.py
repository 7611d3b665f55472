"""`reso compare`, `GET /api/compare` and the alignment under them (issue 17, item 3), on real renewals.

The index is small and real: the UNFICYP mandate renewals S/RES/2674 (2023) (../shared/corpus, English
and French), S/RES/2771 (2025) (../shared/corpus-large, English, French and Chinese) and S/RES/2815
(2026) in Chinese only (no language in common with 2674), with the hash embedder. The expected alignment is
the labelled one of `evals/datasets/compare-pairs.jsonl` (read side by side, not produced by the
aligner), so a regression of the aligner on this pair fails here.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from reso.assistant.lineage.compare import (KEEP_LONGER, KEEP_SHORTER, OPENING_KEPT, CannotCompare, _carries_beginning,
                                            _masked, comparable, compare_chunks, kept_shares, opening_words,
                                            stock_phrases, word_diff, words)
from reso.evals.compare_eval import DATASET, held_out, load, split_of
from reso.index.chunks import Chunk
from reso.ui.services import Services
from tests.conftest import SHARED, require_shared
from tests.test_api import build_services, client_for

A, B, ZH_ONLY = "S/RES/2674 (2023)", "S/RES/2771 (2025)", "S/RES/2815 (2026)"


@pytest.fixture(scope="module")
def files() -> list[Path]:
    corpus, large = SHARED / "corpus" / "unxml-sc", SHARED / "corpus-large" / "unxml-sc"
    require_shared(large)
    found = [corpus / "2023" / "English" / "S_RES_2674_E.xml", corpus / "2023" / "French" / "S_RES_2674_F.xml",
             large / "2025" / "English" / "S_RES_2771-2501522E.xml", large / "2025" / "French" / "S_RES_2771-2501522F.xml",
             large / "2025" / "Chinese" / "S_RES_2771-2501522C.xml", large / "2026" / "Chinese" / "S_RES_2815-2601247C.xml"]
    assert all(f.is_file() for f in found), found
    return found


@pytest.fixture(scope="module")
def services(tmp_path_factory, files) -> Services:
    return build_services(tmp_path_factory.mktemp("compare-index"), files, admin_key=None)


@pytest.fixture(scope="module")
def client(services) -> TestClient:
    return client_for(services)


def gold(item_id: str) -> set[tuple[str | None, str | None]]:
    return set(next(i for i in load() if i.id == item_id).pairs)


# -- the labels ---------------------------------------------------------------------------------


def test_the_labels_cover_thirty_five_pairs_in_three_named_splits_with_other_languages_than_english():
    items = load(DATASET)
    assert len(items) == 35 and len({i.id for i in items}) == 35
    assert len({(i.a, i.b) for i in items}) == 35  # no pair of documents labelled twice
    # every pair names its split: the hash rule's first held-out five, then held_out3, are dev since their
    # misses were read
    assert all(i.split is not None for i in items) and held_out(items) == set()
    splits = Counter(split_of(i, set()) for i in items)
    assert splits == {"dev": 25, "held_out2": 5, "held_out4": 5}
    for split in ("dev", "held_out2", "held_out4"):
        assert any(i.language != "en" for i in items if i.split == split), split
    assert sum(i.language != "en" for i in items if i.split == "held_out4") >= 2
    for item in items:  # every paragraph of either side appears exactly once
        left = [a for a, _ in item.pairs if a is not None]
        right = [b for _, b in item.pairs if b is not None]
        assert len(left) == len(set(left)) and len(right) == len(set(right)), item.id


# -- word changes -------------------------------------------------------------------------------


def test_word_diff_reads_back_as_either_text():
    a = "Decides to extend the mandate of UNFICYP until 31 January 2024;"
    b = "Decides to extend the mandate of UNFICYP, with new tasks, until 31 January 2026;"
    runs = word_diff(a, b)
    assert words(" ".join(t for op, t in runs if op != "insert")) == words(a)
    assert words(" ".join(t for op, t in runs if op != "delete")) == words(b)
    assert ("delete", "2024") in runs and ("insert", "2026") in runs
    assert ("insert", ", with new tasks ,") in runs or ("insert", ", with new tasks,") in runs


def test_word_diff_splits_chinese_by_character():
    runs = word_diff("安全理事会决定延长任务期限", "安全理事会决定不延长任务期限")
    assert runs == [("equal", "安全理事会决定"), ("insert", "不"), ("equal", "延长任务期限")]


# -- the alignment ------------------------------------------------------------------------------


def test_the_2023_and_2025_unficyp_renewals_align_as_labelled(services):
    cmp = services.assistant.lineage.compare(A, B)
    assert cmp is not None and cmp.language == "en"
    got = {(p.a, p.b) for p in cmp.pairs}
    want = gold("unficyp-2674-2771")
    # the labels name every paragraph of both texts as the index reads them, each once
    assert {a for a, _ in want if a} == {p.a for p in cmp.pairs if p.a}
    assert {b for _, b in want if b} == {p.b for p in cmp.pairs if p.b}
    assert len(want & got) / len(want) >= 0.95, sorted(want - got, key=str)
    assert {b for a, b in want if a is None} <= {p.b for p in cmp.of("added")}  # every new paragraph found
    # numbers shift: 2023's OP10 (the mandate, to 31 January 2024) is 2025's OP11, its words changed
    extend = next(p for p in cmp.pairs if p.a == "OP10")
    assert extend.b == "OP11" and extend.change == "changed"
    # PP3 grew from "Welcoming the continuing personal engagement of the Secretary-General …" to three
    # times its length, keeping that: carried on in its place (cosine alone put it below the threshold)
    pp3 = next(p for p in cmp.pairs if p.a == "PP3")
    assert (pp3.b, pp3.change) == ("PP3", "changed") and pp3.similarity < 0.45
    assert ("delete", "2024") in [(op, t.strip(" ,")) for op, t in extend.diff]
    assert ("insert", "2026") in [(op, t.strip(" ,")) for op, t in extend.diff]
    # unchanged paragraphs come out "same" with their text as one run
    same = cmp.of("same")
    assert len(same) >= 10 and all(p.diff == [("equal", p.b_text)] for p in same)


def test_the_french_versions_align_like_the_english(services):
    en = services.assistant.lineage.compare(A, B, "en")
    fr = services.assistant.lineage.compare(A, B, "fr")
    assert fr.language == "fr" and "Chypre" in " ".join(p.b_text for p in fr.pairs)
    pairs_en = {(p.a, p.b) for p in en.pairs}
    pairs_fr = {(p.a, p.b) for p in fr.pairs}
    assert len(pairs_en & pairs_fr) / len(pairs_en) >= 0.9


def test_the_chinese_versions_align_as_the_french_were_labelled(services):
    """2771 → 2815 was labelled in French; the Chinese versions number their paragraphs alike, and
    Chinese is scored by character bigrams and diffed by character."""
    cmp = services.assistant.lineage.compare(B, ZH_ONLY)
    assert cmp is not None and cmp.language == "zh"
    got = {(p.a, p.b) for p in cmp.pairs}
    want = gold("unficyp-2771-2815-fr")
    assert len(want & got) / len(want) >= 0.9, sorted(want - got, key=str)
    extend = next(p for p in cmp.pairs if p.a == "OP11")  # the mandate, to 31 January 2026 → 2027
    assert extend.b == "OP12" and extend.change == "changed"
    assert extend.diff[:3] == [("equal", "表示全力支持联塞部队，决定再次延长其任务期至"), ("delete", "2026"), ("insert", "2027")]


def chunk(doc: str, pid: str, order: int, text: str, kind: str = "operative") -> Chunk:
    return Chunk(f"{doc}#{pid}", doc, pid, kind, order, "en", "SC", "", "", text)


def test_a_paragraph_taken_out_of_its_place_is_moved_and_a_new_one_added(services):
    """Real paragraphs of 2674 reordered: the aligner must find each by content, not by number."""
    real = sorted((c for c in services.assistant.retriever.chunks
                   if c.document == A and c.language == "en" and c.kind == "operative"), key=lambda c: c.order)
    a = [chunk("X", c.paragraph, k, c.text) for k, c in enumerate(real)]
    texts = [c.text for c in real]
    new = "Requests the Secretary-General to establish a joint commission on water resources in the buffer zone;"
    b_texts = [texts[5], *texts[:5], new, *texts[6:]]  # OP6 moved to the front, a new paragraph inserted
    b = [chunk("Y", f"OP{k + 1}", k, t) for k, t in enumerate(b_texts)]
    cmp = compare_chunks("X", a, "Y", b, "en")
    by_a = {p.a: p for p in cmp.pairs if p.a}
    assert by_a["OP6"].b == "OP1" and by_a["OP6"].change == "moved"
    assert by_a["OP1"].b == "OP2" and by_a["OP1"].change == "same"
    assert [p.b for p in cmp.of("added")] == ["OP7"] and cmp.of("removed") == []


def test_a_preambular_paragraph_become_operative_is_moved():
    a = [chunk("X", "PP1", 0, "Welcoming the appointment of the new Special Representative of the Secretary-General "
                               "for Western Sahara and his efforts to advance the political process,", "preambular"),
         chunk("X", "OP1", 1, "Decides to extend the mandate of the Mission until 31 October 2023;")]
    b = [chunk("Y", "PP1", 0, "Recalling all its previous resolutions on Western Sahara,", "preambular"),
         chunk("Y", "OP1", 1, "Decides to extend the mandate of the Mission until 31 October 2024;"),
         chunk("Y", "OP2", 2, "Welcomes the appointment of the new Special Representative of the Secretary-General "
                              "for Western Sahara and his efforts to advance the political process;")]
    cmp = compare_chunks("X", a, "Y", b, "en")
    by_a = {p.a: p for p in cmp.pairs if p.a}
    assert (by_a["PP1"].b, by_a["PP1"].change) == ("OP2", "moved")
    assert (by_a["OP1"].b, by_a["OP1"].change) == ("OP1", "changed")
    assert [p.b for p in cmp.of("added")] == ["PP1"]


def test_hundreds_of_paragraphs_align_within_a_second(services):
    """A sanctions text with hundreds of annex paragraphs: the real paragraphs of the index, 400 a side."""
    texts = [c.text for c in services.assistant.retriever.chunks if c.language == "en"]
    a = [chunk("X", f"OP{k + 1}", k, texts[k % len(texts)] + f" (item {k})") for k in range(400)]
    b = [chunk("Y", f"OP{k + 1}", k, texts[(k + 7) % len(texts)] + f" (item {k + 3})") for k in range(400)]
    t = time.process_time()  # CPU time: the machine running the tests may be shared
    cmp = compare_chunks("X", a, "Y", b, "en")
    assert time.process_time() - t < 1.0
    assert len({p.a for p in cmp.pairs if p.a}) == 400 and len({p.b for p in cmp.pairs if p.b}) == 400


# -- the rules of the second aligner, each on the renewal that called for it ----------------------

RENEWALS = {  # (A, B) files of four labelled dev pairs, read without an index
    "car-sanctions-2648-2693": ("corpus-large/unxml-sc/2022/English/S_RES_2648 (2022)-2211986E.xml",
                                "corpus/unxml-sc/2023/English/S_RES_2693-2314725E.xml"),
    "minusca-2659-2709": ("corpus-large/unxml-sc/2022/English/S_RES_2659-2225701E.xml",
                          "corpus/unxml-sc/2023/English/S_RES_2709-2322375E.xml"),
    "hrc-sudan-54-57": ("corpus/unxml-hrc/54session/English/A_HRC_RES_54_2E.xml",
                        "corpus-large/unxml-hrc/57session/English/A_HRC_RES_57_2E.xml"),
    "hrc-techcoop-54-57": ("corpus/unxml-hrc/54session/English/A_HRC_RES_54_28E.xml",
                           "corpus-large/unxml-hrc/57session/English/A_HRC_RES_57_32E.xml"),
    "haiti-sanctions-2653-2700": ("corpus-large/unxml-sc/2022/English/S_RES_2653_2223898E.xml",
                                  "corpus/unxml-sc/2023/English/S_RES_2700_E.xml"),
    "ssd-sanctions-2683-2781": ("corpus/unxml-sc/2023/English/S_RES_2683_E.xml",
                                "corpus-large/unxml-sc/2025/English/S_RES-2781-2508481E.xml"),
    "unami-2631-2682-fr": ("corpus-large/unxml-sc/2022/French/S_RES_2631 (2022)-2208016F.xml",
                           "corpus/unxml-sc/2023/French/S_RES_2682_F.xml"),
}


UNLABELLED = {  # (A, B) files of renewals no label covers, for a rule's limits read on them
    "minurso-2703-2797-fr": ("corpus/unxml-sc/2023/French/S_RES_2703-2321038F.xml",
                             "corpus-large/unxml-sc/2025/French/S_RES_2797-2517592F.xml"),
    "unmiss-2187-2223": ("corpus-large/unxml-sc/Pre-2020/2014/S_RES_2187_1465631E.xml",
                         "corpus-large/unxml-sc/Pre-2020/2015/S_RES_2223_1508440E.xml"),
    "monusco-2211-2277": ("corpus-large/unxml-sc/Pre-2020/2015/S_RES_2211_1504858E.xml",
                          "corpus-large/unxml-sc/Pre-2020/2016/S_RES_2277_1605139E.xml"),
    "dprk-2375-2397": ("corpus-large/unxml-sc/Pre-2020/2017/S_RES_2375_1715864E.xml",
                       "corpus-large/unxml-sc/Pre-2020/2017/S_RES_2397_1723207E.xml"),
}


def renewal(item_id: str):
    """The pair's comparison, its paragraphs read from the files as the index reads them, in their language."""
    a_doc, a, b_doc, b = _renewal_chunks(item_id)
    return compare_chunks(a_doc, a, b_doc, b, a[0].language)


def _renewal_chunks(item_id: str):
    from reso.index import readers
    from reso.index.chunks import chunks_of

    paths = [SHARED / f for f in {**RENEWALS, **UNLABELLED}[item_id]]
    require_shared(paths[1])
    a, b = (chunks_of(readers.read(p)) for p in paths)
    return a[0].document, a, b[0].document, b


@pytest.mark.parametrize("item_id", sorted(RENEWALS))
def test_every_labelled_added_and_removed_paragraph_is_found(item_id):
    cmp = renewal(item_id)
    want, got = gold(item_id), {(p.a, p.b) for p in cmp.pairs}
    assert {a for a, _ in want if a} == {p.a for p in cmp.pairs if p.a}  # the labels' ids are the reader's
    assert {b for a, b in want if a is None} <= {p.b for p in cmp.of("added")}
    assert {a for a, b in want if b is None} <= {p.a for p in cmp.of("removed")}
    assert len(want & got) / len(want) >= 0.95, sorted(want - got, key=str)


def test_an_opening_formula_does_not_make_two_provisions_one():
    """2648 OP1 (the arms embargo with its exemptions) and 2693 OP1 (the embargo no longer applying to
    the CAR forces) share "Decides that", which half the operative paragraphs open with, and some
    words of the embargo: a reader sees one removed, one added. "Decides that the supplying Member
    State …" (OP2) is carried on, its words changed."""
    by_a = {p.a: p for p in renewal("car-sanctions-2648-2693").pairs if p.a}
    assert (by_a["OP1"].b, by_a["OP1"].change) == (None, "removed")
    assert (by_a["OP2"].b, by_a["OP2"].change) == ("OP2", "changed")


def test_a_paragraph_citing_the_one_it_carries_on_is_its_successor():
    """2709 OP43 keeps a line of 2659 OP43's page of capacities, "mentioned in paragraph 43 of
    resolution 2659 (2022)": its successor, though most words went."""
    cmp = renewal("minusca-2659-2709")
    op43 = next(p for p in cmp.pairs if p.a == "OP43")
    assert (op43.b, op43.change) == ("OP43", "changed") and op43.similarity < 0.45


# -- the rules of the third aligner (session 23), each on the dev renewal that called for it ---------


def test_a_citation_by_number_outweighs_a_likeness_that_took_the_paragraph_before():
    """2700 OP19 extends "the mandate of the Panel of Experts, as specified in paragraph 21 of
    resolution 2653"; OP20 keeps more of 2653 OP21's words (its reports, item (c)) and took it before.
    The citation decides: OP21 → OP19, and OP20 is added. Likewise 2700 OP18 (the Committee's
    mandate "as set out in paragraph 19") carries on OP19, and 2653 OP18 (one person listed) is
    removed."""
    by_a = {p.a: p for p in renewal("haiti-sanctions-2653-2700").pairs if p.a}
    assert (by_a["OP21"].b, by_a["OP21"].change) == ("OP19", "changed")
    assert (by_a["OP19"].b, by_a["OP19"].change) == ("OP18", "changed")
    assert by_a["OP18"].change == "removed" and by_a["OP18"].similarity == 0.0
    assert "OP20" in {p.b for p in renewal("haiti-sanctions-2653-2700").of("added")}


def test_a_citation_yields_to_a_merge_keeping_another_paragraphs_opening():
    """2781 OP1 "Decides to renew … the measures on arms imposed by paragraph 4 of resolution 2428 …,
    and reaffirms … paragraph 2 of resolution 2683": it opens as 2683 OP1 and absorbs OP2, which it
    cites; OP1 → OP1 and OP2 removed. A preambular paragraph recalling an operative one (2693 PP17,
    "paragraph 13 of resolution 2648") and a citation of a subparagraph (2709 OP58, "paragraph 58 (a)
    of resolution 2659") carry nothing on."""
    by_a = {p.a: p for p in renewal("ssd-sanctions-2683-2781").pairs if p.a}
    assert by_a["OP1"].b == "OP1" and by_a["OP2"].change == "removed"
    car = {p.a: p.b for p in renewal("car-sanctions-2648-2693").pairs if p.a}
    assert car["PP16"] == "PP17" and car["OP13"] == "OP13"
    minusca = {p.a: p.b for p in renewal("minusca-2659-2709").pairs if p.a}
    assert minusca["OP58"] == "OP57"


def test_stock_phrases_and_a_third_resolutions_words_keep_nothing():
    """2653 OP3 (a travel ban "for an initial period of one year from the date of adoption of this
    resolution") shares only that phrase, found in more than two paragraphs of each text, with 2700
    OP7 (another measure extended "until one year from the date of adoption of this resolution"):
    not its successor. 2653 OP11 (an arms embargo on listed persons) shares the embargo's wording
    with 2700 OP6, which restates "paragraph 14 of resolution 2699 (2023)", the embargo on Haiti:
    not its successor either."""
    a_doc, a, b_doc, b = _renewal_chunks("haiti-sanctions-2653-2700")
    words_a, words_b = ([_masked(c.text) for c in sorted(side, key=lambda c: c.order)] for side in (a, b))
    common = stock_phrases(words_a, words_b)
    assert ("date", "of", "adoption") in common and ("panel", "of", "experts") in common
    text = {(c.document, c.paragraph): c.text for c in [*a, *b]}
    op3, op7 = text[(a_doc, "OP3")], text[(b_doc, "OP7")]
    assert kept_shares(op3, op7)[0] >= KEEP_SHORTER > kept_shares(op3, op7, common)[0]
    cmp = compare_chunks(a_doc, a, b_doc, b, "en")
    by_a = {p.a: p for p in cmp.pairs if p.a}
    assert by_a["OP3"].b != "OP7" and by_a["OP11"].change == "removed"
    assert {"OP6", "OP7"} <= {p.b for p in cmp.of("added")}
    assert kept_shares(text[(a_doc, "OP11")], text[(b_doc, "OP6")], common)[0] >= KEEP_SHORTER  # words alone would pair them


def test_a_split_paragraph_is_carried_on_by_the_part_keeping_its_opening():
    """2683 PP2 "Affirming its support for the 2018 Revitalised Agreement …, stressing that the peace
    process only remains viable …" is split in 2781: PP2 keeps the opening, PP3 ("Stressing that …")
    most of the words. PP2 → PP2; PP3 is added."""
    cmp = renewal("ssd-sanctions-2683-2781")
    by_a = {p.a: p for p in cmp.pairs if p.a}
    assert (by_a["PP2"].b, by_a["PP2"].change) == ("PP2", "changed")
    assert "PP3" in {p.b for p in cmp.of("added")}


def test_a_provision_rewritten_in_place_is_changed_when_both_texts_keep_enough():
    """54/2 OP22 → 57/2 OP16 keeps "to give due regard to ensuring the complementarity of its efforts
    with those of other actors" in a shorter text: changed. 57/2 OP17 lies wholly inside 54/2 OP18's
    page-long mandate but keeps little of it: not its successor (OP18 is removed; OP17 added)."""
    by_a = {p.a: p for p in renewal("hrc-sudan-54-57").pairs if p.a}
    assert (by_a["OP22"].b, by_a["OP22"].change) == ("OP16", "changed")
    assert by_a["OP18"].b != "OP17"
    shorter, longer = kept_shares(by_a["OP22"].a_text, by_a["OP22"].b_text)
    assert shorter >= KEEP_SHORTER and longer >= KEEP_LONGER
    shorter, longer = kept_shares(by_a["OP18"].a_text, next(p.b_text for p in renewal("hrc-sudan-54-57").pairs
                                                            if p.b == "OP17"))
    assert shorter >= KEEP_SHORTER and longer < KEEP_LONGER


# -- the rules of the fourth aligner (session 23, held_out3 made dev), each on the renewal that called for it --


def test_an_opening_after_a_changed_verb_names_the_provision():
    """2631 PP13 "Demandant à la communauté internationale de rester fermement engagée …" and 2682 PP10
    "Priant la communauté internationale d'accompagner …" are one provision ("Calling on the international
    community to …" both years in English): the French changed the verb, not what it is about. The words
    after the verb count as a shared opening and carry PP13 on; after a verb, "the Secretary-General to"
    opens too many paragraphs of MINUSCA's texts to name a provision ("Requests" / "Encourages the
    Secretary-General to …" stay apart)."""
    a_doc, a, b_doc, b = _renewal_chunks("unami-2631-2682-fr")
    pa, pb = (sorted(side, key=lambda c: c.order) for side in (a, b))
    named = opening_words([c.text for c in pa], [c.text for c in pb])
    i, j = [c.paragraph for c in pa].index("PP13"), [c.paragraph for c in pb].index("PP10")
    assert pa[i].text.split()[0] != pb[j].text.split()[0] and named[i, j] >= OPENING_KEPT
    by_a = {p.a: p for p in renewal("unami-2631-2682-fr").pairs if p.a}
    assert (by_a["PP13"].b, by_a["PP13"].change) == ("PP10", "changed") and by_a["PP13"].similarity < 0.45
    a_doc, a, b_doc, b = _renewal_chunks("minusca-2659-2709")
    ta, tb = ([c.text for c in sorted(side, key=lambda c: c.order)] for side in (a, b))
    named = opening_words(ta, tb)
    opens = re.compile(r"^(\w+) the Secretary-General to")
    verbs_a = {i: m.group(1) for i, t in enumerate(ta) if (m := opens.match(t))}
    verbs_b = {j: m.group(1) for j, t in enumerate(tb) if (m := opens.match(t))}
    crossed = [(i, j) for i, v in verbs_a.items() for j, w in verbs_b.items() if v != w]
    assert len(crossed) >= 4 and all(named[i, j] == 0 for i, j in crossed)


def test_an_opening_kept_whole_outweighs_a_run_after_a_changed_verb():
    """The words after a changed verb count as the shortest shared opening, and only for paragraphs
    whose opening no paragraph of the other text keeps whole: MINURSO 2703 OP3 "Appuie pleinement les
    efforts que font le Secrétaire général et son Envoyé personnel …" goes on as 2797 OP2, which opens
    so, not as PP2 "Appuyant pleinement les efforts …" (which takes 2703 PP5's consultations); UNMISS
    2187 OP21 "Calls upon the Government of South Sudan to move forward expeditiously …" goes on as
    2223 OP24, which opens so, not as OP25 "Further calls upon the Government of South Sudan to hold to
    account …", closer in words. An annex's list of names opens with no verb: 2375's PAK YONG SIK is
    not 2397's KIM JONG SIK for their shared "SIK (a) Description"."""
    by_a = {p.a: p for p in renewal("minurso-2703-2797-fr").pairs if p.a}
    assert (by_a["OP3"].b, by_a["OP3"].change) == ("OP2", "changed") and by_a["PP5"].b == "PP2"
    by_a = {p.a: p for p in renewal("unmiss-2187-2223").pairs if p.a}
    assert (by_a["OP21"].b, by_a["OP21"].change) == ("OP24", "changed")
    assert "OP25" in {p.b for p in renewal("unmiss-2187-2223").of("added")}
    by_a = {p.a: p for p in renewal("dprk-2375-2397").pairs if p.a}
    assert by_a["ANNEX1.I.OP1"].b != "ANNEX1.I.OP3"


def test_a_split_part_carrying_on_the_beginning_is_its_successor_when_no_part_keeps_the_opening():
    """2631 PP8 ("Notant qu'il importe que le Gouvernement iraquien mette en œuvre d'urgence des réformes
    …, saluant les efforts du Gouvernement … et demandant aux institutions étatiques de redoubler d'efforts
    …") is split in 2682: PP5 ("Encourageant le Gouvernement récemment formé à mettre en place des réformes
    …") carries on its first part, PP6 ("Saluant l'action menée par le Gouvernement …") the rest with more
    words. Neither keeps the opening words: the part carrying on the beginning is PP8's successor, PP6 is
    added."""
    a_doc, a, b_doc, b = _renewal_chunks("unami-2631-2682-fr")
    text = {(c.document, c.paragraph): c.text for c in [*a, *b]}
    pp8, pp5, pp6 = text[(a_doc, "PP8")], text[(b_doc, "PP5")], text[(b_doc, "PP6")]
    assert kept_shares(pp8, pp6)[0] > kept_shares(pp8, pp5)[0] >= KEEP_SHORTER  # PP6 keeps more of PP8
    assert _carries_beginning(pp8, pp5, pp6) and not _carries_beginning(pp8, pp6, pp5)
    cmp = renewal("unami-2631-2682-fr")
    by_a = {p.a: p for p in cmp.pairs if p.a}
    assert (by_a["PP8"].b, by_a["PP8"].change) == ("PP5", "changed")
    assert "PP6" in {p.b for p in cmp.of("added")}
    # where the opening words are kept, the rule agrees with the opening: 2683 PP2 split into 2781 PP2
    # ("Affirming its support for the 2018 Revitalised Agreement …", 22 % of the words) and PP3 ("Stressing
    # that the peace process …", the rest) is carried on by PP2 either way
    a_doc, a, b_doc, b = _renewal_chunks("ssd-sanctions-2683-2781")
    text = {(c.document, c.paragraph): c.text for c in [*a, *b]}
    pp2, split2, split3 = text[(a_doc, "PP2")], text[(b_doc, "PP2")], text[(b_doc, "PP3")]
    assert _carries_beginning(pp2, split2, split3) and not _carries_beginning(pp2, split3, split2)
    # a page-long paragraph keeping a few phrases of two is no merge of them: MONUSCO 2277 OP35 (the
    # priority tasks) keeps some words of 2211 OP12 (public outreach) before those of OP13 (the tasks it
    # carries on), but the two together hold a third of its words; OP13 stays its predecessor
    a_doc, a, b_doc, b = _renewal_chunks("monusco-2211-2277")
    text = {(c.document, c.paragraph): c.text for c in [*a, *b]}
    op35, op12, op13 = text[(b_doc, "OP35")], text[(a_doc, "OP12")], text[(a_doc, "OP13")]
    assert min(kept_shares(op35, op12)[0], kept_shares(op35, op13)[0]) >= KEEP_SHORTER
    assert not _carries_beginning(op35, op12, op13)
    assert next(p for p in compare_chunks(a_doc, a, b_doc, b, "en").pairs if p.b == "OP35").a == "OP13"


def test_comparable_names_what_is_wrong(services):
    docs = services.library.documents()
    assert comparable(docs, "s/res/2674(2023)", B) == (A, B, "en")
    assert comparable(docs, A, B, "fr") == (A, B, "fr")
    with pytest.raises(CannotCompare, match="unknown document S/RES/9999") as e:
        comparable(docs, "S/RES/9999 (2023)", B)
    assert e.value.unknown
    with pytest.raises(CannotCompare, match="no language in common") as e:
        comparable(docs, A, ZH_ONLY)
    assert not e.value.unknown
    with pytest.raises(CannotCompare, match="not both indexed in 'ru'; they share: en, fr"):
        comparable(docs, A, B, "ru")


# -- the API ------------------------------------------------------------------------------------


def test_api_compare_follows_contracts_section_7(client):
    r = client.get("/api/compare", params={"a": A, "b": B, "language": "en"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["a"] == A and body["b"] == B and body["language"] == "en"
    for p in body["pairs"]:
        assert {"a", "b", "change", "diff"} <= set(p)
        assert p["change"] in ("same", "changed", "added", "removed", "moved")
        assert all(op in ("equal", "delete", "insert") and isinstance(t, str) for op, t in p["diff"])
    assert {(p["a"], p["b"]) for p in body["pairs"]} >= {("OP10", "OP11"), (None, "PP6")}


@pytest.mark.parametrize("params, status, says", [
    ({"a": "S/RES/9999 (2023)", "b": B}, 404, "unknown document S/RES/9999 (2023)"),
    ({"a": A, "b": ZH_ONLY}, 422, "no language in common"),
    ({"a": A, "b": B, "language": "ru"}, 422, "they share: en, fr"),
    ({"a": A}, 422, "b"),
])
def test_api_compare_errors_say_what_is_wrong(client, params, status, says):
    r = client.get("/api/compare", params=params)
    assert r.status_code == status, r.text
    assert says in json.dumps(r.json(), ensure_ascii=False)


# -- the command line ---------------------------------------------------------------------------


def test_reso_compare_prints_one_line_per_pair_and_json(monkeypatch, files):
    monkeypatch.setenv("RESO_EMBEDDER", "hash")
    from reso.ui.cli import cli

    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", *map(str, files)]).exit_code == 0
    human = runner.invoke(cli, ["compare", A, B])
    assert human.exit_code == 0, human.output
    lines = human.output.splitlines()
    assert lines[0] == f"{A} → {B} (en)"
    extend = next(line for line in lines if line.split()[:4] == ["OP10", "→", "OP11", "changed"])
    assert "-2024" in extend and "+2026" in extend
    assert any(line.split()[:3] == ["→", "PP6", "added"] for line in lines)
    assert lines[-1].endswith("removed") and " same, " in lines[-1]
    as_json = runner.invoke(cli, ["compare", "--json", "--language", "fr", A, B])
    assert as_json.exit_code == 0, as_json.output
    body = json.loads(as_json.output)
    assert body["language"] == "fr" and body["pairs"][0]["a"] == "PP1"
    for args, says in ((["compare", "S/RES/9999 (2023)", B], "unknown document S/RES/9999 (2023)"),
                       (["compare", A, ZH_ONLY], "no language in common")):
        bad = runner.invoke(cli, args)
        assert bad.exit_code == 2 and says in bad.output, bad.output
