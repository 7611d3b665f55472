"""`GET /api/compare` (CONTRACTS §7): two documents' paragraphs aligned by content, with word changes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from reso.assistant.lineage.compare import CannotCompare, comparable
from reso.schema import CompareOut, LanguageCode, Symbol
from reso.ui.http.routing import errors
from reso.ui.services import Services


def routes(router: APIRouter, services: Services) -> None:
    @router.get("/compare", response_model=CompareOut, responses=errors(404, 422, 500, 503),
                summary="Compare two documents")
    def compare(
        a: Annotated[Symbol, Query(description="The earlier document, e.g. S/RES/2677 (2023)", examples=["S/RES/2677 (2023)"])],
        b: Annotated[Symbol, Query(description="The later document, e.g. S/RES/2779 (2025)", examples=["S/RES/2779 (2025)"])],
        language: Annotated[LanguageCode | None, Query(description="Language version to compare; default: "
                                                        "English, else the first both have")] = None,
    ) -> CompareOut:
        """A's paragraphs aligned with B's: `same`, `changed` (with word runs), `moved`, `added`,
        `removed`. 404 for a document the index does not hold, 422 when the two share no language
        (or not the one asked for)."""
        try:
            lineage = services.assistant.lineage
            sym_a, sym_b, lang = comparable(services.library.documents(), a, b, language, lineage.resolve)
        except CannotCompare as exc:
            raise HTTPException(404 if exc.unknown else 422, str(exc)) from None
        comparison = lineage.compare(sym_a, sym_b, lang)
        if comparison is None:  # the index changed between the two reads
            raise HTTPException(404, f"{sym_a} or {sym_b} is no longer indexed in {lang!r}")
        return CompareOut.of(comparison)
