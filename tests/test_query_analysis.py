"""Question analysis, ordinals, the bilingual lexicon and answer types: the pieces retrieval leans on."""

from __future__ import annotations

import pytest

from reso.assistant.answer_types import asked, has_duration, has_quantity
from reso.assistant.citations import MarkerFilter, parse_markers
from reso.assistant.conversation import resolve
from reso.assistant.models import Message
from reso.assistant.query import analyse, expand_abbreviations
from reso.index.analysis import guess_language, tokens, words
from reso.index.lexicon import bundled, learn
from reso.index.ordinals import forms, normalise


@pytest.mark.parametrize(
    "question, numbers, pid",
    [
        ("OP 4 de la résolution 30/25", ["30/25"], "OP4"),
        ("paragraph 3 of 54/10", ["54/10"], "OP3"),
        ("paragraph 3(a) of resolution 54/10", ["54/10"], "OP3(a)"),
        ("the second preambular paragraph of 2699 (2023)", ["2699"], "PP2"),
        ("Que dit l'alinéa 2 du préambule ?", [], "PP2"),
        ("Le quatrième paragraphe du dispositif", [], "OP4"),
        ("What does S/RES/2699 (2023) say in its last paragraph?", ["2699"], "OP-1"),
        ("résolution 2699", ["2699"], None),
        ("À quels fonds les États sont-ils invités à accroître leurs contributions ?", [], None),
        # a bare number no year can be, beside another resolution or a second one (held-out 14 and 17)
        ("In April 2018 the Council adopted 2411 and then, ten days later, 2412 on UNISFA.", ["2411", "2412"], None),
        ("Resolution 2819 (2026) rolled the Libya sanctions over again. Compared with 2769, what changed?", ["2819", "2769"], None),
        ("And in 2713?", [], None),  # alone: left to the conversation
        # the limit: an amount past 2100 beside a resolution is read as a resolution too
        ("Did the Council authorize 2500 troops and resolution 2250 (2015)?", ["2250", "2500"], None),
        ("The 2030 Agenda, by 2050, and resolution 2250", ["2250"], None),  # years
        ("What does resolution 2250 say about 2,500 people and 2400 % more?", ["2250"], None),
    ],
)
def test_paragraph_and_resolution_references(question, numbers, pid):
    a = analyse(question)
    assert a.numbers == numbers
    assert (a.paragraph.pid if a.paragraph else None) == pid


def test_language_guess_and_folding():
    assert guess_language("Que demande le Conseil ?") == "fr"
    assert guess_language("What does the Council ask?") == "en"
    assert words("l’État, Haut-Commissaire, 30/25") == ["etat", "haut", "commissaire", "30/25"]
    assert tokens("Les États encouragent", "fr") == tokens("les etats encouragent", "fr") == ["etat", "encouragent"]
    assert tokens("requests", "en") == tokens("requested", "en")


def test_ordinals_in_words_and_digits_are_one_token():
    written = forms()  # rows of the language tables, 1–99 in each language
    assert written["soixante et unieme"] == 61 and written["quatre vingtieme"] == 80 and written["premier"] == 1
    assert written["fifty fifth"] == 55 and sorted(set(written.values())) == list(range(1, 100))
    assert normalise("at its fifty-fifth session") == normalise("at its 55th session") == "at its ord55 session"
    assert normalise("a sa cinquante-cinquieme session") == "a sa ord55 session"
    assert "ord61" in tokens("à sa soixante et unième session", "fr") and "ord61" in tokens("61st session", "en")


def test_bundled_lexicon_translates_the_council_s_verbs():
    lex = bundled()
    assert "pri" in lex.translate(["request"], "en", "fr")  # requests → prie
    assert "prorog" in lex.translate(["extend"], "en", "fr")
    assert "fund" in lex.translate(["fond"], "fr", "en")


def test_lexicon_learns_from_aligned_pairs():
    pairs = [({"fund", "state"}, {"fond", "etat"})] * 3 + [({"state"}, {"etat"})] * 3
    lex = learn(pairs)
    assert lex.translate(["fund"], "en", "fr")["fond"] == 1.0
    assert max(lex.translate(["state"], "en", "fr"), key=lex.translate(["state"], "en", "fr").get) == "etat"


def test_answer_types():
    assert asked("Until when was the mandate extended?") == ["date"]
    assert asked("Pour combien de temps le mandat est-il prorogé ?") == ["duration"]
    assert "quantity" in asked("How many police advisers may BINUH have?")
    assert not has_quantity("Maintains the ceilings set out in paragraphs 4 and 5 of resolution 2609 (2021) of 17 September 2021")
    assert has_quantity("up to 70 police advisers")
    assert has_duration("pour une période d’un an") and not has_duration("Se félicite de l’intention du Secrétaire général")


def test_abbreviations_are_expanded_not_replaced():
    assert expand_abbreviations("What did the HRC decide?").startswith("What did the HRC (Human Rights Council")
    assert expand_abbreviations("the chair") == "the chair"
    # a symbol keeps its shape, or the resolution-number filter is lost
    assert expand_abbreviations("Source : A/HRC/RES/30/25") == "Source : A/HRC/RES/30/25"
    assert analyse("Que demande le Conseil ? Source : A/HRC/RES/30/25").numbers == ["30/25"]


def test_marker_filter_drops_what_was_not_retrieved_even_when_split_across_deltas():
    allowed = {("A/HRC/RES/30/25", "OP4"), ("S/RES/2699(2023)", "OP12")}
    text = "prie [A/HRC/RES/30/25, OP4] et [A/HRC/RES/30/25, OP9] voir [S/RES/2699 (2023), OP12(a)] [note] fin."
    f = MarkerFilter(allowed)
    shown = "".join(f.feed(text[i : i + 3]) for i in range(0, len(text), 3)) + f.flush()
    assert "[A/HRC/RES/30/25, OP9]" not in shown and "[A/HRC/RES/30/25, OP4]" in shown and "[note]" in shown
    assert f.removed == ["[A/HRC/RES/30/25, OP9]"]
    assert parse_markers(shown) == [("A/HRC/RES/30/25", "OP4"), ("S/RES/2699 (2023)", "OP12(a)")]


def test_follow_ups_are_made_standalone():
    history = [Message("user", "What does resolution 54/10 ask the Special Rapporteur?"), Message("assistant", "… [A/HRC/RES/54/10, OP3]")]
    nxt = resolve("and the next paragraph?", history)
    assert nxt.paragraph.pid == "OP4" and nxt.numbers == ["54/10"]
    other = resolve("and in 54/24?", history)
    assert "54/24" in other.search_question and "Special Rapporteur" in other.search_question
    assert "54/10" not in other.search_question
    topic = resolve("what about the funding?", history)
    assert topic.search_question == "what about the funding?" and topic.numbers == ["54/10"]
    assert "54/10" in topic.context
    fresh = resolve("Which resolution establishes a regional office for the Caribbean Community?", history)
    assert fresh.search_question.startswith("Which resolution") and fresh.numbers == [] and not fresh.context


def test_questions_asking_two_things_are_split():
    from reso.assistant.query import question_parts

    parts = question_parts(
        "RDC : jusqu'à quand l'embargo sur les armes est-il reconduit par la résolution 2688 (2023), "
        "et jusqu'à quand le Groupe d'experts est-il prolongé ?"
    )
    assert len(parts) == 2 and "embargo" in parts[0] and "groupe d'experts" in parts[1]
    assert question_parts("In resolution 55/14, what panel does the Council decide to hold, and where must the report go?")[1] == "where must the report go"
    assert question_parts("Which States and organizations are invited?") == []


def test_a_short_question_naming_a_new_subject_does_not_lean_on_the_conversation():
    """After a question on UNMISS, a complete question about another body is its own subject."""
    history = [
        Message("user", "Jusqu’à quand le mandat de la MINUSS est-il prorogé par la résolution 2677 (2023) ?"),
        Message("assistant", "… [S/RES/2677(2023), OP1]"),
    ]
    fresh = resolve("Que demande le Conseil au Haut-Commissaire d’organiser ?", history)
    assert fresh.numbers == [] and not fresh.context
    for leaning in ("Et combien de soldats ?", "Quand doit-il faire rapport au Conseil ?", "Qui dirige la mission ?"):
        f = resolve(leaning, history)  # an opener, a pronoun, or no new name: still about 2677
        assert f.numbers == ["2677"] and f.context, leaning
