"""The library's routes: the document list, a paragraph in its document, and the health check."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from reso.index.model import normalise_symbol
from reso.prompts import phrase
from reso.schema import DocumentOut, Health, LanguageCode, ParagraphLookup, Symbol, documents_json
from reso.ui.http.ask import known_documents
from reso.ui.http.routing import errors
from reso.ui.services import Services


def routes(router: APIRouter, services: Services) -> None:
    library = services.library

    @router.get("/documents", response_model=list[DocumentOut], responses=errors(500, 503), summary="List documents")
    def documents() -> list[dict]:
        """The indexed documents, as `reso documents --json` prints them (CONTRACTS §2)."""
        return documents_json(library.documents())

    @router.get("/paragraph", response_model=ParagraphLookup, responses=errors(404, 422, 500, 503), summary="Look up a paragraph")
    def paragraph(
        document: Annotated[Symbol, Query(description="Symbol as printed, e.g. A/HRC/RES/30/25", examples=["A/HRC/RES/30/25"])],
        paragraph: Annotated[str, Query(min_length=1, max_length=60, description="PP3, OP4, OP3(a), ANNEX1.OP2", examples=["OP4"])],
        language: Annotated[LanguageCode | None, Query(description="Preferred language version")] = None,
        window: Annotated[int, Query(ge=0, le=10, description="Neighbours on each side")] = 1,
    ) -> ParagraphLookup:
        """A paragraph with its document's metadata, its neighbours and its other language versions.

        Query parameters rather than a path, because symbols contain `/`.
        """
        known = known_documents(services)
        if normalise_symbol(document) not in known:
            raise HTTPException(404, phrase("api_unknown_document", "en", documents=document))
        view = library.paragraph(document, paragraph, language, window=window)
        if view is None:
            raise HTTPException(404, phrase("api_no_paragraph", "en", document=known[normalise_symbol(document)],
                                            paragraph=paragraph))
        return ParagraphLookup.of(view)

    @router.get("/health", response_model=Health, responses=errors(500, 503), summary="Health")
    def health() -> Health:
        """Cheap enough for a load balancer: reads counts and the model record, never loads a model."""
        record = library.store.model_record() or {}
        return Health(
            status="ok",
            documents=len(library.documents()),
            paragraphs=library.store.count(),
            embedder=str(record.get("embedder") or services.settings.embedder),
            generator=services.settings.generator,
        )
