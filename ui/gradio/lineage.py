"""Resolutions in time, in the web UI: a cited document's timeline, cites and cited-by beside the
sources, and the side-by-side comparison of two resolutions (issue 17, CONTRACTS §7).

Everything here reads `services.assistant.lineage` (the `Lineage` protocol) and its types only.
Nothing is built while an answer streams: the reference graph (one pass over every paragraph,
seconds on a large index) is built the first time the lineage panel is asked for, so an ordinary
answer costs what it cost before. The panel and the comparison are pure functions of `Related`
and `Comparison`, rendered with the same clickable citations as the sources panel
(`citation_button`), every text escaped (resolutions are untrusted), in the interface language.
"""

from __future__ import annotations

import logging
import threading
import urllib.parse
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from reso.assistant.lineage.types import AlignedPair, Comparison, Lineage, Mention, Related, SeriesEntry
from reso.errors import log_error, user_message
from reso.index.model import normalise_symbol
from reso.prompts import phrase
from reso.ui.gradio.highlight import escape
from reso.ui.gradio.record import Turn, last_answered
from reso.ui.gradio.render import RTL_LANGUAGES, _lang_name, _shorten, citation_button
from reso.ui.services import Services

log = logging.getLogger(__name__)

CHANGES = ("added", "removed", "changed", "moved", "same")  # the summary's order
MARKS = {"added": "+", "removed": "−", "changed": "~", "moved": "↕", "same": "="}  # beside the label, never alone
MAX_MENTIONS = 40  # per list: a much-recalled resolution (1325 (2000)) is cited by hundreds of paragraphs
COMPARE_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
KEPT_COMPARISONS = 8  # the latest comparisons, so "changes only" and a language switch only re-render
YES = frozenset({"1", "true", "yes", "on"})


# --- the comparison's link -------------------------------------------------------------------


@dataclass(frozen=True)
class CompareLink:
    """A comparison named by the page's address: `?compare=A&with=B[&language=en][&changes=1]`.

    Named like the paragraph's deep link (`?document=…&paragraph=…&language=…`): `language` is the
    resolutions' language version, not the interface's (that is `ui`)."""

    a: str
    b: str
    language: str = ""  # "" = automatic; only one of COMPARE_LANGUAGES is kept
    changes_only: bool = False


def parse_compare_link(params: Mapping[str, str]) -> CompareLink | None:
    """The comparison the address names, or None when it names no comparison (neither symbol).
    One symbol alone is kept: the view then asks for the other."""
    a = (params.get("compare") or "").strip()
    b = (params.get("with") or "").strip()
    if not a and not b:
        return None
    language = (params.get("language") or "").strip().lower()
    changes = (params.get("changes") or "").strip().lower() in YES
    return CompareLink(a, b, language if language in COMPARE_LANGUAGES else "", changes)


def compare_link_query(a: str, b: str, language: str = "", changes_only: bool = False) -> str:
    """The query string `parse_compare_link` reads back: symbols percent-encoded, spaces as %20,
    parentheses kept (legal in a query) so the address reads "S%2FRES%2F2618%20(2022)"."""
    params = {"compare": a, "with": b}
    if language:
        params["language"] = language
    if changes_only:
        params["changes"] = "1"
    return urllib.parse.urlencode(params, quote_via=lambda v, *_: urllib.parse.quote(v, safe="()"))


# --- the lineage panel -----------------------------------------------------------------------


def _panel(inner: str, document: str = "") -> str:
    attrs = f' data-document="{escape(document)}"' if document else ""
    return f'<div class="reso-panel reso-lineage"{attrs}>{inner}</div>'


def _hint(text: str, css: str = "reso-hint") -> str:
    return f'<p class="{css}">{escape(text)}</p>'


def compare_button(a: str, b: str, ui_lang: str) -> str:
    """A button that opens the comparison of `a` (older) with `b` (reso.js: `open_comparison`)."""
    return (
        f'<button type="button" class="reso-compare-open" data-reso-compare="1" data-a="{escape(a)}"'
        f' data-b="{escape(b)}">{escape(phrase("ui_lineage_compare_previous", ui_lang))}</button>'
    )


def _series(entries: Sequence[SeriesEntry], document: str, ui_lang: str) -> str:
    if len(entries) < 2:
        return _hint(phrase("ui_lineage_series_none", ui_lang))
    current = normalise_symbol(document)
    items = []
    for i, e in enumerate(entries):
        is_current = normalise_symbol(e.document) == current
        aria = ' aria-current="true"' if is_current else ""
        css = "reso-series-entry reso-series-current" if is_current else "reso-series-entry"
        tag = f' <span class="reso-tag">{escape(phrase("ui_lineage_current", ui_lang))}</span>' if is_current else ""
        button = compare_button(entries[i - 1].document, e.document, ui_lang) if i > 0 else ""
        items.append(
            f'<li class="{css}" data-document="{escape(e.document)}"{aria}>'
            f'<span class="reso-date">{escape(e.date)}</span> <span class="reso-symbol">{escape(e.document)}</span>{tag}'
            f'<br><span class="reso-title">{escape(_shorten(e.title, 140))}</span> {button}</li>'
        )
    return f'<ol class="reso-timeline">{"".join(items)}</ol>'


def _one_per_paragraph(mentions: Sequence[Mention], ui_lang: str, key: str) -> list[Mention]:
    """One mention per (citing document, paragraph, `key`), in the interface language's version
    when the paragraph has one: the graph lists every language version's mention."""
    chosen: dict[tuple[str, str, str], Mention] = {}
    for m in mentions:
        k = (m.source, m.paragraph, getattr(m, key))
        if k not in chosen or (m.language == ui_lang and chosen[k].language != ui_lang):
            chosen[k] = m
    return list(chosen.values())


def _more(n: int, ui_lang: str) -> str:
    return f'<li class="reso-hint">{escape(phrase("ui_lineage_more", ui_lang, n=str(n)))}</li>' if n > 0 else ""


def _cited_by(mentions: Sequence[Mention], ui_lang: str) -> str:
    unique = _one_per_paragraph(mentions, ui_lang, "target")
    if not unique:
        return _hint(phrase("ui_lineage_cited_by_none", ui_lang))
    items = "".join(
        f'<li class="reso-mention" data-document="{escape(m.source)}" data-paragraph="{escape(m.paragraph)}">'
        f'{citation_button(m.source, m.paragraph, m.language, "reso-citation", phrase("ui_open", ui_lang))}'
        f"{_mention_words(m)}</li>"
        for m in unique[:MAX_MENTIONS]
    )
    return f'<ul class="reso-mentions reso-cited-by">{items}{_more(len(unique) - MAX_MENTIONS, ui_lang)}</ul>'


def _mention_words(m: Mention) -> str:
    return f' <q class="reso-mention-text" lang="{escape(m.language)}">{escape(m.text)}</q>' if m.text else ""


def _cites(mentions: Sequence[Mention], ui_lang: str) -> str:
    unique = _one_per_paragraph(mentions, ui_lang, "target")
    if not unique:
        return _hint(phrase("ui_lineage_cites_none", ui_lang))
    items = []
    for m in unique[:MAX_MENTIONS]:
        if m.indexed:  # opens its own panel (reso.js: `open_lineage`)
            target = (
                f'<button type="button" class="reso-symbol reso-lineage-open" data-reso-lineage="1"'
                f' data-document="{escape(m.target)}" title="{escape(phrase("ui_lineage_open", ui_lang))}">'
                f"{escape(m.target)}</button>"
            )
        else:
            target = f'<span class="reso-symbol">{escape(m.target)}</span>'
            target += f' <span class="reso-tag">{escape(phrase("ui_lineage_not_indexed", ui_lang))}</span>'
        items.append(
            f'<li class="reso-mention" data-target="{escape(m.target)}" data-indexed="{str(m.indexed).lower()}">'
            f'{citation_button(m.source, m.paragraph, m.language, "reso-citation", phrase("ui_open", ui_lang))}'
            f" → {target}{_mention_words(m)}</li>"
        )
    return f'<ul class="reso-mentions reso-cites">{"".join(items)}{_more(len(unique) - MAX_MENTIONS, ui_lang)}</ul>'


def render_related(related: Related | None, ui_lang: str, document: str = "", error: str = "", indexed: bool = True) -> str:
    """The panel of one document: its series as a timeline (it marked), what cites it, what it cites.

    `indexed=False`: a resolution the index does not hold but its texts cite: a note saying so and
    the paragraphs citing it (its series and its own citations are not known).
    Without `related`: the `error` that stopped the look-up, else "`document` is not indexed" when a
    document was named, else the hint."""
    if related is None:
        if error:
            return _panel(_hint(f"⚠️ {error}", "reso-notice reso-error"))
        if document:
            return _panel(_hint(phrase("ui_lineage_missing", ui_lang, document=document), "reso-notice"))
        return _panel(_hint(phrase("ui_lineage_empty", ui_lang)))
    title = f'<h3 class="reso-view-title reso-symbol">{escape(related.document)}</h3>'
    if not indexed:
        note = _hint(phrase("ui_lineage_not_in_index", ui_lang, document=related.document), "reso-notice reso-not-in-index")
        cited = f'<section class="reso-lineage-cited-by"><h4>{escape(phrase("ui_lineage_cited_by", ui_lang))}</h4>{_cited_by(related.cited_by, ui_lang)}</section>'
        return _panel(title + note + cited, related.document)
    sections = (
        ("ui_lineage_series", "reso-lineage-series", _series(related.series, related.document, ui_lang)),
        ("ui_lineage_cited_by", "reso-lineage-cited-by", _cited_by(related.cited_by, ui_lang)),
        ("ui_lineage_cites", "reso-lineage-cites", _cites(related.cites, ui_lang)),
    )
    body = "".join(f'<section class="{css}"><h4>{escape(phrase(key, ui_lang))}</h4>{inner}</section>' for key, css, inner in sections)
    return _panel(title + body, related.document)


def render_building(ui_lang: str) -> str:
    """What the panel shows while the reference graph is built (seconds, the first time only)."""
    return _panel(f'<p class="reso-hint reso-building" role="status">{escape(phrase("ui_lineage_building", ui_lang))}</p>')


def predecessor(related: Related | None) -> str | None:
    """The document before `related.document` in its series (the comparison's default A)."""
    if related is None:
        return None
    symbols = [normalise_symbol(e.document) for e in related.series]
    try:
        i = symbols.index(normalise_symbol(related.document))
    except ValueError:
        return None
    return related.series[i - 1].document if i > 0 else None


# --- the comparison --------------------------------------------------------------------------


def _in_text(text: str, runs: list[tuple[str, str]]) -> list[tuple[str, str, str]] | None:
    """Each run as (spacing before it, op, its words as printed in `text`), or None when the runs'
    words are not `text`'s in order. The diff's runs are words joined by single spaces ("Secretary
    - General", "( S / 2022 / 534 )"); the printed spacing reads as the resolution does."""
    out, pos = [], 0
    for op, run in runs:
        start, end = None, pos
        for word in run.split():
            i = text.find(word, end)
            if i < 0 or text[end:i].strip():
                return None
            start, end = (i if start is None else start), i + len(word)
        if start is None:
            continue
        out.append((text[pos:start], op, text[start:end]))
        pos = end
    return out if not text[pos:].strip() else None


def _side(pair: AlignedPair, keep: str, mark: str, text: str) -> str:
    """One side of a pair: the runs of `pair.diff` that side has (equal and `keep`), the ones only
    it has inside `<del>` (A's side) or `<ins>` (B's)."""
    runs = [(op, t) for op, t in pair.diff if op in ("equal", keep)]
    if not runs:
        return escape(text)
    printed = _in_text(text, runs) if text else None
    if printed is None:
        printed = [(" " if i else "", op, t) for i, (op, t) in enumerate(runs)]
    return "".join(
        escape(space) + (escape(words) if op == "equal" else f"<{mark}>{escape(words)}</{mark}>") for space, op, words in printed
    )


def _cell(pid: str | None, inner: str, language: str, css: str) -> str:
    if pid is None:
        return f'<td class="{css} reso-compare-none"></td>'
    direction = "rtl" if language in RTL_LANGUAGES else "auto"
    return (
        f'<td class="{css}" lang="{escape(language)}" dir="{direction}">'
        f'<span class="reso-pid">{escape(pid)}</span> <span class="reso-compare-text">{inner}</span></td>'
    )


def _row(pair: AlignedPair, language: str, ui_lang: str) -> str:
    if pair.change == "same":
        left, right = escape(pair.a_text), escape(pair.b_text or pair.a_text)
    else:
        left, right = _side(pair, "delete", "del", pair.a_text), _side(pair, "insert", "ins", pair.b_text)
    label = phrase(f"ui_change_{pair.change}", ui_lang)
    return (
        f'<tr class="reso-change reso-change-{pair.change}" data-change="{pair.change}">'
        f'<th scope="row" class="reso-change-label"><span aria-hidden="true">{MARKS[pair.change]}</span> {escape(label)}</th>'
        f'{_cell(pair.a, left, language, "reso-compare-a")}{_cell(pair.b, right, language, "reso-compare-b")}</tr>'
    )


def summary_counts(comparison: Comparison) -> dict[str, int]:
    return {change: len(comparison.of(change)) for change in CHANGES}  # type: ignore[arg-type]


def _link_line(comparison: Comparison, changes_only: bool, ui_lang: str) -> str:
    """The address of this very view (reso.js copies it whole), under the summary line."""
    href = "?" + compare_link_query(comparison.a, comparison.b, comparison.language, changes_only)
    return (
        f'<p class="reso-compare-permalink"><a class="reso-compare-link" href="{escape(href)}">'
        f'{escape(phrase("ui_compare_link", ui_lang))}</a> '
        f'<button type="button" class="reso-copy-link" data-reso-copy="1" data-href="{escape(href)}"'
        f' data-copied="{escape(phrase("ui_compare_copied", ui_lang))}">{escape(phrase("ui_compare_copy", ui_lang))}</button></p>'
    )


def render_comparison(comparison: Comparison | None, ui_lang: str, changes_only: bool = False, notice: str = "") -> str:
    """A's paragraphs beside B's: one row per aligned pair, its change labelled in words (and
    coloured), word-level changes as `<del>` (A) / `<ins>` (B); a summary line first."""
    if comparison is None:
        text = notice or phrase("ui_compare_empty", ui_lang)
        css = "reso-notice" if notice else "reso-hint"
        return f'<div class="reso-panel reso-compare">{_hint(text, css)}</div>'
    counts = {k: str(v) for k, v in summary_counts(comparison).items()}
    lang_name = _lang_name(comparison.language, ui_lang)
    summary = phrase("ui_compare_summary", ui_lang, a=comparison.a, b=comparison.b, language=lang_name, **counts)
    pairs = [p for p in comparison.pairs if not changes_only or p.change != "same"]
    rows = "".join(_row(p, comparison.language, ui_lang) for p in pairs)
    if not pairs:
        rows = f'<tr><td colspan="3">{_hint(phrase("ui_compare_no_changes", ui_lang))}</td></tr>'
    direction = "rtl" if comparison.language in RTL_LANGUAGES else "ltr"
    head = (
        f'<thead><tr><th scope="col">{escape(phrase("ui_compare_change", ui_lang))}</th>'
        f'<th scope="col" class="reso-symbol">{escape(comparison.a)}</th>'
        f'<th scope="col" class="reso-symbol">{escape(comparison.b)}</th></tr></thead>'
    )
    return (
        f'<div class="reso-panel reso-compare" data-a="{escape(comparison.a)}" data-b="{escape(comparison.b)}"'
        f' data-language="{escape(comparison.language)}">'
        f'<p class="reso-compare-summary" role="status">{escape(summary)}</p>'
        f"{_link_line(comparison, changes_only, ui_lang)}"
        f'<table class="reso-compare-table" dir="{direction}">{head}<tbody>{rows}</tbody></table></div>'
    )


# --- handlers --------------------------------------------------------------------------------


def cited_documents(turns: Sequence[Turn] | None) -> list[str]:
    """The documents the latest answer cites, in citation order (its related ones when it declined)."""
    turn = last_answered(turns or [])
    if turn is None:
        return []
    seen: dict[str, str] = {}
    for s in (*turn.sources, *turn.related):
        seen.setdefault(normalise_symbol(s.document), s.document)
    return list(seen.values())


@dataclass
class LineageHandlers:
    """The lineage panel's and the comparison's event handlers; plain methods so tests call them."""

    services: Services
    # (lineage, A, B, language) → Comparison: aligning two long renewals takes seconds on the large
    # index (S/RES/2677 (2023) with 2779 (2025): ~8 s), rendering it milliseconds
    _kept: OrderedDict[tuple[int, str, str, str], tuple[Lineage, Comparison | None]] = field(
        default_factory=OrderedDict, init=False, repr=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def lineage(self) -> Lineage:
        return self.services.assistant.lineage

    def comparison(self, lineage: Lineage, a: str, b: str, language: str | None) -> Comparison | None:
        """`lineage.compare(a, b, language)`, kept for the same index state (a refreshed index
        brings a new lineage object, so its comparisons are made afresh)."""
        key = (id(lineage), a, b, language or "")
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and kept[0] is lineage:
                self._kept.move_to_end(key)
                return kept[1]
        result = lineage.compare(a, b, language or None)
        with self._lock:
            self._kept[key] = (lineage, result)
            while len(self._kept) > KEPT_COMPARISONS:
                self._kept.popitem(last=False)
        return result

    def document_choices(self, turns: Sequence[Turn] | None, current: str | None) -> dict[str, Any]:
        """The panel's document picker after an answer: the cited documents, the first chosen."""
        docs = cited_documents(turns)
        value = current if current in docs else (docs[0] if docs else None)
        return gr.update(choices=docs, value=value)

    def related(self, document: str | None, ui_lang: str) -> tuple[str, str | None, str | None]:
        """(panel, default A, default B): the panel of `document`, and its predecessor and itself as
        the comparison's defaults (None: leave the boxes as they are).

        A resolution the index does not hold but its texts cite gets the paragraphs citing it, noted
        "not in the index" (`lineage.related` answers for it, `lineage.resolve` does not): there is
        nothing of it to compare, so no defaults."""
        document = (document or "").strip()
        if not document:
            return render_related(None, ui_lang), None, None
        try:
            lineage = self.lineage
            symbol = lineage.resolve(document)
            related = lineage.related(symbol or document)
        except Exception as exc:  # the index failed: say so, keep the page
            log_error(log, exc, "while reading a document's lineage")
            return render_related(None, ui_lang, error=user_message(exc, ui_lang)), None, None
        if related is None:
            return render_related(None, ui_lang, document=document), None, None
        if symbol is None:
            return render_related(related, ui_lang, indexed=False), None, None
        return render_related(related, ui_lang), predecessor(related), related.document

    def show(self, document: str | None, ui_lang: str) -> Iterator[tuple[Any, Any, Any]]:
        """Streams the placeholder, then the panel (and the comparison's defaults when it has any)."""
        if (document or "").strip():
            yield render_building(ui_lang), gr.update(), gr.update()
        panel, a, b = self.related(document, ui_lang)
        yield panel, (a if a else gr.update()), (b if b and a else gr.update())

    def on_opened(self, opened: Any, is_open: bool, ui_lang: str) -> Iterator[tuple[Any, ...]]:
        """A citation was opened: its document becomes the panel's; the panel is rebuilt only when
        it is open (a closed panel costs nothing)."""
        document = getattr(opened, "document", "") if opened is not None else ""
        if not document:
            yield gr.update(), gr.update(), gr.update(), gr.update()
            return
        if not is_open:
            yield gr.update(value=document), gr.update(), gr.update(), gr.update()
            return
        for panel, a, b in self.show(document, ui_lang):
            yield gr.update(value=document), panel, a, b

    def compare(self, a: str | None, b: str | None, language: str | None, changes_only: bool, ui_lang: str) -> str:
        a, b = (a or "").strip(), (b or "").strip()
        if not a or not b:
            return render_comparison(None, ui_lang, notice=phrase("ui_compare_need_two", ui_lang) if (a or b) else "")
        try:
            lineage = self.lineage
            resolved = [lineage.resolve(a), lineage.resolve(b)]
            missing = [typed for typed, symbol in zip((a, b), resolved) if symbol is None]
            if missing:  # each one the index lacks, named as typed
                notice = " ".join(phrase("ui_lineage_missing", ui_lang, document=typed) for typed in missing)
                return render_comparison(None, ui_lang, notice=notice)
            comparison = self.comparison(lineage, resolved[0], resolved[1], language)
        except Exception as exc:
            log_error(log, exc, "while comparing two resolutions")
            return render_comparison(None, ui_lang, notice=f"⚠️ {user_message(exc, ui_lang)}")
        if comparison is None:
            return render_comparison(None, ui_lang, notice=phrase("ui_compare_no_language", ui_lang, a=resolved[0], b=resolved[1]))
        return render_comparison(comparison, ui_lang, changes_only)

    def from_link(self, params: Mapping[str, str], ui_lang: str) -> tuple[Any, ...]:
        """The page was opened at a comparison's address (`?compare=A&with=B…`): (A box, B box,
        language, changes only, the comparison view, the accordion opened); else nothing changes."""
        link = parse_compare_link(params)
        if link is None:
            return (gr.update(),) * 6
        view = self.compare(link.a, link.b, link.language, link.changes_only, ui_lang)
        return link.a, link.b, link.language, link.changes_only, view, gr.update(open=True)

    def on_lineage_event(self, ui_lang: str, evt: gr.EventData) -> Iterator[tuple[Any, ...]]:
        """A "cites" target was clicked in the panel: that document becomes the panel's."""
        data = getattr(evt, "_data", None) or {}
        document = str(data.get("document", "")) if isinstance(data, dict) else ""
        if not document.strip():
            yield gr.update(), gr.update(), gr.update(), gr.update()
            return
        for panel, a, b in self.show(document, ui_lang):
            yield gr.update(value=document), panel, a, b

    def on_compare_event(self, language: str | None, changes_only: bool, ui_lang: str, evt: gr.EventData) -> tuple[str, str, str]:
        """A timeline's "compare with the previous one": fills both boxes and compares."""
        data = getattr(evt, "_data", None) or {}
        a = str(data.get("a", "")) if isinstance(data, dict) else ""
        b = str(data.get("b", "")) if isinstance(data, dict) else ""
        return a, b, self.compare(a, b, language, changes_only, ui_lang)


def language_choices(ui_lang: str) -> list[tuple[str, str]]:
    """The comparison's languages: automatic (English, else the first both have), then the six."""
    auto = [(phrase("ui_compare_language_auto", ui_lang), "")]
    return auto + [(f"{_lang_name(c, ui_lang)} ({c})", c) for c in COMPARE_LANGUAGES]
