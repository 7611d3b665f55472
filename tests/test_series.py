"""Series of Security Council texts (issue 17, item 2): a text belongs to the mission or sanctions
regime its operative part acts on, not to whatever it mentions.

A small real index of ../shared/corpus-large (English): the Central African Republic sanctions
regime from the resolution founding its committee, S/RES/2127 (2013), through renewals of 2015,
2017, 2018 and 2022; the MINUSCA mandate from its founding S/RES/2149 (2014) through 2015 and
2022; the ISIL (Da'esh) and Al-Qaida sanctions renewals S/RES/2161 (2014), 2253 (2015) and 2368
(2017); and three counter-terrorism texts that ask "the Committee established pursuant to
resolution 1267" things, S/RES/1566 (2004), 2178 (2014) and 2396 (2017). The scorer of evals/datasets/series.jsonl is checked
on its own arithmetic.
"""

from __future__ import annotations

import pytest

from reso.assistant.lineage.graph import ReferenceGraph, _Council
from reso.index.chunks import chunks_of
from reso.index.readers import read
from reso.evals import series_eval
from tests.conftest import SHARED, require_shared
from tests.test_api import build_services

SC = SHARED / "corpus-large" / "unxml-sc"
FILES = {
    "S/RES/2127 (2013)": "Pre-2020/2013/S_RES_2127_N1359443.xml",
    "S/RES/2196 (2015)": "Pre-2020/2015/S_RES_2196_1500806E.xml",
    "S/RES/2339 (2017)": "Pre-2020/2017/S_RES_2339_1701286E.xml",
    "S/RES/2399 (2018)": "Pre-2020/2018/S_RES_2399_1801390E.xml",
    "S/RES/2648 (2022)": "2022/English/S_RES_2648 (2022)-2211986E.xml",
    "S/RES/2149 (2014)": "Pre-2020/2014/S_RES_2149_1429581e.xml",
    "S/RES/2217 (2015)": "Pre-2020/2015/S_RES_2217_1506646E.xml",
    "S/RES/2659 (2022)": "2022/English/S_RES_2659-2225701E.xml",
    "S/RES/2161 (2014)": "Pre-2020/2014/S_RES_2161_1455595E.xml",
    "S/RES/2253 (2015)": "Pre-2020/2015/S_RES_2253_1522456E.xml",
    "S/RES/2368 (2017)": "Pre-2020/2017/S_RES_2368_1712331E.xml",
    "S/RES/1566 (2004)": "Pre-2020/2004/S_RES_1566_N0454282.xml",
    "S/RES/2178 (2014)": "Pre-2020/2014/S_RES_2178_1461606E.xml",
    "S/RES/2396 (2017)": "Pre-2020/2017/S_RES_2396_1723112E.xml",
    "S/RES/2768 (2025)": "2025/English/S_RES_2768-2500616E.xml",
    "S/RES/2787 (2025)": "2025/English/S_RES_2787-2511563E.xml",
    "S/RES/2812 (2026)": "2026/English/S_RES_2812-2600463E.xml",
    "S/RES/1641 (2005)": "Pre-2020/2005/S_RES_1641_N0562350.xml",
    "S/RES/1650 (2005)": "Pre-2020/2005/S_RES_1650_N0565848.xml",
    "S/RES/1692 (2006)": "Pre-2020/2006/S_RES_1692_N0641402.xml",
    "S/RES/2240 (2015)": "Pre-2020/2015/S_RES_2240_1517515E.xml",
    "S/RES/2491 (2019)": "Pre-2020/2019/S_RES_2491_1917042E.xml",
    "S/RES/2546 (2020)": "2020/English/S_RES_2546 (2020)-2012940E.xml",
    "S/RES/2598 (2021)": "2021/English/S_RES_2598 (2021)_E.xml",
}
CAR_SANCTIONS = ["S/RES/2127 (2013)", "S/RES/2196 (2015)", "S/RES/2339 (2017)", "S/RES/2399 (2018)",
                 "S/RES/2648 (2022)"]
MINUSCA = ["S/RES/2149 (2014)", "S/RES/2217 (2015)", "S/RES/2659 (2022)"]
ISIL_AL_QAIDA = ["S/RES/2161 (2014)", "S/RES/2253 (2015)", "S/RES/2368 (2017)"]
COUNTER_TERRORISM = ["S/RES/1566 (2004)", "S/RES/2178 (2014)", "S/RES/2396 (2017)"]
ONUB = ["S/RES/1641 (2005)", "S/RES/1650 (2005)", "S/RES/1692 (2006)"]  # "Opération des Nations Unies au Burundi"
MIGRANT_VESSELS = ["S/RES/2240 (2015)", "S/RES/2491 (2019)", "S/RES/2546 (2020)", "S/RES/2598 (2021)"]
RED_SEA_REPORTS = ["S/RES/2768 (2025)", "S/RES/2787 (2025)", "S/RES/2812 (2026)"]


@pytest.fixture(scope="module")
def graph(tmp_path_factory) -> ReferenceGraph:
    files = [SC / f for f in FILES.values()]
    require_shared(*files)
    services = build_services(tmp_path_factory.mktemp("series-index"), files, admin_key=None)
    return services.assistant.lineage.graph


def series(graph: ReferenceGraph, document: str) -> list[str]:
    related = graph.related(document)
    assert related is not None, document
    return [e.document for e in related.series]


def test_a_mission_known_by_its_french_acronym_has_its_series(graph):
    """ONUB's renewals ("Decides to extend the mandate of ONUB until 31 December 2006") form its
    series: an acronym opening with "ONU" is a mission's as "UN…", "MIN…" and "BNUB" are (a
    held-out question asked which text renewed ONUB before 1692 (2006); 1692 had no series)."""
    for document in ONUB:
        assert series(graph, document) == ONUB


def test_the_text_a_series_renews_and_its_other_renewals_join_the_series(graph):
    """The inspections of vessels off Libya for migrant smuggling: 2546 (2020) and 2598 (2021) share a
    title family; 2546 renews "the authorizations as set out in resolution 2240 (2015)", a text of
    its own, which joins their series, and so does 2491 (2019), another text of its own renewing
    2240's authorizations (a held-out question asked which text preceded 2546 on it: none had)."""
    for document in MIGRANT_VESSELS:
        assert series(graph, document) == MIGRANT_VESSELS


def test_every_text_is_indexed_under_its_symbol(graph):
    assert all(graph.resolve(symbol) == symbol for symbol in FILES)


def test_the_founding_text_opens_its_sanctions_series(graph):
    """S/RES/2127 (2013) "Decides to establish … a Committee": later texts call it "the Committee
    established pursuant to resolution 2127 (2013)", it never does; it is the series' first member."""
    for member in CAR_SANCTIONS:
        assert series(graph, member) == CAR_SANCTIONS, member


def test_a_sanctions_text_is_not_in_the_mission_series(graph):
    """The CAR sanctions renewals name MINUSCA (a dozen times in 2399) but renew measures and the
    Panel of Experts; MINUSCA's series holds its founding text and mandate renewals only."""
    for member in MINUSCA:
        assert series(graph, member) == MINUSCA, member
    assert not set(series(graph, "S/RES/2339 (2017)")) & set(MINUSCA)


def test_a_counter_terrorism_text_is_not_in_the_1267_series(graph):
    """1566 (2004), 2178 (2014) and 2396 (2017) ask "the Committee established pursuant to
    resolution 1267 (1999)" and its Monitoring Team things, and 2396 decides "in furtherance of
    paragraph 9 of resolution 2178"; none renews the regime's measures or its bodies."""
    for member in ISIL_AL_QAIDA:
        assert series(graph, member) == ISIL_AL_QAIDA, member
    for thematic in COUNTER_TERRORISM:
        assert not set(series(graph, thematic)) & set(ISIL_AL_QAIDA), thematic


def test_a_paragraph_that_further_extends_is_a_roll_over_whatever_its_first_verb():
    """2710 (2023) decides nothing: "Recalls paragraph 22 of resolution 2628 (2022), as most recently
    extended by resolution 2687 (2023), and further extends its authorisations until 30 June 2024"
    (OP1). Its citations in OP1 are how it joins its predecessors' series (the ATMIS texts in the
    index of both folders; it had none before)."""
    path = SHARED / "corpus" / "unxml-sc" / "2023" / "English" / "S_RES_2710-2322385E.xml"
    require_shared(path)
    texts = [(c.paragraph, c.text) for c in chunks_of(read(path))]
    _, roll_overs, _ = _Council({}).subject("S/RES/2710 (2023)", texts, "")
    assert "OP1" in roll_overs


def _subject(*parts: str) -> tuple[str | None, set[str], set[str]]:
    path = SHARED.joinpath("corpus-large", "unxml-sc", "Pre-2020", *parts)
    require_shared(path)
    chunks = chunks_of(read(path))
    return _Council({}).subject(chunks[0].document, [(c.paragraph, c.text) for c in chunks], "")


def test_a_deployment_authorised_until_a_date_is_the_roll_over_not_a_renewal_only_considered():
    """1320 (2000) sets UNMEE's term in OP2 ("Authorizes the deployment within UNMEE of up to 4,200
    troops … until 15 March 2001"); its OP15 only says what the Council will weigh "in considering
    the renewal of the mandate". A series answer quoted OP15: the noun "renewal" passed for the verb."""
    _, roll_overs, terms = _subject("2000", "S_RES_1320_N0064495.xml")
    assert roll_overs | terms == {"OP2"}


def test_a_deployment_maintained_until_a_date_is_quoted_but_joins_no_series_and_an_area_of_deployment_is_neither():
    """AMISOM's yearly texts "decide to authorise the Member States of the AU to maintain the
    deployment of AMISOM until 31 May 2020" (2472 (2019) OP7); MINUSMA's renewal authorises French
    forces "within the limits of their capacities and areas of deployment, to use all necessary
    means until the end of MINUSMA's mandate" (2480 (2019) OP42), which renews nothing. The AMISOM
    paragraph is what a series answer quotes, not a way into a series: such paragraphs maintain the
    deployment "as set out in paragraph 1 of resolution 2093 (2013)", a text that also acts on the
    Somalia sanctions, and the AMISOM texts then joined the sanctions series."""
    _, roll_overs, terms = _subject("2019", "S_RES_2472_1908938E.xml")
    assert "OP7" in terms and "OP7" not in roll_overs
    _, roll_overs, terms = _subject("2019", "S_RES_2480_1911057E.xml")
    assert "OP42" not in roll_overs | terms and "OP17" in roll_overs


def test_each_member_knows_the_paragraph_that_renews_it(graph):
    """A series answer quotes what carries each text's place in it: MINUSCA 2659 (2022) extends the
    mandate in OP29 ("Decides to extend the mandate of MINUSCA until 15 November 2023"), not OP1."""
    renewals = {e.document: e.renewal for e in graph.related("S/RES/2659 (2022)").series}
    assert renewals == {"S/RES/2149 (2014)": "", "S/RES/2217 (2015)": "OP22", "S/RES/2659 (2022)": "OP29"}
    # the founding text establishes, it renews nothing: its first operative paragraph is quoted


def test_texts_renewing_one_provision_of_a_text_not_indexed_are_a_series(graph):
    """2768 (2025), 2787 (2025) and 2812 (2026) each "Extends the reporting request in paragraph 10 of
    resolution 2722 (2024)" (Houthi attacks on shipping in the Red Sea); 2722 (2024) is not indexed,
    and no title or mission joins them: the provision they renew does."""
    for member in RED_SEA_REPORTS:
        assert series(graph, member) == RED_SEA_REPORTS, member


def test_a_preambular_recall_does_not_make_a_member(graph):
    """2253 (2015) recalls 2178 (2014) in its first paragraph; 2396 (2017) recalls 2253 and 2368."""
    recalled = {m.target for m in graph.related("S/RES/2253 (2015)").cites if m.paragraph.startswith("PP")}
    assert "S/RES/2178 (2014)" in recalled
    assert "S/RES/2178 (2014)" not in series(graph, "S/RES/2253 (2015)")


# -- the scorer -------------------------------------------------------------------------------------------


def test_the_labelled_set_has_its_shape_and_a_fixed_held_out_third():
    items = series_eval.load()
    assert len(items) >= 24
    assert {i.kind for i in items} >= {"sc-mission", "sc-sanctions", "hrc", "ga"}
    assert all(i.anchor in i.members and len(set(i.members)) == len(i.members) >= 2 for i in items)
    hold = series_eval.held_out(items)
    assert len(hold) == len(items) // 3 and hold == series_eval.held_out(list(reversed(items)))


def test_the_scorer_counts_members_per_anchor_and_in_total():
    gold = series_eval.Item("S/RES/2 (2001)", "sc-mission", "X", ("S/RES/1 (2000)", "S/RES/2 (2001)", "S/RES/3 (2002)"))
    one = series_eval.score_one(gold, ["S/RES/2(2001)", "S/RES/3 (2002)", "S/RES/9 (2009)"])  # spacing ignored
    assert (one.gold, one.given, one.right) == (3, 3, 2)
    assert one.missed == ("S/RES/1 (2000)",) and one.extra == ("S/RES/9 (2009)",)
    none = series_eval.score_one(gold, [])
    total = series_eval.totals([one, none], draws=200)
    assert total["precision"] == round(2 / 3, 4) and total["recall"] == round(2 / 6, 4)
    low, high = total["recall_bootstrap95"]
    assert 0 <= low <= total["recall"] <= high <= 1
