"""Conversations on real resolutions: follow-ups, the next paragraph, another resolution, another
language, a follow-up to decline, and a new subject that must not drag the old one along.

The index holds a dozen resolutions of the shared corpus in English and French (real texts, read
by the AKN reader); the embedder is the hash fake, so these run in seconds and exercise what the
conversation does to the question, not a model. Each exchange is a real one: the earlier questions
are asked first and the assistant's own answers, with their citation markers, are the history
(as the surfaces and `reso eval` send it back).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reso.assistant.conversation import resolve
from reso.assistant.core import Assistant
from reso.assistant.generators.extractive import ExtractiveGenerator
from reso.assistant.models import Answer, Message
from reso.assistant.question import Question
from reso.assistant.refusal import RefusalPolicy
from reso.assistant.retrieval import HybridRetriever
from reso.index.embedders import HashEmbedder
from reso.index.library import Library
from reso.index.store import ChromaStore

SC = ("2672", "2676", "2680", "2684", "2690", "2700", "2709", "2710", "2712", "2713")
HRC = ("54_14", "54_20", "55_5", "55_8")
GA = ("78_191", "78_213")


def _files(corpus: Path) -> list[Path]:
    out: list[Path] = []
    for lang, letter in (("English", "E"), ("French", "F")):
        sc = corpus / "unxml-sc" / "2023" / lang
        out += [f for n in SC for f in sc.glob(f"S_RES_{n}[-_]*{letter}.xml")]
        for n in HRC:
            out += list((corpus / "unxml-hrc" / f"{n[:2]}session" / lang).glob(f"A_HRC_RES_{n}{letter}.xml"))
        out += [f for n in GA for f in (corpus / "unxml-ga" / "78session" / lang).glob(f"A_RES_{n}-*{letter}.xml")]
    return out


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, shared_corpus) -> Assistant:
    files = _files(shared_corpus)
    assert len(files) == 2 * (len(SC) + len(HRC) + len(GA))
    library = Library(ChromaStore.open(tmp_path_factory.mktemp("conversation-index")), HashEmbedder())
    library.ingest(files)
    retriever = HybridRetriever(library)
    return Assistant(retriever, ExtractiveGenerator(), RefusalPolicy(index=retriever.lexical))


def converse(assistant: Assistant, *questions: str) -> tuple[Answer, list[Message]]:
    """Asks each question with the conversation so far; the last answer and the history before it."""
    history: list[Message] = []
    answer = None
    for i, q in enumerate(questions):
        answer = assistant.answer(q, history)
        if i < len(questions) - 1:
            history += [Message("user", q), Message("assistant", answer.answer)]
    return answer, history


def cited(answer: Answer) -> list[tuple[str, str]]:
    return [(c.document, c.paragraph.split("(")[0]) for c in answer.citations]


def documents(answer: Answer) -> set[str]:
    return {c.document for c in answer.citations}


# -- follow-ups that need the conversation ---------------------------------------------------

def test_the_next_paragraph_is_the_one_after_the_last_answer(assistant):
    first, _ = converse(assistant, "Under resolution 2690 (2023), when does MINUSMA's liquidation begin?")
    assert cited(first) == [("S/RES/2690 (2023)", "OP7")]
    after, history = converse(
        assistant,
        "Under resolution 2690 (2023), when does MINUSMA's liquidation begin?",
        "And what does the paragraph after that one say?",
    )
    assert cited(after) == [("S/RES/2690 (2023)", "OP8")]
    # without the conversation the same words point nowhere: the history is what answers it
    alone = assistant.answer("And what does the paragraph after that one say?")
    assert ("S/RES/2690 (2023)", "OP8") not in cited(alone)


def test_previous_paragraphs_chain_through_the_assistants_own_answers(assistant):
    answer, _ = converse(
        assistant,
        "Résolution 2690 (2023) : quand la liquidation de la MINUSMA doit-elle commencer ?",
        "Et le paragraphe précédent ?",
        "Et celui d'avant ?",
    )
    assert cited(answer) == [("S/RES/2690 (2023)", "OP5")]


def test_a_sub_paragraph_of_the_last_answer(assistant):
    h = [Message("user", "Que décide la résolution 2709 (2023) au sujet des tâches prioritaires de la MINUSCA ?"),
         Message("assistant", "… [S/RES/2709 (2023), OP36]")]
    q = Question.ask("Et que prévoit l'alinéa c) ?", h)
    assert q.paragraph.pid == "OP36(c)" and q.numbers == ("2709",)


def test_a_pronoun_keeps_the_resolution_of_a_long_follow_up(assistant):
    answer, _ = converse(
        assistant,
        "What does resolution 2713 (2023) reaffirm about Somali charcoal?",
        "What does it request the Emergency Relief Coordinator to provide, and by when?",
    )
    assert ("S/RES/2713 (2023)", "OP30") in cited(answer)
    assert documents(answer) == {"S/RES/2713 (2023)"}


def test_an_elliptical_follow_up_keeps_the_subject(assistant):
    answer, _ = converse(
        assistant,
        "Under resolution 2710 (2023), how many uniformed personnel may African Union States deploy to ATMIS until 31 December 2023?",
        "And from 1 January 2024?",
    )
    assert cited(answer)[:1] == [("S/RES/2710 (2023)", "OP3")]


def test_another_resolution_said_alone(assistant):
    answer, _ = converse(
        assistant,
        "Until when does resolution 2680 (2023) extend the mandate of the Panel of Experts?",
        "And in 2676?",
    )
    assert cited(answer) == [("S/RES/2676 (2023)", "OP2")]


def test_another_resolution_named_with_no_other_word(assistant):
    """Every word of the question but the number is the earlier question's: nothing is left to find
    missing, so the answer stands on the earlier question asked of the other resolution."""
    answer, _ = converse(
        assistant,
        "For how long does resolution 54/14 extend the mandate of the Working Group?",
        "And resolution 54/20?",
    )
    assert cited(answer) == [("A/HRC/RES/54/20", "OP9")]


def test_another_security_council_resolution_named_with_its_year(assistant):
    answer, _ = converse(
        assistant,
        "Résolution 2672 (2023) : à quelle fréquence le Secrétaire général doit-il présenter un rapport ?",
        "Et dans la résolution 2684 (2023) ?",
    )
    assert cited(answer) == [("S/RES/2684 (2023)", "OP2")]


def test_another_mission_named_alone_is_looked_for_beyond_the_last_resolution(assistant):
    """"And what about ATMIS?" after MINUSCA: the same question about another subject, in another resolution."""
    answer, _ = converse(assistant, "Until when does resolution 2709 (2023) extend MINUSCA's mandate?", "And what about ATMIS?")
    assert documents(answer) == {"S/RES/2710 (2023)"}
    assert resolve("Et pour la FNUOD ?", HISTORY).numbers == [] and resolve("And the OHCHR?", HISTORY).numbers == ["2709"]
    assert resolve("Et celui de la FNUOD ?", HISTORY).numbers == []  # "the one of": another mandate, named


def test_another_resolution_named_in_french(assistant):
    answer, _ = converse(
        assistant,
        "Pour combien de temps la résolution 54/14 proroge-t-elle le mandat du Groupe de travail sur les disparitions forcées ou involontaires ?",
        "Et la résolution 55/5 pour le Rapporteur spécial dans le domaine des droits culturels ?",
    )
    assert cited(answer) == [("A/HRC/RES/55/5", "OP1")]


def test_another_language_keeps_the_resolution_and_answers_in_the_new_one(assistant):
    answer, _ = converse(
        assistant,
        "Résolution 2690 (2023) : à quelle date le mandat de la MINUSMA prend-il fin ?",
        "And until when is it authorized to fulfil its remaining functions in Mali?",
    )
    assert answer.language == "en"
    assert cited(answer) == [("S/RES/2690 (2023)", "OP6")]


# -- follow-ups the texts do not answer --------------------------------------------------------

@pytest.mark.parametrize(
    "history, question",
    [
        ("Under resolution 2710 (2023), what does the Council request the Secretary-General to continue to provide for ATMIS?",
         "How much does that package cost?"),
        ("Under resolution 54/20, for how long is the mandate of the Special Rapporteur on Burundi extended?",
         "Who holds that mandate?"),
        ("Résolution 2712 (2023) : que demande le Conseil au sujet des otages ?", "Et combien d'otages sont détenus ?"),
    ],
)
def test_a_follow_up_the_text_does_not_answer_is_declined(assistant, history, question):
    answer, _ = converse(assistant, history, question)
    assert answer.refused and answer.citations == []


def test_what_a_follow_up_asks_anew_is_what_the_sources_must_hold():
    h = [Message("user", "Under resolution 2710, what does the Council request the Secretary-General to continue to provide?"),
         Message("assistant", "… a logistical support package [S/RES/2710 (2023), OP6]")]
    q = Question.ask("How much does that package cost?", h)
    assert q.asked_words == ("much", "cost")  # "package" is what "that" points back to
    assert Question.ask("How much does that package cost?").asked_words == ("much", "package", "cost")


# -- a new subject is its own question -----------------------------------------------------------

@pytest.mark.parametrize(
    "history, question, expected",
    [
        (["What does resolution 2712 (2023) call for throughout the Gaza Strip?"],
         "For how long does the Human Rights Council extend the mandate of the Working Group on Enforced or Involuntary Disappearances?",
         "A/HRC/RES/54/14"),
        (["Résolution 2713 (2023) : jusqu'à quand le Groupe d'experts est-il reconduit ?"],
         "Quelle convention l'Assemblée générale appelle-t-elle les États à envisager de ratifier au sujet des mercenaires ?",
         "A/RES/78/191"),
        (["Résolution 54/20 : que demande le Conseil au Gouvernement burundais au sujet de l'indépendance du pouvoir judiciaire ?",
          "Et au sujet de la Commission nationale indépendante des droits de l'homme ?"],
         "À quelle date le Conseil de sécurité a-t-il décidé de mettre fin au mandat de la MINUSMA ?",
         "S/RES/2690 (2023)"),
    ],
)
def test_a_new_subject_does_not_drag_the_old_one_along(assistant, history, question, expected):
    answer, before = converse(assistant, *history, question)
    old = {d for m in before if m.role == "assistant" for d in _marker_documents(m.content)}
    assert old and expected not in old
    assert not answer.refused
    assert documents(answer) == {expected}
    assert not documents(answer) & old
    assert not any(d in old for d, _ in ((r.chunk.document, r) for r in answer.related))


def _marker_documents(text: str) -> set[str]:
    from reso.assistant.citations import parse_markers

    return {d for d, _ in parse_markers(text)}


# -- what the resolver reads, without an index -------------------------------------------------------

HISTORY = [Message("user", "Until when does resolution 2709 (2023) extend MINUSCA's mandate?"),
           Message("assistant", "… [S/RES/2709 (2023), OP30]")]


@pytest.mark.parametrize(
    "question",
    [
        "For how long does the Human Rights Council extend the mandate of the Working Group on Enforced or Involuntary Disappearances?",
        "L'Assemblée générale encourage-t-elle les États Membres à verser des contributions volontaires au Centre de formation ?",
        "What does the Human Rights Council invite States to include in their universal periodic review national reports about sport?",
        "which resolution condemns mercenary activities?",  # short, no capital: but it looks for a document
        "Quelle résolution proroge le mandat du Groupe d'experts sur la Somalie ?",
    ],
)
def test_a_complete_question_stands_alone(question):
    f = resolve(question, HISTORY)
    assert f.numbers == [] and not f.context and f.paragraph is None and f.search_question == question


@pytest.mark.parametrize(
    "question",
    [
        "And what does it ask the Secretary-General to do to follow up on its recommendations in the coming months?",
        "Et quand le Haut-Commissaire doit-il rendre compte au Conseil de l'application de la résolution ?",
        "Who holds that mandate?",
        "Et combien de soldats ?",
    ],
)
def test_an_opener_or_a_pronoun_leans_on_the_conversation(question):
    assert resolve(question, HISTORY).numbers == ["2709"]


@pytest.mark.parametrize(
    "question, pid",
    [
        ("And the next paragraph?", "OP31"), ("Et le paragraphe suivant ?", "OP31"), ("¿Y el párrafo anterior?", "OP29"),
        ("А следующий пункт?", "OP31"), ("والفقرة التالية؟", "OP31"), ("上一段说什么？", "OP29"),
        ("And the one before?", "OP29"), ("What does the paragraph after that one say?", "OP31"),
    ],
)
def test_the_next_or_previous_paragraph_in_the_six_languages(question, pid):
    f = resolve(question, HISTORY)
    assert f.paragraph.pid == pid and f.numbers == ["2709"]


def test_another_resolution_named_after_one_named_by_its_bare_number_replaces_it():
    """"And on UNMHA under resolution 2691?" after "… under resolution 2682?": the earlier question is
    asked of 2691 alone. The earlier number, written without its year, stayed in the search text,
    and the answer came from the old resolution."""
    history = [Message("user", "How often must the Secretary-General report to the Council on MINUSCA under resolution 2709?"),
               Message("assistant", "In resolution S/RES/2709 (2023), the Council requests … [S/RES/2709 (2023), OP48]")]
    for question in ("And on ATMIS under resolution 2710?", "Et pour l'ATMIS dans la résolution 2710 ?"):
        asked = Question.ask(question, history)
        assert asked.numbers == ("2710",) and "2709" not in asked.search_text
        assert "report" in asked.search_text  # the earlier question is still what is asked


def test_a_number_said_alone_is_another_resolution_but_a_year_is_not():
    other = Question.ask("And in 2713?", HISTORY)
    assert other.numbers == ("2713",) and "MINUSCA" in other.search_text and "2709" not in other.search_text
    year = Question.ask("And in 2024?", HISTORY)
    assert year.numbers == ("2709",)


def test_how_often_is_answered_by_the_paragraph_that_gives_a_frequency_and_the_next_one_follows(assistant):
    """S/RES/2672 (2023): OP2 (the mandate, ranked first on the question's words) gives no frequency;
    OP5 asks for a report "au moins tous les 60 jours". The answer cites OP5, so "the next paragraph"
    is OP6 ("tous les deux mois"), the reading a person follows."""
    answer, _ = converse(assistant, "Résolution 2672 (2023) : à quelle fréquence le Secrétaire général doit-il faire rapport ?")
    assert cited(answer) == [("S/RES/2672 (2023)", "OP5")]
    answer, _ = converse(assistant, "Résolution 2672 (2023) : à quelle fréquence le Secrétaire général doit-il faire rapport ?",
                         "Que dit le paragraphe suivant ?")
    assert cited(answer) == [("S/RES/2672 (2023)", "OP6")]
