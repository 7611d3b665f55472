"""The filter widgets as the assistant's `Filters`, with sentences a user can act on."""

from __future__ import annotations

from collections.abc import Sequence

from reso.assistant.models import VOTE_KINDS, Filters
from reso.prompts import phrase
from reso.schema import is_iso_date

BODIES = ("HRC", "GA", "SC")


class FilterError(ValueError):
    """A filter value the user must correct; the message is ready to show."""


def parse_date(value: str | None, ui_lang: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not is_iso_date(value):  # the API's check too: one rule for what a date is
        raise FilterError(phrase("ui_date_invalid", ui_lang, value=value))
    return value


def parse_filters(
    documents: Sequence[str] | str | None,
    bodies: Sequence[str] | None,
    languages: Sequence[str] | None,
    date_from: str | None,
    date_to: str | None,
    ui_lang: str = "en",
    votes: Sequence[str] | None = None,
    sponsors: Sequence[str] | str | None = None,
) -> Filters:
    """The UI's filter widgets as the assistant's `Filters`; raises FilterError with a friendly message."""
    if isinstance(documents, str):
        documents = [documents]
    if isinstance(sponsors, str):
        sponsors = [sponsors]
    unknown = [v for v in votes or () if v and v not in VOTE_KINDS]
    if unknown:  # the checkboxes offer only the kinds; anything else did not come from them
        raise FilterError(phrase("ui_error_filter", ui_lang, reason=", ".join(unknown)))
    start, end = parse_date(date_from, ui_lang), parse_date(date_to, ui_lang)
    if start and end and start > end:
        raise FilterError(phrase("ui_date_order", ui_lang, date_from=start, date_to=end))
    return Filters(
        documents=tuple(d for d in documents or () if d),
        bodies=tuple(b for b in bodies or () if b),
        languages=tuple(lang for lang in languages or () if lang),
        date_from=start,
        date_to=end,
        votes=tuple(dict.fromkeys(v for v in votes or () if v)),
        sponsors=tuple(dict.fromkeys(s.strip() for s in sponsors or () if s and s.strip())),
    )


def body_choices(ui_lang: str) -> list[tuple[str, str]]:
    return [(f"{phrase(f'ui_body_{b}', ui_lang)} ({b})", b) for b in BODIES]


def vote_choices(ui_lang: str) -> list[tuple[str, str]]:
    """The kinds of adoption, labelled in the interface language; the value is the API's kind."""
    return [(phrase(f"ui_filter_vote_{kind}", ui_lang), kind) for kind in VOTE_KINDS]
