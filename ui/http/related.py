"""The lineage route (CONTRACTS §7): what a resolution cites, who cites it, and its series."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from reso.prompts import phrase
from reso.schema import LanguageCode, RelatedOut, Symbol
from reso.ui.http.routing import errors
from reso.ui.services import Services


def routes(router: APIRouter, services: Services) -> None:
    @router.get("/related", response_model=RelatedOut, responses=errors(404, 422, 500, 503),
                summary="Citations, citers and series of a document")
    def related(
        document: Annotated[Symbol, Query(description="Symbol as printed, e.g. S/RES/2334 (2016)",
                                          examples=["S/RES/2677 (2023)"])],
        language: Annotated[LanguageCode | None, Query(description="Only the mentions printed in this "
                                                                   "language version")] = None,
    ) -> RelatedOut:
        """The resolutions the document cites and the paragraphs citing it, each with the paragraph
        where the mention is printed, and the successive resolutions of its series, oldest first.

        The reference graph is built on the first call for an index state (a few seconds over
        ~120k paragraphs), then each call is a look-up.
        """
        found = services.assistant.lineage.related(document)
        if found is None:
            raise HTTPException(404, phrase("api_unknown_document", "en", documents=document))
        return RelatedOut.of(found, services.library.document_records(), language)
