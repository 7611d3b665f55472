"""The default generator: the resolution's own words, with citations, no model.

It leads with what the resolution does — "The Human Rights Council requests the High
Commissioner to …" — by putting the body in front of the operative paragraph's verb, which is
how UN operative paragraphs are written. Long paragraphs are cut to the clauses that carry the
question's words, so the answer stays short while the citation carries the whole paragraph.
Deterministic and offline: the same question on the same index gives the same answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from reso.assistant.citations import marker
from reso.assistant.generators import GenerationInput
from reso.assistant.models import Retrieved
from reso.assistant.question import Question
from reso.index.analysis import search_languages, tokens
from reso.assistant.answer_types import gives
from reso.index.languages import languages
from reso.prompts import phrase

MAX_WORDS = 70  # longer paragraphs are cut to their best clauses


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:1].isupper() and not text[1:2].isupper() else text


def _segments(text: str) -> list[str]:
    """Clauses at the separators UN paragraphs use: semicolons, colons, sub-paragraph breaks."""
    parts = re.split(r"(?<=[;:])\s+|\n", text)
    return [p.strip() for p in parts if p.strip()]


LONG_CLAUSE = 30  # a clause longer than this is cut further, at its commas
MIN_PIECE = 8  # comma pieces shorter than this join the next one ("en s'appuyant sur les moyens existants,")


def _pieces(text: str) -> list[str]:
    """`_segments`, with each long clause cut at its commas into pieces of a readable length.

    A 120-word operative paragraph is often one clause: cutting it at a word count keeps its
    opening and loses its end, where the session, the date or the amount usually is.
    """
    out: list[str] = []
    for seg in _segments(text):
        if len(seg.split()) <= LONG_CLAUSE:
            out.append(seg)
            continue
        held = ""
        for piece in re.split(r"(?<=,)\s+", seg):
            held = f"{held} {piece}".strip()
            if len(held.split()) >= MIN_PIECE:
                out.append(held)
                held = ""
        if held:
            if out and len(held.split()) < MIN_PIECE:
                out[-1] = f"{out[-1]} {held}"
            else:
                out.append(held)
    return out


def condense(text: str, question: Question | str, language: str, max_words: int = MAX_WORDS) -> str:
    """The paragraph, or its lead clause plus the clauses that share most words with the question
    (and its context), stemmed for the paragraph's language and those it is searched with; a clause
    holding the kind of answer asked for ("at which session", "until when") counts double."""
    flat = " ".join(text.split())
    if len(flat.split()) <= max_words:
        return flat
    segs = _pieces(text)
    if len(segs) <= 1:
        words = flat.split()
        return " ".join(words[:max_words]) + " …"
    if isinstance(question, str):
        question = Question.of(question)
    q = set(question.terms(search_languages(language)))
    kinds = question.answer_types

    def score(i: int) -> int:
        found = len(q & set(tokens(segs[i], language)))
        return found + (2 if kinds and any(gives(k, segs[i]) for k in kinds) else 0)

    scores = {i: score(i) for i in range(1, len(segs))}
    keep = {0}
    budget = max_words - len(segs[0].split())
    for i in sorted(scores, key=lambda i: (-scores[i], i)):
        n = len(segs[i].split())
        if n <= budget and scores[i] > 0:
            keep.add(i)
            budget -= n
    out, last = [], -1
    for i in sorted(keep):
        if last != -1 and i != last + 1:
            out.append("…")
        out.append(segs[i])
        last = i
    if last != len(segs) - 1:
        out.append("…")
    return " ".join(out)


def sentence_for(source: Retrieved, inp: GenerationInput) -> str:
    """One source as a sentence of the answer's language: its frame words and the body's name come
    from the messages, its typography (quotes, colon, full stop, spaces between words, whether the
    body's name takes a small letter inside a sentence) from the language's table."""
    chunk = source.chunk
    lang = inp.language
    table = languages()(lang)  # the answer's typography: « … » and " :" in French
    text = condense(chunk.text, inp.asked or inp.standalone_question or inp.question, chunk.language)
    text = re.sub(r"[\s;,:،؛，；：、]+$", "", text)
    if not text.endswith(("…", ".", "»", "”", "。")):
        text += languages()(chunk.language).full_stop
    sep = table.separator
    note = ""
    if chunk.language != lang:
        note = sep + phrase("in_language", lang, language=phrase(f"lang_{chunk.language}", lang))
    cite = marker(chunk.document, chunk.paragraph)
    body = phrase(f"body_{chunk.body}", lang)
    if table.lower_body:
        body = _lower_first(body)
    quoted = f"{table.quotes[0]}{text}{table.quotes[1]}"
    lead = phrase("in_resolution", lang, document=chunk.document)
    if chunk.kind == "operative":
        if chunk.language == lang:  # the body, then the paragraph's own verb: "the Council requests …"
            return f"{lead}{sep}{body}{sep}{_lower_first(text)} {cite}"
        return f"{lead}{sep}{body}{note}{table.colon}{sep}{quoted} {cite}"
    if chunk.kind == "preambular":
        intro = phrase("preamble_intro", lang, document=chunk.document, body_lower=body)
        return f"{intro}{sep}{quoted}{note} {cite}"
    return f"{lead}{sep}{quoted}{note} {cite}"


class ExtractiveGenerator:
    name = "extractive"
    deterministic = True  # same sources, same words: the assistant may replay its answers

    def stream(self, inp: GenerationInput) -> Iterator[str]:
        for i, source in enumerate(inp.sources):
            sentence = sentence_for(source, inp)
            prefix = "" if i == 0 else "\n\n"
            for j, word in enumerate(sentence.split(" ")):
                yield (prefix if j == 0 else " ") + word
