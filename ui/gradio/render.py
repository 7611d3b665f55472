"""The HTML of the page's panels: the chat, the sources, the paragraph in its document, the whole
resolution. Pure functions of the conversation record and the library's objects.

Citations are clickable everywhere: each carries `data-reso-open` plus its document, paragraph
and language, and `ui/static/reso.js` turns a click into the hidden component's `open_citation`
event. In answers they are also real links to the deep link `?document=…&paragraph=…&language=…`,
so a new tab, or a page where the script did not run, still reaches the paragraph.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reso.assistant.adoption import vote_counts, vote_kind
from reso.assistant.citations import MARKER
from reso.index.chunks import Chunk
from reso.index.library import ParagraphView
from reso.index.model import normalise_pid, normalise_symbol
from reso.prompts import phrase
from reso.ui.gradio.highlight import Terms, escape, render_text
from reso.ui.gradio.record import Source, Turn, deep_link_query

RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur"})
SPONSORS_SHOWN = 3  # sponsors named beside a source before "and N others" (a GA text can have 90)


def _open_attrs(document: str, paragraph: str, language: str) -> str:
    return (
        f'data-reso-open="1" data-document="{escape(document)}" data-paragraph="{escape(paragraph)}"'
        f' data-language="{escape(language)}"'
    )


def marker_text(document: str, paragraph: str) -> str:
    """The marker as shown, with entity brackets so Markdown never reads it as link syntax."""
    return f"&#91;{escape(document)}, {escape(paragraph)}&#93;"


def citation_link(document: str, paragraph: str, language: str = "") -> str:
    href = escape("?" + deep_link_query(document, paragraph, language))
    return f'<a class="reso-citation" href="{href}" {_open_attrs(document, paragraph, language)}>{marker_text(document, paragraph)}</a>'


def citation_button(document: str, paragraph: str, language: str, css_class: str = "reso-citation", label: str = "") -> str:
    title = f' title="{escape(label)}"' if label else ""
    return (
        f'<button type="button" class="{css_class}" {_open_attrs(document, paragraph, language)}{title}>'
        f"{marker_text(document, paragraph)}</button>"
    )


def render_answer(text: str, languages: Mapping[tuple[str, str], str] | None = None) -> str:
    """Answer text for the chat: escaped, each `[SYMBOL, PID]` marker turned into a citation link."""
    languages = languages or {}
    out, pos = [], 0
    for m in MARKER.finditer(text or ""):
        doc, pid = m.group(1).strip(), m.group(2).strip()
        out.append(escape(text[pos : m.start()]))
        out.append(citation_link(doc, pid, languages.get((normalise_symbol(doc), normalise_pid(pid)), "")))
        pos = m.end()
    out.append(escape((text or "")[pos:]))
    return "".join(out)


def _languages_of(turn: Turn) -> dict[tuple[str, str], str]:
    return {(normalise_symbol(s.document), normalise_pid(s.paragraph)): s.language for s in (*turn.sources, *turn.related)}


# --- the chat --------------------------------------------------------------------------------


def assistant_message(turn: Turn, ui_lang: str) -> str:
    if turn.error:
        return f'<span class="reso-error">⚠️ {escape(turn.error)}</span>'
    if turn.pending and not turn.answer:
        return f'<span class="reso-hint">{escape(phrase("ui_working", ui_lang))}</span>'
    text = render_answer(turn.answer, _languages_of(turn))
    if turn.refused and turn.related:
        text += f'\n\n<span class="reso-hint">{escape(phrase("ui_related_hint", ui_lang))}</span>'
    return text


def chat_messages(turns: Sequence[Turn], ui_lang: str) -> list[dict[str, str]]:
    """Chatbot value in Gradio 6's messages format."""
    out: list[dict[str, str]] = []
    for t in turns:
        out.append({"role": "user", "content": escape(t.question)})
        out.append({"role": "assistant", "content": assistant_message(t, ui_lang)})
    return out


# --- the sources panel -----------------------------------------------------------------------


def _lang_name(code: str, ui_lang: str) -> str:
    try:
        return phrase(f"lang_{code}", ui_lang)
    except KeyError:
        return code


def _meta_line(title: str, body: str, when: str, language: str, ui_lang: str) -> str:
    parts = [f'<span class="reso-title">{escape(title)}</span>'] if title else []
    if body:
        try:
            parts.append(f'<span class="reso-body">{escape(phrase(f"ui_body_{body}", ui_lang))}</span>')
        except KeyError:
            parts.append(f'<span class="reso-body">{escape(body)}</span>')
    if when:
        parts.append(f'<span class="reso-date">{escape(phrase("ui_adopted", ui_lang, date=when))}</span>')
    if language:
        parts.append(f'<span class="reso-language">{escape(_lang_name(language, ui_lang))}</span>')
    return " · ".join(parts)


def vote_label(vote: str, ui_lang: str) -> str:
    """A record's vote as the panel says it: "adopted unanimously", "recorded vote 13–0–2" (in favour,
    against, abstaining), "adopted without a vote"; "" when the index does not know."""
    kind = vote_kind(vote)
    if kind == "recorded":
        counts = vote_counts(vote)
        if counts is None:
            return phrase("ui_vote_recorded_plain", ui_lang)
        return phrase("ui_vote_recorded", ui_lang, counts=_ltr("–".join(map(str, counts))))
    return phrase(f"ui_vote_{kind}", ui_lang) if kind else ""


def sponsors_label(sponsors: Sequence[str], ui_lang: str, shown: int = SPONSORS_SHOWN) -> str:
    """"Sponsors: A, B, C and 43 others" (all of them when one more would be the only one left out)."""
    if not sponsors:
        return ""
    separator = phrase("doc_list_separator", ui_lang)
    if len(sponsors) <= shown + 1:
        names = separator.join(sponsors)
    else:
        names = phrase("ui_sponsors_more", ui_lang, sponsors=separator.join(sponsors[:shown]), n=str(len(sponsors) - shown))
    return phrase("ui_sponsors", ui_lang, sponsors=names)


def _adoption_line(source: Source, ui_lang: str) -> str:
    """How the cited document was adopted and who sponsored it (the whole list on hover); "" when unknown."""
    parts = []
    vote = vote_label(source.vote, ui_lang)
    if vote:
        parts.append(f'<span class="reso-vote">{escape(vote)}</span>')
    if source.sponsors:
        full = escape(phrase("doc_list_separator", ui_lang).join(source.sponsors))
        parts.append(f'<span class="reso-sponsors" title="{full}">{escape(sponsors_label(source.sponsors, ui_lang))}</span>')
    return f'<p class="reso-adoption">{" · ".join(parts)}</p>' if parts else ""


def _text_attrs(language: str) -> str:
    direction = "rtl" if language in RTL_LANGUAGES else "auto"
    return f'lang="{escape(language)}" dir="{direction}"'


def render_source(source: Source, terms: Terms, ui_lang: str, related: bool = False) -> str:
    css = "reso-related-item" if related else "reso-source"
    button = citation_button(
        source.document,
        source.paragraph,
        source.language,
        "reso-related-open" if related else "reso-citation",
        phrase("ui_open", ui_lang),
    )
    tag = f'<span class="reso-tag">{escape(phrase("ui_related_tag", ui_lang))}</span>' if related else ""
    return (
        f'<li class="{css}" data-document="{escape(source.document)}" data-paragraph="{escape(source.paragraph)}">'
        f'<div class="reso-source-head">{button}{tag}</div>'
        f'<p class="reso-meta"><span class="reso-symbol">{escape(source.document)}</span>'
        f' · <span class="reso-pid">{escape(source.paragraph)}</span> · {_meta_line(source.title, source.body, source.date, source.language, ui_lang)}</p>'
        f"{_adoption_line(source, ui_lang)}"
        f'<blockquote class="reso-text" {_text_attrs(source.language)}>{render_text(source.text, terms)}</blockquote>'
        "</li>"
    )


def render_sources(turn: Turn | None, ui_lang: str) -> str:
    """The right-hand panel for the latest answer: its sources, or its possibly related paragraphs."""
    if turn is None:
        return _panel(f'<p class="reso-hint">{escape(phrase("ui_sources_empty", ui_lang))}</p>')
    if turn.pending:
        return _panel(f'<p class="reso-hint">{escape(phrase("ui_working", ui_lang))}</p>')
    if turn.error:
        return _panel(f'<p class="reso-hint">{escape(phrase("ui_sources_empty", ui_lang))}</p>')
    terms = turn.terms
    if turn.refused:
        body = f'<p class="reso-notice">{escape(phrase("ui_refused_note", ui_lang))}</p>'
        if turn.related:
            items = "".join(render_source(s, terms, ui_lang, related=True) for s in turn.related)
            body += (
                f'<section class="reso-related"><h4>{escape(phrase("refusal_related", ui_lang))}</h4>'
                f'<ol class="reso-related-list">{items}</ol></section>'
            )
        return _panel(body, "reso-refused")
    if not turn.sources:
        return _panel(f'<p class="reso-hint">{escape(phrase("ui_sources_none", ui_lang))}</p>')
    items = "".join(render_source(s, terms, ui_lang) for s in turn.sources)
    return _panel(f'<ol class="reso-source-list">{items}</ol>')


def _panel(inner: str, extra_class: str = "") -> str:
    classes = " ".join(c for c in ("reso-panel", "reso-sources", extra_class) if c)
    return f'<div class="{classes}">{inner}</div>'


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def picker_choices(turn: Turn | None, ui_lang: str) -> list[tuple[str, str]]:
    """Choices of the script-free citation picker: label shown, deep-link query as the value."""
    if turn is None or not turn.answered:
        return []
    out = [(f"{_ltr(f'[{s.document}, {s.paragraph}]')} {_shorten(s.title, 60)}".strip(), s.query) for s in turn.sources]
    tag = phrase("ui_related_tag", ui_lang)
    out += [(f"{_ltr(f'[{s.document}, {s.paragraph}]')} ({tag})", s.query) for s in turn.related]
    return out


def _ltr(text: str) -> str:
    """`text` as a left-to-right isolate (LRI … PDI): plain-text labels cannot carry CSS, and in an
    Arabic page "[A/HRC/RES/30/25, OP4]" would otherwise have its brackets and comma reordered."""
    return f"\u2066{text}\u2069"


# --- the paragraph in its document -----------------------------------------------------------


def _paragraph_block(chunk: Chunk, css: str, terms: Terms = Terms(), current: bool = False) -> str:
    """One paragraph with its id; any paragraph but the current one opens itself when its id is clicked."""
    pid = escape(chunk.paragraph)
    if current:
        label, aria = f'<span class="reso-pid">{pid}</span>', ' aria-current="true"'
    else:
        attrs = _open_attrs(chunk.document, chunk.paragraph, chunk.language)
        label, aria = f'<button type="button" class="reso-neighbour-open" {attrs}><span class="reso-pid">{pid}</span></button>', ""
    classes = f"reso-paragraph {css}".strip()
    return (
        f'<div{aria} class="{classes}" data-paragraph="{pid}" {_text_attrs(chunk.language)}>'
        f"{label}{render_text(chunk.text, terms)}</div>"
    )


def render_paragraph_view(
    view: ParagraphView | None, ui_lang: str, terms: Terms = Terms(), missing: tuple[str, str] | None = None,
    error: str = "",
) -> str:
    """The cited paragraph between its neighbours, then every language version side by side.

    Without a view: the `error` that stopped the look-up, else the `missing` paragraph, else the hint.
    """
    if view is None:
        if error:
            return _view(f'<p class="reso-notice reso-error">⚠️ {escape(error)}</p>')
        if missing:
            text = phrase("ui_paragraph_missing", ui_lang, document=missing[0], paragraph=missing[1])
            return _view(f'<p class="reso-notice">{escape(text)}</p>')
        return _view(f'<p class="reso-hint">{escape(phrase("ui_paragraph_empty", ui_lang))}</p>')
    c, rec = view.chunk, view.record
    head = (
        f'<h3 class="reso-view-title">{escape(c.document)} · {escape(c.paragraph)}</h3>'
        f'<p class="reso-meta">{_meta_line(rec.title if rec else c.title, c.body, c.date, c.language, ui_lang)}</p>'
    )
    context = "".join(_paragraph_block(n, "reso-neighbour", terms) for n in view.before)
    context += _paragraph_block(c, "reso-focus", terms, current=True)
    context += "".join(_paragraph_block(n, "reso-neighbour", terms) for n in view.after)
    order = [c.language, *sorted(lang for lang in view.versions if lang != c.language)]
    versions = "".join(
        f'<section class="reso-version" data-language="{escape(lang)}"><h5>{escape(_lang_name(lang, ui_lang))} ({escape(lang)})</h5>'
        f'<p {_text_attrs(lang)}>{render_text(view.versions[lang].text, terms)}</p></section>'
        for lang in order
        if lang in view.versions
    )
    return _view(
        head
        + f'<div class="reso-context">{context}</div>'
        + f'<h4>{escape(phrase("ui_versions", ui_lang))}</h4><div class="reso-versions">{versions}</div>',
        c.document,
        c.paragraph,
    )


def _view(inner: str, document: str = "", paragraph: str = "") -> str:
    attrs = f' data-document="{escape(document)}" data-paragraph="{escape(paragraph)}"' if document else ""
    return f'<div class="reso-panel reso-view"{attrs}>{inner}</div>'


def render_document(chunks: Sequence[Chunk], current: str, ui_lang: str, terms: Terms = Terms()) -> str:
    """Every paragraph of one language version, the opened one marked, each one clickable."""
    if not chunks:
        return _view(f'<p class="reso-hint">{escape(phrase("ui_whole_empty", ui_lang))}</p>')
    want = normalise_pid(current).split("(", 1)[0]
    blocks = (
        _paragraph_block(ch, "reso-current", terms, current=True)
        if normalise_pid(ch.paragraph) == want
        else _paragraph_block(ch, "")
        for ch in chunks
    )
    return f'<div class="reso-panel reso-document">{"".join(blocks)}</div>'
