"""The question of a turn is analysed once, and language data comes from one table a language.

The fold count goes through the real assistant (seed index, hash embedder): every stage reads the
`Question` built at the start of the turn, so `fold` sees the question's text exactly once per
turn, whatever the stages (retrieval with a context, sub-questions, refusal, the extractive
generator) do with it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reso.assistant.core import Assistant, Done
from reso.assistant.generators.extractive import ExtractiveGenerator
from reso.assistant.models import Filters, Message
from reso.assistant.question import Question
from reso.assistant.refusal import RefusalPolicy
from reso.assistant.retrieval import HybridRetriever
from reso.index import analysis
from reso.index.embedders import HashEmbedder
from reso.index.languages import DATA, Language, languages, read
from reso.index.library import Library
from reso.index.store import ChromaStore

SEED = "A/HRC/RES/30/25"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, seed_path) -> Assistant:
    library = Library(ChromaStore.open(tmp_path_factory.mktemp("seed-index")), HashEmbedder())
    library.ingest([seed_path])
    return Assistant(HybridRetriever(library), ExtractiveGenerator(), RefusalPolicy())


@pytest.fixture
def folds(monkeypatch):
    """Every text `fold` is called with, wherever it is called from."""
    seen: list[str] = []
    real = analysis.fold

    def counting(text: str) -> str:
        seen.append(text)
        return real(text)

    monkeypatch.setattr(analysis, "fold", counting)
    # the modules that imported the function itself
    import reso.assistant.answer_types as answer_types
    import reso.assistant.conversation as conversation
    import reso.assistant.query as query
    import reso.assistant.question as question
    import reso.assistant.refusal as refusal
    import reso.assistant.retrieval as retrieval

    for module in (answer_types, conversation, query, question, refusal, retrieval):
        if hasattr(module, "fold"):
            monkeypatch.setattr(module, "fold", counting)
    return seen


def _of_question(seen: list[str], question: str) -> list[str]:
    """The calls that folded the question's text (whole, or with anything around it)."""
    return [t for t in seen if question.strip() in t]


@pytest.mark.parametrize(
    "question",
    [
        "Que demande le Conseil au Haut-Commissaire d'organiser ?",  # answered: refusal, generator
        "What did the HRC ask the OHCHR to organise, and when must the report be submitted?",  # abbreviations, two parts
        "Quelle est la capitale de l'Australie ?",  # declined
        "Que dit le paragraphe 3 de la résolution 30/25 ?",  # exact look-up
    ],
)
def test_the_question_is_folded_once_per_turn(assistant, folds, question):
    answer = assistant.answer(question)
    assert answer.answer
    assert len(_of_question(folds, question)) == 1, _of_question(folds, question)
    folds.clear()
    events = list(assistant.stream(question + " "))  # the stream: the same single analysis
    assert isinstance(events[-1], Done)
    assert len(_of_question(folds, question)) == 1


def test_a_follow_up_folds_the_new_question_once(assistant, folds):
    first = "Que demande le Conseil au Haut-Commissaire d'organiser ?"
    a = assistant.answer(first)
    folds.clear()
    history = [Message("user", first), Message("assistant", a.answer)]
    follow = "et pour les fonds de contributions volontaires ?"
    b = assistant.answer(follow, history)
    assert not b.refused
    assert len(_of_question(folds, follow)) == 1


def test_the_question_object_holds_what_the_stages_read():
    q = Question.ask("What did the HRC decide in OP 4 of resolution 30/25, and until when?", filters=Filters(languages=("fr",)))
    assert q.language == "en" and q.numbers == ("30/25",) and q.paragraph.pid == "OP4"
    assert "human" in q.words and "conseil" in q.words  # the abbreviation's expansion is searched too
    assert q.answer_types == ("date",)
    assert q.filters.languages == ("fr",)
    assert "decid" in q.stems and "council" in q.content_words
    assert len(q.parts) == 2 and all(p.context is q for p in q.parts)
    # the folded text is the expanded question's, built from one fold of the question
    assert q.folded == analysis.fold(q.search_text)


def test_a_ligature_question_with_an_abbreviation_is_expanded_right():
    q = Question.ask("Quel est le vœu du CDH ?")  # œ → oe: the folded text is longer than the question
    assert q.folded == analysis.fold(q.search_text)
    assert "voeu" in q.words and "conseil" in q.words


def test_a_follow_up_question_reads_the_conversation():
    history = [Message("user", "What does resolution 54/10 ask the Special Rapporteur?"), Message("assistant", f"… [{SEED}, OP3]")]
    nxt = Question.ask("and the next paragraph?", history)
    assert nxt.paragraph.pid == "OP4" and nxt.numbers == ("30/25",)
    other = Question.ask("and in 54/24?", history)
    assert "54/24" in other.search_text and "special" in other.words and other.numbers == ("54/24",)
    topic = Question.ask("what about the funding?", history)
    assert topic.numbers == ("54/10",) and topic.context is not None and "rapporteur" in topic.context.words


def test_one_content_word_rule():
    q = Question.ask("Does the Council ask States to set up an office, a plan (b) or 5 reports?")
    assert "the" not in q.content_words and "b" not in q.content_words  # stop word; one letter
    assert "5" in q.content_words and "office" in q.content_words  # a number counts whatever its length
    words, stems = q.highlight_terms()
    assert "office" in words and "offic" in stems


def test_language_tables_are_files_and_read_once():
    assert {p.stem for p in DATA.glob("*.toml")} >= {"en", "fr"}
    assert languages() is languages()  # cached: nothing re-reads or rebuilds per question
    assert languages().understood == ("ar", "en", "es", "fr", "ru", "zh")  # the six official languages
    assert languages()("fr").stemmer == "french" and "HCDH" in languages()("fr").abbreviations
    assert analysis.stopwords_of(("en", "fr")) is analysis.stopwords_of(("en", "fr"))


def test_a_language_without_a_table_degrades_to_its_own_words():
    xx = languages()("xx")
    assert isinstance(xx, Language) and xx.stemmer == "" and not xx.stopwords_text
    assert analysis.tokens("Los Estados miembros", "xx") == ["los", "estados", "miembros"]
    q = Question.ask("¿Qué pide el Consejo?", language="xx")
    assert q.language == "xx" and q.languages == ("xx",) and "consejo" in q.stems


def test_adding_a_language_is_adding_a_file(tmp_path: Path):
    (tmp_path / "en.toml").write_bytes((DATA / "en.toml").read_bytes())
    (tmp_path / "es.toml").write_text(
        'name = "Español"\nstemmer = "spanish"\nstopwords = "el la los las de que"\n'
        '[abbreviations]\nCDH = "Consejo de Derechos Humanos"\n',
        encoding="utf-8",
    )
    (tmp_path / "notes.toml").write_text("x = 1\n", encoding="utf-8")  # not a language code: ignored
    tables = read(tmp_path)
    assert tables.codes == ("en", "es") and tables.understood == ("en", "es")
    assert tables("es").stemmer == "spanish" and tables.abbreviations["CDH"] == "Consejo de Derechos Humanos"


def test_the_refusal_policy_reads_paragraph_tokens_from_the_search_tables(assistant, monkeypatch):
    import reso.assistant.refusal as refusal
    import reso.index.lexical as lexical

    texts: list[str] = []
    real = analysis.tokens

    def spying(text: str, language: str) -> list[str]:
        texts.append(text)
        return real(text, language)

    for module in (analysis, lexical, refusal):
        monkeypatch.setattr(module, "tokens", spying)
    a = assistant.answer("Quels États sont encouragés à coopérer avec le Haut-Commissariat ?")
    assert a.retrieved
    paragraphs = {c.text for r in a.retrieved[:3] for c in r.versions.values()}
    assert not [t for t in texts if any(p in t for p in paragraphs)]  # no paragraph tokenised again
    row = assistant.retriever.row_of[a.retrieved[0].chunk.id]
    assert assistant.retriever.paragraph_tokens(a.retrieved[0].chunk) == assistant.retriever.tables.tokens.row(row, a.retrieved[0].chunk)


def test_no_stage_branches_on_english_or_french():
    root = Path(__file__).resolve().parent.parent
    sources = [root / "assistant" / f for f in ("query.py", "question.py", "refusal.py", "conversation.py", "retrieval.py",
                                               "answer_types.py", "generators/extractive.py")]
    sources += [root / "index" / f for f in ("analysis.py", "ordinals.py")]
    import re

    branch = re.compile(r"""(==|!=)\s*["'](en|fr)["']|["'](en|fr)["']\s+if\b|\bin\s*\(\s*["'](en|fr)["']""")
    found = [f"{p.name}: {m.group(0)}" for p in sources for m in branch.finditer(p.read_text(encoding="utf-8"))]
    assert found == []
