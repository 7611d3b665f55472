"""Complete citations without padding (issue 14, item 2; `assistant/completion.py`).

Real resolutions in a small index with the hash embedder: S/RES/2688 (2023) (the DRC embargo and
its Group of Experts), 2682 (2023) (UNAMI's strategic review), 2674 (2023) (Cyprus), in English
and French; S/RES/1285 (2000), whose preambular paragraph 7 goes on in paragraph 8, and the Russian
S/RES/2705 (2023), whose paragraphs open in lower case. Each rule is asked a question it must
complete and one it must leave alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reso.assistant.completion import CitationCompletion, continues, gives_set_date
from reso.assistant.core import Assistant
from reso.assistant.generators.extractive import ExtractiveGenerator
from reso.assistant.models import Retrieved
from reso.assistant.question import Question
from reso.assistant.refusal import RefusalPolicy
from reso.assistant.retrieval import HybridRetriever
from tests.conftest import SHARED, cited, hash_retriever, paragraphs_of

S2688, S2682, S2674, S1285, S2705 = "S/RES/2688 (2023)", "S/RES/2682 (2023)", "S/RES/2674 (2023)", "S/RES/1285 (2000)", "S/RES/2705 (2023)"
# before this module: a part's best paragraph, of the answer's own part of the resolution, and nothing else
BEFORE = CitationCompletion(part_candidates=1, other_part=False, checked_same_part=False, type_window=0, continuation=False)


@pytest.fixture(scope="module")
def files(shared_corpus) -> list[Path]:
    sc = shared_corpus / "unxml-sc" / "2023"
    found = [p for n in (2688, 2682, 2674) for p in sc.glob(f"*/S_RES_{n}_?.xml")]
    assert len(found) == 6, found
    large = SHARED / "corpus-large" / "unxml-sc"
    more = [large / "Pre-2020/2000/S_RES_1285_N0023963.xml", large / "2023/Russian/S_RES_2705-2321113R.xml"]
    if not all(p.is_file() for p in more):
        pytest.skip("../shared/corpus-large not found")
    return found + more


@pytest.fixture(scope="module")
def retriever(tmp_path_factory, files) -> HybridRetriever:
    return hash_retriever(tmp_path_factory.mktemp("complete-index"), files)


@pytest.fixture(scope="module")
def assistant(retriever) -> Assistant:
    return Assistant(retriever, ExtractiveGenerator(), RefusalPolicy(index=retriever.lexical))


@pytest.fixture(scope="module")
def paragraphs(retriever) -> dict[tuple[str, str], Retrieved]:
    """Every paragraph with its language versions, as the assistant receives it."""
    return paragraphs_of(retriever)


def answer(assistant: Assistant, question: str, completion: CitationCompletion | None = None) -> list[tuple[str, str]]:
    assistant.completion = completion or CitationCompletion()
    try:
        reply = assistant.answer(question)
    finally:
        assistant.completion = CitationCompletion()
    assert not reply.refused, question
    return cited(reply)


# -- rule 1: a question asking two things ---------------------------------------------------------

def test_each_part_of_a_two_part_question_is_cited_from_either_part_of_the_resolution(retriever, paragraphs):
    """The answer opened on the preamble (PP3, the Group of Experts' final report); the part "until
    when is the Group of Experts extended" is answered by OP5 ("proroger jusqu'au 1er août 2024"),
    an operative paragraph giving the date the preamble does not. It was left out before: only a
    paragraph of the answer's own part of the resolution could join."""
    question = Question.ask("Until when are the arms embargo measures renewed by resolution 2688 (2023), "
                            "and until when is the mandate of the Group of Experts extended?")
    assert len(question.parts) == 2
    policy = RefusalPolicy(index=retriever.lexical)
    for completion, expected in ((BEFORE, {"PP3"}), (CitationCompletion(), {"PP3", "OP5"})):
        sources = [paragraphs[(S2688, "PP3")]]
        retrieved = retriever.retrieve(question, k=10)
        completion.complete(retriever, question, None, sources, retrieved, policy.coverage)
        got = {s.chunk.paragraph for s in sources}
        assert expected <= got, (completion, got)
        assert got <= {"PP3", "OP1", "OP5"}, got  # each added paragraph answers a part: the embargo (OP1), the Group (OP5)
        assert all(s.key in {r.key for r in retrieved} for s in sources)  # cited only if retrieved for this answer


def test_a_part_asking_about_something_else_gets_its_paragraph(assistant):
    """Both parts are answered by operative paragraphs; the second asks what the Group must present,
    which OP6 holds ("prie le Groupe d'experts de lui présenter … un rapport à mi-parcours") and
    OP5 (the extension) does not."""
    got = answer(assistant, "Jusqu'à quand le mandat du Groupe d'experts est-il prorogé, et quels rapports le Groupe "
                            "d'experts doit-il présenter au Comité ?")
    assert got[:1] == [(S2688, "OP5")]
    assert (S2688, "OP6") in got


def test_a_question_asking_one_thing_gets_one_citation(assistant):
    assert answer(assistant, "Until when is the mandate of the Group of Experts on the DRC extended?") == [(S2688, "OP5")]
    assert answer(assistant, "When must the independent strategic review of UNAMI be provided?") == [(S2682, "OP3")]


# -- rule 2: the kind of answer asked, carried by another paragraph -------------------------------

def test_a_date_that_dates_a_document_sets_no_date(paragraphs):
    def text(doc, pid, lang="en"):
        return paragraphs[(doc, pid)].versions[lang].text

    assert not gives_set_date(text(S2682, "PP11"))  # "…shared in the letter dated 18 May 2023…"
    assert not gives_set_date(text(S2674, "PP1", "fr"))  # "le rapport du Secrétaire général, en date du 3 janvier 2023"
    assert gives_set_date(text(S2682, "OP3"))  # "no later than 31 March 2024"
    assert gives_set_date(text(S2674, "OP21", "fr"))  # "d'ici au 4 juillet 2023 et au 3 janvier 2024"
    assert gives_set_date(text(S2688, "OP5", "fr"))  # "jusqu'au 1er août 2024"


def test_a_due_date_missing_from_the_best_paragraph_is_cited_from_the_runner_up(assistant):
    """The question's words are those of the preamble (PP11: the Government of Iraq's support for
    the review); the date the review is due is set in OP3."""
    question = "When is the Independent Strategic Review supported by the Government of Iraq due?"
    assert answer(assistant, question, BEFORE) == [(S2682, "PP11")]
    assert answer(assistant, question) == [(S2682, "PP11"), (S2682, "OP3")]


# -- rule 3: a clause continued in the next paragraph ---------------------------------------------

def test_a_clause_cut_in_two_is_cited_whole(assistant, paragraphs):
    """S/RES/1285 (2000) PP7 ends "…between the two parties, and"; PP8 goes on "urging the parties…"."""
    assert continues(paragraphs[(S1285, "PP7")], paragraphs[(S1285, "PP8")])
    question = "What does the Council say about the normalization of relations between the two parties?"
    assert answer(assistant, question, BEFORE) == [(S1285, "PP7")]
    assert answer(assistant, question) == [(S1285, "PP7"), (S1285, "PP8")]


def test_paragraphs_opening_in_lower_case_are_no_continuation(paragraphs):
    """Russian paragraphs open in lower case: OP9 ("решительно осуждает…") after OP8, which ends on
    "и", is a paragraph of its own; so is an English paragraph after one that ends its clause."""
    assert paragraphs[(S2705, "OP9")].chunk.text[:1].islower()
    assert not continues(paragraphs[(S2705, "OP8")], paragraphs[(S2705, "OP9")])
    assert not continues(paragraphs[(S1285, "PP8")], paragraphs[(S1285, "PP9")])
    assert not continues(paragraphs[(S2688, "OP5")], paragraphs[(S2688, "OP6")])
