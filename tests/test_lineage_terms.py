"""A topic read as a term: its words together, its wording in other languages learned from aligned paragraphs.

Real data: three UNMISS texts, 2677 (2023) and 2779 (2025) in English and French, 2625 (2022) in
English only (the lineage questions' files); the hashing embedder, the real lexical index.
"""

from __future__ import annotations

import pytest

from reso.assistant.lineage.terms import Terms, limit, sequence, span
from reso.index.analysis import tokens
from tests.test_lineage_questions import assistant  # noqa: F401 (a fixture: the module's index)


@pytest.fixture(scope="module")
def terms(assistant) -> Terms:
    """The lineage questions' index (their module-scoped `assistant` fixture), read as terms."""
    retriever = assistant.retriever
    return Terms(retriever.lexical, retriever.paragraph_tokens, retriever.tables)


def words(text: str, language: str) -> list[frozenset[str]]:
    return [frozenset([t]) for t in tokens(text, language)]


def test_a_terms_words_stand_together_within_one_word():
    chemical_weapons = words("chemical weapons", "en")
    assert span(tokens("the use of chemical weapons in Syria", "en"), chemical_weapons) == 2
    # S/RES/1373 (2001) OP4, the near topic a word-by-word reading of "armes chimiques" (arms or
    # weapons, chemical) took for the term
    apart = tokens("illegal arms-trafficking, and illegal movement of nuclear, chemical, biological and other "
                   "potentially deadly materials", "en")
    assert span(apart, [frozenset(["arm", "weapon"]), frozenset(["chemic"])]) > limit(2, "en")
    assert span(tokens("chemical, biological and nuclear weapons", "en"), chemical_weapons) > limit(2, "en")
    assert span(tokens("trafficking in persons", "en"), words("trafficking in persons", "en")) <= limit(2, "en")
    assert span(["a", "b"], [frozenset(["a"]), frozenset(["z"])]) > 1000  # a word missing: never together


def test_a_chinese_term_is_read_on_its_pairs():
    # the tokens of a Chinese row are characters and the pairs over them; the pairs carry the words
    seq = sequence(tokens("安理会关切仇恨言论的蔓延", "zh"), "zh")
    assert all(len(t) == 2 for t in seq)
    assert span(seq, [frozenset(["仇恨"]), frozenset(["言论"])]) <= limit(2, "zh")
    apart = sequence(tokens("仇恨犯罪和煽动性言论", "zh"), "zh")
    assert span(apart, [frozenset(["仇恨"]), frozenset(["言论"])]) > limit(2, "zh")


def test_the_versions_of_a_paragraph_are_its_other_languages(terms):
    chunks = terms.index.chunks
    row = next(i for i, c in enumerate(chunks) if c.document == "S/RES/2677 (2023)" and c.paragraph == "OP3" and c.language == "fr")
    en = terms.other(row, "en")
    assert (chunks[en].document, chunks[en].paragraph, chunks[en].language) == ("S/RES/2677 (2023)", "OP3", "en")
    only_english = next(i for i, c in enumerate(chunks) if c.document == "S/RES/2625 (2022)")
    assert terms.other(only_english, "fr") is None  # 2625 (2022) is indexed in English only
    both = terms.both("en", "fr")
    assert both[en] and not both[only_english]
    assert terms.both("en", "fr") is both  # kept for the state


def test_a_terms_wording_in_another_language_is_learned_from_aligned_paragraphs(terms):
    # "protection of civilians" stands in 12 French paragraphs of 2677 and 2779 as "protection des
    # civils", in both directions, learned from the paragraphs themselves (no lexicon)
    en = words("protection of civilians", "en")
    fr = words("protection des civils", "fr")
    assert terms.learned(terms.together(en, "en"), "en", "fr", 2) == ("protect", "civil")
    assert terms.learned(terms.together(fr, "fr"), "fr", "en", 2) == ("protect", "civilian")


def test_too_few_aligned_paragraphs_teach_nothing(terms):
    # "hate speech": 7 English paragraphs, 4 of them in texts indexed in French too
    hate_speech = terms.together(words("hate speech", "en"), "en")
    assert len(hate_speech) == 7
    assert terms.learned(hate_speech, "en", "fr", 2) is None


def test_a_term_is_found_in_every_language_and_a_loose_pair_is_no_term(terms):
    got = terms.rows(words("protection of civilians", "en"), "en", lambda other: [])
    assert got is not None
    langs = {terms.index.chunks[i].language for i in got.rows}
    assert langs == {"en", "fr"}
    assert got.wording["fr"] == (frozenset(["protect"]), frozenset(["civil"]))
    for i in got.rows:
        c = terms.index.chunks[i]
        assert span(terms.seq(i), got.wording[c.language]) <= limit(2, c.language)
    # "local" and "communities" share six English paragraphs and stand together in three: read word by word
    assert terms.rows(words("local communities", "en"), "en", lambda other: []) is None
    # a word no paragraph holds: nothing to tell a term by
    assert terms.rows(words("unicorn parliament", "en"), "en", lambda other: []) is None


def test_a_russian_name_is_found_as_transliterated_and_arabic_is_not_guessed():
    """cognates.py: "малярию" (no Russian paragraph holds it) is the index's "malaria", not the town
    "Moliro" with the same consonants; "героин" is "heroin", not "herein"; a common English word is
    no transliteration; an Arabic spelling must come close letter by letter ("اليورانيوم" is "uranium";
"الهيروين" is no nearer "heroin" than "herein", so it is none)."""
    from reso.assistant.lineage.cognates import Cognates

    cognates = Cognates({"malaria": 12, "moliro": 2, "heroin": 8, "herein": 40, "malar": 900, "uranium": 30})
    assert cognates.of("маляр", "ru") == {"malaria"}
    assert cognates.of("малярию", "ru") == {"malaria"}
    assert cognates.of("героин", "ru") == {"heroin"}
    assert cognates.of("мир", "ru") == set()  # two consonants: too short to tell
    assert cognates.of("الهيروين", "ar") == set()  # "hiruin": as near "herein" as "heroin"
    assert cognates.of("اليورانيوم", "ar") == {"uranium"}


def test_a_transliteration_is_compared_with_the_latin_word_as_it_sounds():
    """"ксенофобские" is spelt as "xenophobic" sounds ("ksenofob…"): x, ph and c read as the
    transliteration writes them; a word of the same consonants that sounds otherwise is not it."""
    from reso.assistant.lineage.cognates import Cognates

    cognates = Cognates({"xenophob": 9, "xenophobia": 7, "kinship": 3, "cyber": 40, "sabre": 2})
    assert cognates.of("ксенофобск", "ru") == {"xenophob"}  # the nearer of the two stems
    assert cognates.of("кибер", "ru") == {"cyber"}
