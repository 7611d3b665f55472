"""A topic that is a term ("chemical weapons", "niños soldados", "仇恨言论"), found as a term in every language.

"When did the Council first mention chemical weapons?" is asked of a term: the words together. Read
word by word, the oldest paragraph holding "chemical" and "weapons" a few words apart is S/RES/1373
(2001) OP4 ("illegal arms-trafficking, and illegal movement of nuclear, chemical, biological …
materials"), not the first text on chemical weapons. And asked in another language, the term's
wording elsewhere is not the word-by-word translation: "niños soldados" is "child soldiers", not
"children soldiers"; "外国恐怖主义作战人员" is "foreign terrorist fighters".

So, when the topic's words stand together in most of the question language's paragraphs holding
them all (`TERM_SHARE`: "armes chimiques", unlike "a ceasefire in Darfur", whose two words are
mostly apart), the topic is taken as a term:

- in the question's language, the paragraphs holding its words together (one other word between
  them at most);
- in each other language, its wording there is learned from the index's own aligned paragraphs
  (the same paragraph of the same document in two languages): of the word runs of the other
  versions of the paragraphs holding the term, the one whose paragraphs coincide best with them
  (Dice over the paragraphs indexed in both languages), and its paragraphs holding it together;
  with too few aligned paragraphs to learn from, the lexicon's word-by-word translations, held
  together.

Nothing is fitted: the wording is read from the index at question time, so a new language version
teaches it. `None` (the caller reads the topic word by word) when the topic is no term or the
question's language holds too few paragraphs to tell.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from reso.assistant.retrieval import RetrievalTables
from reso.index.chunks import Chunk
from reso.index.lexicon import LANGUAGES

TERM_SHARE = 0.6  # of the paragraphs holding all the topic's words, the share holding them together: a term
TERM_MIN_ROWS = 3  # fewer paragraphs in the question's language than this: too few to tell a term
TERM_MAX_WORDS = 4  # a longer topic ("disarmament, demobilization and reintegration of ex-combatants") is read word by word
TERM_SLACK = 1  # words allowed between the term's own words
LEARN_MIN_ALIGNED = 5  # aligned paragraphs needed to learn the term's wording in another language
LEARN_SHARE = 0.5  # a word run must be in this share of the aligned paragraphs to be a candidate wording
LEARN_MIN_DICE = 0.5  # … and coincide at least this well with the term's paragraphs
LEARN_CLOSE = 0.9  # runs coinciding this share as well as the best are as good: the term's word count decides
LEARN_MAX_RUN = 4  # words of a learned wording (6 for Chinese, whose pairs overlap)
LEARN_MAX_CHECKED = 5000  # paragraphs read to count a wording's occurrences (beyond: counted on this many, scaled)
_HAN_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


@dataclass(frozen=True)
class TermRows:
    """The rows holding the term, and the tokens standing for it in each language (for quoting)."""

    rows: list[int]
    wording: dict[str, tuple[frozenset[str], ...]]  # language → one token set a word of the term


def sequence(tokens: Sequence[str], language: str) -> list[str]:
    """A row's tokens in reading order, one a word: a Chinese row's single characters dropped (its
    pairs overlap, "仇恨|恨言|言论", and carry the words)."""
    if language == "zh":
        return [t for t in tokens if not (len(t) == 1 and _HAN_CHAR.match(t))]
    return list(tokens)


def limit(words: int, language: str) -> int:
    """The widest span of tokens a term of `words` words takes when its words stand together."""
    if language == "zh":  # pairs overlap: "小武|武器" (two words) spans 3 pair positions, "外国…人员" (5) spans 9
        return 2 * words + TERM_SLACK
    return words + TERM_SLACK


def span(seq: Sequence[str], alt_sets: Sequence[frozenset[str]]) -> int:
    """The narrowest window of `seq` holding a token of every set (a big number when one is missing)."""
    events = sorted((p, k) for k, alts in enumerate(alt_sets) for p, t in enumerate(seq) if t in alts)
    need = len(alt_sets)
    count: Counter[int] = Counter()
    have, j, best = 0, 0, 1 << 30
    for p, k in events:
        if count[k] == 0:
            have += 1
        count[k] += 1
        while have == need:
            best = min(best, p - events[j][0] + 1)
            q, kk = events[j]
            count[kk] -= 1
            if count[kk] == 0:
                have -= 1
            j += 1
    return best


class Terms:
    """A topic's rows as a term, over one state of the index: its lexical index (postings, rows'
    tokens) and the retrieval tables' columns of the same rows (each row's language and language
    versions). One a state: it keeps which rows have a version in which other language."""

    def __init__(self, index, tokens_of: Callable[[Chunk], list[str]], tables: RetrievalTables):
        self.index = index
        self.tokens_of = tokens_of
        self.tables = tables
        self.languages = tables.languages
        self._both: dict[tuple[str, str], np.ndarray] = {}

    def other(self, row: int, language: str) -> int | None:
        """The row of the same paragraph of the same document in `language`, if indexed."""
        t = self.tables
        return t.versions.get((t.doc_keys[row], t.pids[row]), {}).get(language)

    def both(self, target: str, source: str) -> np.ndarray:
        """Rows of `target` whose paragraph is indexed in `source` too (kept for the state)."""
        key = (target, source)
        if key not in self._both:
            mask = np.zeros(len(self.index.chunks), dtype=bool)
            mask[[rows[target] for rows in self.tables.versions.values() if target in rows and source in rows]] = True
            self._both[key] = mask
        return self._both[key]

    def seq(self, row: int) -> list[str]:
        c = self.index.chunks[row]
        return sequence(self.tokens_of(c), c.language)

    def _holding_all(self, alt_sets: Sequence[frozenset[str]], language: str) -> np.ndarray:
        mask = self.languages == language
        for alts in alt_sets:
            mask &= self.index.holding(alts)
        return np.flatnonzero(mask)

    def together(self, alt_sets: Sequence[frozenset[str]], language: str) -> list[int]:
        """Rows of `language` holding a token of every set within the term's span."""
        width = limit(len(alt_sets), language)
        return [int(i) for i in self._holding_all(alt_sets, language) if span(self.seq(i), alt_sets) <= width]

    def rows(self, own: Sequence[frozenset[str]], language: str,
             lexicon: Callable[[str], Sequence[frozenset[str]]]) -> TermRows | None:
        """The topic's rows in every language when it is a term (see the module), else None.

        `own`: the topic's words as tokens of the question's `language`; `lexicon(other)`: the same
        words through the lexicon's translations into `other` (a set a word), the fallback wording."""
        if not own or len(own) > TERM_MAX_WORDS * (2 if language == "zh" else 1):  # a Chinese word: one or two pairs
            return None
        loose = self._holding_all(own, language)
        if len(loose) < TERM_MIN_ROWS:
            return None
        width = limit(len(own), language)
        tight = [int(i) for i in loose if span(self.seq(i), own) <= width]
        if len(tight) < TERM_SHARE * len(loose):
            return None
        rows = set(tight)
        wording: dict[str, tuple[frozenset[str], ...]] = {language: tuple(own)}
        for other in LANGUAGES:
            if other == language:
                continue
            learned = self.learned(tight, language, other, len(own))
            literal = tuple(lexicon(other))
            if not literal or not all(literal) or any(a & b for i, a in enumerate(literal) for b in literal[i + 1 :]):
                literal = ()  # two words the lexicon translates alike ("ensayos nucleares" → "nuclear", "nuclear"): one token would hold both
            if literal:
                # the word-by-word translation held together counts too: "pesca ilegal" is learned as
                # "unregulated fishing" (of "illegal, unreported and unregulated fishing"), and
                # "illegal fishing" (S/RES/1950 (2010)) is the term as well
                rows.update(self.together(literal, other))
            if learned and literal and language != "zh" and len(learned) < len(own):
                # a learned wording shorter than the term, beside a literal one of its length:
                # "гуманитарные коридоры" learned as "corridor" would take the "safe corridors" of
                # 2000; "humanitarian corridors" is the term
                learned = None
            alt_sets = tuple(frozenset([t]) for t in learned) if learned else literal
            if not alt_sets:
                continue
            rows.update(self.together(alt_sets, other))
            wording[other] = alt_sets
        return TermRows(sorted(rows), wording)

    def learned(self, term_rows: Sequence[int], source: str, target: str, words: int,
                min_aligned: int = LEARN_MIN_ALIGNED) -> tuple[str, ...] | None:
        """The term's wording in `target`, read from the aligned versions of its `source` rows: the
        run of words whose paragraphs coincide best with the term's (Dice over the paragraphs indexed
        in both languages); of runs nearly as good, the one with as many words as the term's `words`.
        None with too few aligned paragraphs or no run coinciding well enough."""
        aligned = [r for r in (self.other(i, target) for i in term_rows) if r is not None]
        if len(aligned) < min_aligned:
            return None
        longest = LEARN_MAX_RUN + (2 if target == "zh" else 0)
        in_aligned: Counter[tuple[str, ...]] = Counter()
        seqs = {r: self.seq(r) for r in aligned}
        for seq in seqs.values():
            in_aligned.update({tuple(seq[p : p + n]) for n in range(1, longest + 1) for p in range(len(seq) - n + 1)})
        both = self.both(target, source)
        candidates = sorted((g for g, k in in_aligned.items() if k >= LEARN_SHARE * len(aligned)), key=lambda g: -in_aligned[g])
        scored: list[tuple[float, tuple[str, ...]]] = []
        for gram in candidates:
            best = max((d for d, _ in scored), default=0.0)
            if 2 * in_aligned[gram] / (len(aligned) + in_aligned[gram]) < LEARN_CLOSE * best:
                continue  # even if its aligned paragraphs were all it had, it would not come close
            mask = both.copy()
            for t in gram:
                mask &= self.index.holding([t])
            rows = np.flatnonzero(mask)
            if len(gram) == 1:
                count = float(len(rows))
            else:
                checked = rows[:LEARN_MAX_CHECKED]
                hits = sum(1 for r in checked if _contains(seqs.get(int(r)) or self.seq(int(r)), gram))
                count = hits * len(rows) / max(len(checked), 1)
            dice = 2 * in_aligned[gram] / (len(aligned) + count)
            if dice >= LEARN_MIN_DICE:
                scored.append((dice, gram))
        if not scored:
            return None
        top = max(d for d, _ in scored)
        # of the wordings nearly as good, the one with as many words as the term: "engins explosifs" is
        # "explosive devices" (0.74), not the "explos-" of every explosive (0.79, "explosive ordnance" too)
        close = [(abs(len(g) - words), -d, g) for d, g in scored if d >= LEARN_CLOSE * top]
        return min(close)[2]


def _contains(seq: Sequence[str], gram: tuple[str, ...]) -> bool:
    n = len(gram)
    first = gram[0]
    return any(seq[p] == first and tuple(seq[p : p + n]) == gram for p in range(len(seq) - n + 1))
