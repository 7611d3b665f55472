"""A change question that dates the other text by its month (issue 17): "compared with the one of
June 2006", "frente a la prórroga de septiembre de ese mismo año", and the answer that lists the
operative part first even when the question names the texts' topic.

Real Council texts of ../shared/corpus-large: MONUC's 1693 (June 2006) and 1711 (September 2006),
the DRC sanctions text 1698 (July 2006) between them; UNAMSIL's 1321 (September 2000) and 1334
(December 2000); the 1540 Committee's 1673 (April 2006) and 1810 (April 2008).
"""

from __future__ import annotations

import pytest

from reso.assistant.core import Assistant
from reso.assistant.generators.extractive import ExtractiveGenerator
from reso.assistant.lineage.questions import _years, kind_of
from reso.assistant.question import Question
from reso.assistant.refusal import RefusalPolicy
from reso.assistant.retrieval import HybridRetriever
from reso.index.embedders import HashEmbedder
from reso.index.library import Library
from reso.index.store import ChromaStore
from tests.conftest import SHARED, require_shared

PRE = SHARED / "corpus-large" / "unxml-sc" / "Pre-2020"
FILES = [PRE / "2006" / "S_RES_1693_N0641420.xml", PRE / "2006" / "S_RES_1698_N0645081.xml",
         PRE / "2006" / "S_RES_1711_N0654519.xml", PRE / "2000" / "S_RES_1321_N0065102.xml",
         PRE / "2000" / "S_RES_1334_N0081231.xml", PRE / "2006" / "S_RES_1673_N0633110.xml",
         PRE / "2008" / "S_RES_1810_N0831865.xml"]


@pytest.fixture(scope="module")
def assistant(tmp_path_factory) -> Assistant:
    require_shared(*FILES)
    library = Library(ChromaStore.open(tmp_path_factory.mktemp("lineage-months")), HashEmbedder())
    library.ingest(FILES)
    retriever = HybridRetriever(library)
    return Assistant(retriever, ExtractiveGenerator(), RefusalPolicy(index=retriever.lexical))


def documents(answer) -> set[str]:
    return {c.document for c in answer.citations}


def test_the_month_named_picks_the_text_of_that_month_not_the_one_before_it(assistant):
    """1711 (2006) recalls "1693 of 30 June 2006" in its first preambular paragraph; the sanctions
    text 1698 of 31 July 2006 came between them."""
    answer = assistant.answer("Qu'est-ce que la résolution 1711 (2006) a modifié par rapport à celle de juin 2006 ?")
    assert not answer.refused
    assert documents(answer) == {"S/RES/1693 (2006)", "S/RES/1711 (2006)"}


def test_a_month_without_its_year_is_of_the_named_text_s_year(assistant):
    q = "¿Qué trajo de nuevo la resolución 1334 (2000), de diciembre, frente a la breve prórroga de septiembre de ese mismo año?"
    assert kind_of(Question.of(q)) == "change"
    answer = assistant.answer(q)
    assert documents(answer) == {"S/RES/1321 (2000)", "S/RES/1334 (2000)"}


def test_the_operative_part_comes_first_though_the_preambles_restate_the_topic(assistant):
    """Both texts are on non-State actors and weapons of mass destruction; 1810's preamble says so
    at length, and it was quoted before anything 1810 decided on the 1540 Committee."""
    answer = assistant.answer("On non-State actors and weapons of mass destruction, what did resolution 1810 (2008) "
                              "change compared with the text of April 2006?")
    assert documents(answer) == {"S/RES/1673 (2006)", "S/RES/1810 (2008)"}
    assert answer.citations[0].paragraph.startswith("OP")


def test_a_resolution_number_is_no_year_and_a_bare_month_is_read_in_six_languages():
    assert _years(Question.of("чем резолюция 1993 (2011) отличается от предыдущей, декабрьской 2010 года?")) == ["2010"]
    assert Question.of("the renewal it adopted that June").bare_months == {6}
    assert Question.of("与同年5月那项延期决议相比").bare_months == {5}
    assert Question.of("предыдущей, декабрьской").bare_months == {12}
    # a date a text sets, a month with its year (read elsewhere), the English verb "may": none
    assert Question.of("until 31 December 2010, June 2006, 2003年8月, may the Council").bare_months == set()


def test_a_topic_word_no_text_of_its_language_holds_is_found_as_its_near_spelling(tmp_path):
    """"Medalla Dag Hammarskjöld": no Spanish paragraph names the medal and the lexicon has no
    "medalla"; the English texts print "Dag Hammarskjöld Medal" (2154 (2014), which creates it).
    "medalla" and "medal" share five letters and nearly all the rest: the same word."""
    files = [PRE / "2014" / "S_RES_2154_1432858e.xml", PRE / "2000" / "S_RES_1321_N0065102.xml",
             SHARED / "corpus-large" / "unxml-sc" / "2025" / "Spanish" / "S_RES-2779-2507317S.xml"]
    require_shared(*files)
    library = Library(ChromaStore.open(tmp_path / "medal"), HashEmbedder())
    library.ingest(files)
    retriever = HybridRetriever(library)
    assistant = Assistant(retriever, ExtractiveGenerator(), RefusalPolicy(index=retriever.lexical))
    answer = assistant.answer("Medalla Dag Hammarskjöld: ¿desde qué texto aparece en las resoluciones del Consejo de Seguridad?")
    assert not answer.refused
    assert ("S/RES/2154 (2014)", "PP2") in {(c.document, c.paragraph) for c in answer.citations}
