"""Follow-up questions made standalone with the conversation so far.

"et le paragraphe suivant ?", "what about the funding?", "and in 54/10?" mean nothing alone.
The history the surfaces send is plain messages, so the context is read back from them: the
resolution numbers the user named, and the citation markers of the last answer. Elliptical
questions inherit the previous question's words; "the next paragraph" moves from the last cited
paragraph. The words are rows of each language's table (`[conversation]`).

The question itself arrives analysed (`assistant.question`): its folded text, words and
numbers are read, never recomputed. Earlier questions are analysed here, as the history is text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from reso.assistant.citations import parse_markers
from reso.assistant.models import Message
from reso.assistant.query import ParagraphRef, _paragraph_ref, analyse
from reso.index.analysis import fold, is_content, stem_variants, words_folded
from reso.index.languages import languages
from reso.index.lexical import symbol_numbers

SHORT = 5  # content words: a question this short leans on the conversation
CONTEXT_NEEDED = 3  # content words: a follow-up this short is searched with the earlier question too
# a resolution number said alone ("and in 2713?"): three to five digits, not a year of this era
_BARE_NUMBER = re.compile(r"(?<![\d/.,])\b(\d{3,5})\b(?![\d/.,]|\s*\(\d{4}\))")
_YEARS = range(1900, 2100)
# French complex inversion: "L'Assemblée générale encourage-t-elle…" — the pronoun repeats the
# subject just named; it points at nothing earlier in the conversation
_RESUMPTIVE = re.compile(r"(?:\b[Ll](?:e|a|es)\s+|\b[Ll]['’]\s*)[A-ZÀ-Þ][^?]*?\w-(?:t-)?(?:il|elle|ils|elles)\b")
# a sub-paragraph's letter or roman numeral as written after its name: "alinéa c)", "(b)", "(ii)"
_SUB = re.compile(r"(?:^|\s)\(?([a-z]|[ivx]{1,4})\)(?=\s|$|[?.,;!])")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_RESUMED = frozenset({"il", "elle", "ils", "elles"})
_THE_ONE_OF = re.compile(r"\b(celui|celle|ceux|celles|that|those|el|la|los|las)\s+(?:de|du|des|d'|of|del)\b")
_DEMONSTRATIVES = frozenset({"that", "ce"})  # determiners too common to be anaphora rows ("measures that…", "ce que")


@dataclass(frozen=True)
class _Patterns:
    next: re.Pattern[str]
    previous: re.Pattern[str]
    paragraph: re.Pattern[str]
    ellipsis: re.Pattern[str]
    weak_openers: re.Pattern[str]
    new_search: re.Pattern[str]
    anaphora: frozenset[str]
    possessives: frozenset[str]


@lru_cache(maxsize=1)
def patterns() -> _Patterns:
    def alt(key: str) -> str:
        return languages().alternation("conversation", key) or "(?!)"

    # Chinese writes no spaces: a Han word has no word boundary around it, so its edges count too
    start, end = rf"(?:\b|(?<=[{_HAN}])|(?=[{_HAN}]))", rf"(?:\b|(?<=[{_HAN}])|(?=[{_HAN}]))"
    return _Patterns(
        re.compile(rf"{start}(?:{alt('next')}){end}"),
        re.compile(rf"{start}(?:{alt('previous')}){end}"),
        re.compile(rf"{start}(?:{alt('paragraph')}){end}"),
        re.compile(rf"^(?:{alt('ellipsis_openers')})\b"),
        re.compile(rf"^(?:{alt('weak_openers')})\b"),
        re.compile(rf"{start}(?:{alt('new_search')}){end}"),
        frozenset(languages().words("conversation", "anaphora")),
        frozenset(languages().words("conversation", "possessives")),
    )


@dataclass
class FollowUp:
    """What a question means in its conversation (named so as not to be taken for the UI's `Turn`,
    one exchange of the conversation as shown)."""

    search_question: str
    numbers: list[str] = field(default_factory=list)  # resolution numbers carried from the conversation
    paragraph: ParagraphRef | None = None
    context: str = ""  # the earlier question an elliptical one leans on, searched at a lower weight
    prefix: str = ""  # text put before the question in `search_question` ("and in 54/10?": the previous question)
    # words the conversation already said (stems): a follow-up's evidence is in its other words
    inherited: frozenset[str] = frozenset()


def _content_count(ws: Sequence[str]) -> int:
    return sum(1 for w in ws if is_content(w))


def resolve(question: str, history: Sequence[Message]) -> FollowUp:
    """`resolve_analysed` for a question given as text (folds it: for callers outside a turn)."""
    own = analyse(question)
    return resolve_analysed(question, fold(question), own.numbers, history)


def resolve_analysed(question: str, folded: str, own_numbers: Sequence[str], history: Sequence[Message]) -> FollowUp:
    """The follow-up reading of a question already folded (`folded`) naming `own_numbers`.

    The conversation is used only when the question needs it: a paragraph reached from the last
    answer ("the next paragraph"), an opener that continues ("and…", "et…", "what about…"), a
    pronoun pointing back ("what does it ask…"), another resolution said alone ("and in 2713?"),
    or a question too short to stand alone. A complete question is answered on its own, so an old
    subject never leaks into a new one.
    """
    users = [m.content for m in history if m.role == "user" and m.content.strip()]
    answers = [m.content for m in history if m.role == "assistant"]
    if not users:
        return FollowUp(question)
    p = patterns()
    text = folded
    previous_question = users[-1]
    cited = parse_markers(answers[-1]) if answers else []

    step = 1 if p.next.search(text) else -1 if p.previous.search(text) else 0
    if step and cited and p.paragraph.search(text):
        doc, pid = cited[0]
        m = re.fullmatch(r"(PP|OP)(\d+)", pid.split("(")[0])
        if m and int(m.group(2)) + step > 0:
            ref = ParagraphRef(m.group(1), int(m.group(2)) + step)
            return FollowUp(question, symbol_numbers(doc), ref)

    sub = _SUB.search(text)
    if sub and cited and not own_numbers and p.paragraph.search(text) and _paragraph_ref(text) is None:
        # "Et que prévoit l'alinéa c) ?", "sub-paragraph (b) of that paragraph": a part of the one just cited
        doc, pid = cited[0]
        m = re.fullmatch(r"(PP|OP)(\d+)", pid.split("(")[0])
        if m:
            return FollowUp(question, symbol_numbers(doc), ParagraphRef(m.group(1), int(m.group(2)), (sub.group(1),)))

    own_words = words_folded(text)
    content = _content_count(own_words)
    inherited = _inherited(users, own_words)
    opener = p.ellipsis.search(text) is not None
    weak_opener = p.weak_openers.search(text) is not None
    pointing = p.anaphora.intersection(own_words)
    if pointing & _RESUMED and _RESUMPTIVE.search(question):
        pointing = pointing - _RESUMED
    if pointing and _THE_ONE_OF.search(text):  # "celui de la FNUOD", "that of UNDOF": another one, named
        pointing = pointing - {m.group(1) for m in _THE_ONE_OF.finditer(text)}
    possessive = bool(p.possessives.intersection(own_words))
    bare = [] if own_numbers else _bare_numbers(text) if (opener or weak_opener or content <= 2) else []
    named = list(own_numbers) or bare
    if named and (not _content_count(words_folded(_strip_numbers_folded(text))) or content <= 3):
        # "and in 54/10?", "and in 2713?": the previous question, asked of another resolution
        prefix = _strip_numbers(_standalone_previous(users))
        return FollowUp(f"{prefix} {question}", bare, prefix=prefix, inherited=inherited)

    if p.new_search.search(text) and not pointing:
        elliptical = False  # "which resolution condemns…?" looks for a document: the whole index is searched
    elif not own_numbers and not pointing and content <= SHORT and _new_acronyms(question, users, answers[-1:]):
        # "Et pour la MINUSCA ?" after a question on MINUSMA: the same question about another subject,
        # which may be in another resolution: the earlier question is the context, no resolution carried
        return FollowUp(question, [], context=previous_question, inherited=inherited)
    elif content <= 2 or opener or pointing:
        elliptical = True  # continues the last exchange, whatever its length
    elif content <= SHORT:
        # a short question leans on the conversation unless it names something the earlier
        # questions did not and points back at nothing ("Que demande le Conseil au Haut-Commissaire
        # d'organiser ?" after a question on UNMISS is a new subject, not "and what about the funds?")
        elliptical = weak_opener or possessive or not _new_names(question, " ".join(users))
    else:
        elliptical = False
    if not elliptical:
        return FollowUp(question)
    carried = [] if own_numbers else _carried_numbers(users, cited)
    # the new words say what is asked, the previous question what it is about: retrieval weighs
    # the context lower, so "et pour les fonds ?" looks for funds within the same subject. A question
    # saying enough of its own needs only the resolution: the earlier question's words would pull its
    # old answer back up ("which study, at the fifty-ninth session?" after one on the fifty-eighth's debate)
    context = previous_question if content <= CONTEXT_NEEDED or not carried else ""
    return FollowUp(question, carried, context=context, inherited=inherited)


_ACRONYM = re.compile(r"(?<![/\w])([A-ZÀ-ÞА-Я]{3,}s?)(?![/\w])")  # MINUSCA, UNMISS, FINUL (not S/RES/…)


def _new_acronyms(question: str, users: Sequence[str], answers: Sequence[str]) -> set[str]:
    """Acronyms of the question (a mission, a body) the conversation has not named: a new subject.
    The table's abbreviations (HRC, OHCHR, CDH…) name the usual actors, not a subject."""
    known = set(languages().abbreviations)
    before = {a for t in [*users, *answers] for a in _ACRONYM.findall(t)}
    return {a for a in _ACRONYM.findall(question) if a not in before and a not in known}


def _bare_numbers(folded: str) -> list[str]:
    """Resolution numbers said alone in a follow-up ("et dans la 2713 ?"), years left out."""
    return [n for n in _BARE_NUMBER.findall(folded) if int(n) not in _YEARS]


def _carried_numbers(users: Sequence[str], cited: Sequence[tuple[str, str]]) -> list[str]:
    """The resolution the conversation is about: the one the last question named, else the one the
    last answer cited (the last question may itself have been a follow-up), else an earlier one named."""
    last = analyse(users[-1]).numbers
    if last:
        return list(last)
    if cited:
        return symbol_numbers(cited[0][0])
    for earlier in reversed(users[:-1]):
        numbers = analyse(earlier).numbers
        if numbers:
            return list(numbers)
    return []


def _standalone_previous(users: Sequence[str]) -> str:
    """The last question that says what it asks: "and in 2713?" after "and in 2710?" repeats the
    question both lean on, not the bare "and in 2710?"."""
    for q in reversed(users):
        folded = fold(q)
        if _content_count(words_folded(_strip_numbers_folded(folded))) > 2:
            return q
    return users[-1]


def _inherited(users: Sequence[str], own_words: Sequence[str]) -> frozenset[str]:
    """Stems of the words that name what the conversation is about: the user's earlier questions,
    and a word the question points back with ("that package", "ce poste"). The last answer's words
    are not among them: a follow-up may ask for what its paragraph says ("by when is that report due?")."""
    out: set[str] = set()
    for text in users:
        for w in words_folded(fold(text)):
            if is_content(w) and not w.isdigit():
                out.update(stem_variants(w))
    pointers = patterns().anaphora | _DEMONSTRATIVES
    for before, w in zip(own_words, own_words[1:]):
        if before in pointers and is_content(w):
            out.update(stem_variants(w))
    return frozenset(out)


_NAME = re.compile(r"(?<!^)(?<![.?!¿¡]\s)\b([A-ZÀ-ÞА-Я][\w’'-]{2,})")


def _new_names(question: str, previous: str) -> set[str]:
    """Capitalised words (not opening the sentence) of `question` that `previous` does not have."""
    before = set(fold(previous).split()) | {fold(w) for w in _NAME.findall(previous)}
    return {fold(w) for w in _NAME.findall(question.strip())} - before


def _strip_numbers(question: str) -> str:
    """The question without the resolutions it names, however written: a symbol or session number
    ("A/HRC/RES/54/10", "54/10"), a number with its year ("2682 (2023)"), or a number the analysis
    reads as a resolution ("under resolution 2682?"), so that "and on UNMHA under resolution 2691?"
    asks the previous question of 2691 alone, not of both."""
    out = re.sub(r"(?:\b[A-Z]/(?:HRC/)?RES/)?\d{1,3}/\d{1,4}|\b\d{3,5}\s*\(\d{4}\)", " ", question)
    for number in analyse(out).numbers:
        out = re.sub(rf"(?<![\d/.,]){re.escape(number)}(?![\d/.,])(?:\s*\(\d{{4}}\))?", " ", out)
    return out


def _strip_numbers_folded(folded: str) -> str:
    return re.sub(r"\d+/\d+|\d{3,5}", " ", folded)
