"""The first stage's year prior: a question writing a year raises the texts adopted that year.

Real texts: the French seed (A/HRC/RES/30/25, adopted in 2015) and S/RES/2699 (2023) in English and
French. Renewals say the same thing year after year; "en 2023" says which one is asked.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from reso.assistant.question import Question
from reso.assistant.retrieval import HybridRetriever, HybridWeights
from reso.index.library import Library

from conftest import hash_library


@pytest.fixture(scope="module")
def library(tmp_path_factory, seed_path, fixtures_dir) -> Library:
    akn = fixtures_dir / "akn"
    return hash_library(tmp_path_factory.mktemp("year-index"),
                        [seed_path, akn / "S_RES_2699-2318982E.xml", akn / "S_RES_2699-2318982F.xml"])


def priors(library: Library, question: Question, **weights) -> tuple[np.ndarray, np.ndarray]:
    """`_priors` over every row at an even score: what the priors alone add (the body's only when asked)."""
    weights = {"preambular": 1.0, "answer_type": 0.0, "body": 0.0, **weights}
    retriever = HybridRetriever(library, weights=replace(HybridWeights(), **weights))
    t = retriever.tables
    cand = np.ones(len(t.chunks), dtype=bool)
    return retriever._priors(t, question, np.full(len(t.chunks), 0.5, dtype=np.float32), cand), t.dates // 10000


@pytest.mark.parametrize("text, year", [
    ("Que demande le Conseil de sécurité en 2023 ?", 2023),
    ("Que demande le Conseil des droits de l'homme en 2015 ?", 2015),
])
def test_a_year_written_raises_the_texts_adopted_that_year(library, text, year):
    question = Question.of(text)
    assert question.years == {year}
    out, years = priors(library, question)
    assert (years == year).any() and np.allclose(out[years == year], 0.5 + HybridWeights().year)
    assert (years != year).any() and np.allclose(out[years != year], 0.5)
    off, _ = priors(library, question, year=0.0)
    assert np.allclose(off, 0.5)


def test_no_year_and_a_resolution_number_add_nothing(library):
    for text in ("Que demande le Conseil ?", "Que demande la résolution 2699 ?"):
        out, _ = priors(library, Question.of(text))
        assert np.allclose(out, 0.5), text


@pytest.mark.parametrize("text, bodies", [
    ("Que demande le Conseil de sécurité ?", ("SC",)),
    ("What does the Human Rights Council request?", ("HRC",)),
    ("¿Qué pide la Asamblea General?", ("GA",)),
    ("Что решил Совет Безопасности?", ("SC",)),
    ("ماذا طلب مجلس الأمن؟", ("SC",)),
    ("安理会要求什么？", ("SC",)),
    ("What did the General Assembly ask the Security Council to do?", ("SC", "GA")),
    ("Que demande le Conseil ?", ()),
])
def test_the_bodies_a_question_names(text, bodies):
    assert Question.of(text).bodies == bodies


def test_the_one_body_named_raises_its_texts(library):
    t = HybridRetriever(library).tables
    sc = t.bodies == "SC"
    assert sc.any() and (~sc).any()
    body = HybridWeights().body
    out, _ = priors(library, Question.of("Que demande le Conseil de sécurité ?"), body=body)
    assert np.allclose(out[sc], 0.5 + body) and np.allclose(out[~sc], 0.5)
    out, _ = priors(library, Question.of("Que demande le Conseil de sécurité ?"), body=0.0)
    assert np.allclose(out, 0.5)
    # two bodies named: neither is the author for sure
    out, _ = priors(library, Question.of("Qu'a demandé l'Assemblée générale au Conseil de sécurité ?"), body=body)
    assert np.allclose(out, 0.5)


def test_the_year_decides_between_texts_saying_the_same(library):
    """The seed and 2699 both "request" things: asked with the year, the first answer is that year's text."""
    retriever = HybridRetriever(library)
    for text, symbol in (("Que prie le Conseil en 2023 ?", "S/RES/2699"), ("Que prie le Conseil en 2015 ?", "A/HRC/RES/30/25")):
        top = retriever.retrieve(Question.of(text), k=1)[0]
        assert top.chunk.document.startswith(symbol), (text, top.chunk.document)


@pytest.mark.parametrize("text, months", [
    ("Fin octobre 2021, jusqu'à quelle date le Conseil a-t-il prolongé le mandat ?", {202110}),
    ("¿Qué decidió el Consejo en octubre de 2021?", {202110}),
    ("What did the Council decide in May 2022?", {202205}),
    ("В июле 2021 года на какой срок Совет продлил доставку помощи?", {202107}),
    ("حتى أي تاريخ مدّد مجلس الأمن ولاية اليونيفيل في آب/أغسطس 2023؟", {202308}),
    ("2020年3月，安理会把专家小组的任务期限延长到了哪一天？", {202003}),
    # a full date is a date a text sets ("until 31 August 2023"), not the month a text was adopted in
    ("Until 31 October 2021?", set()),
    ("حتى 31 آب/أغسطس 2023؟", set()),
    ("до 31 июля 2021 года", set()),
    ("le 1er octobre 2021", set()),
    ("2020年3月5日", set()),
    ("What did the Council decide in 2021?", set()),
])
def test_the_months_a_question_writes(text, months):
    assert Question.of(text).months == months


def test_a_month_written_raises_that_months_texts_above_the_years(library):
    question = Question.of("Que demande le Conseil de sécurité en août 2023 ?")  # S/RES/2699: 2 October 2023
    out, years = priors(library, question)
    assert np.allclose(out[years == 2023], 0.5 + HybridWeights().year)  # the year, not the month
    dates = HybridRetriever(library).tables.dates
    october = Question.of("Que demande le Conseil de sécurité en octobre 2023 ?")
    assert october.months == {202310} and (dates // 100 == 202310).any()
    out, _ = priors(library, october)
    assert np.allclose(out[dates // 100 == 202310], 0.5 + HybridWeights().year + HybridWeights().month)
    assert np.allclose(out[years != 2023], 0.5)


@pytest.fixture(scope="module")
def undated(tmp_path_factory) -> Library:
    """Real texts whose markup gives no adoption date: S/RES/2059 (2012) (English only) and the
    Arabic S/RES/2672 (2023), whose Chinese, Russian and Spanish versions give theirs."""
    from tests.conftest import SHARED, require_shared

    large = SHARED / "corpus-large" / "unxml-sc"
    files = [large / "Pre-2020" / "2012" / "S_RES_2059_N1243202.xml",
             *sorted((large / "2023").glob("*/S_RES_2672_?.xml"))]
    require_shared(*files)
    return hash_library(tmp_path_factory.mktemp("undated-index"), files)


def test_a_version_with_no_date_is_dated_by_its_siblings_or_its_symbol(undated):
    t = HybridRetriever(undated).tables
    chunks = {(c.document, c.language): (c.date, int(d)) for c, d in zip(t.chunks, t.dates)}
    assert chunks[("S/RES/2059 (2012)", "en")] == ("", 20120000)  # the symbol's year
    arabic_date, arabic = chunks[("S/RES/2672 (2023)", "ar")]
    spanish_date, spanish = chunks[("S/RES/2672 (2023)", "es")]
    assert arabic_date == "" and spanish_date and arabic == spanish == int(spanish_date.replace("-", ""))


def test_an_undated_text_is_raised_by_its_year(undated):
    question = Question.of("¿Por cuánto tiempo renovó el Consejo en julio de 2012 la misión de observadores en Siria?")
    assert 2012 in question.years
    out, years = priors(undated, question)
    assert (years == 2012).any() and np.allclose(out[years == 2012], 0.5 + HybridWeights().year)
