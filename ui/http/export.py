"""`POST /api/export/docx`: a conversation as a Word document with a footnote per citation.

The client sends what `/api/ask` answered (question, answer with its markers, the cited
paragraphs by symbol, id and language); the footnotes quote the paragraphs as the index holds
them, never a text the client sent, so an exported document cannot carry a forged quotation.
The builder is `reso.ui.export_docx`, shared with `reso ask --docx` and the web UI.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.responses import Response

from reso.prompts import phrase
from reso.schema import CitationOut, ExportRequest
from reso.ui.export_docx import ExportTurn, conversation_docx
from reso.ui.http.routing import api_route_class, errors
from reso.ui.services import Services

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def export_turns(body: ExportRequest, services: Services) -> list[ExportTurn]:
    """The turns with each citation's text read from the index; an unknown paragraph is a 422."""
    turns = []
    for t, turn in enumerate(body.turns):
        cited = []
        for i, c in enumerate(turn.citations):
            view = services.library.paragraph(c.document, c.paragraph, c.language, window=0)
            if view is None:
                raise HTTPException(422, phrase("export_unknown_paragraph", "en", turn=str(t), index=str(i),
                                                document=c.document, paragraph=c.paragraph))
            chunk = view.chunk
            cited.append(CitationOut(document=chunk.document, paragraph=c.paragraph, language=chunk.language,
                                     text=chunk.text, title=chunk.title))
        turns.append(ExportTurn(turn.question, turn.answer, cited, turn.refused))
    return turns


def install(app: FastAPI, services: Services) -> None:
    """Before `reso.ui.http.install`: its catch-all for the rest of `/api/...` must come after this route."""
    router = APIRouter(prefix="/api", tags=["api"], route_class=api_route_class(services.settings.max_body_bytes))

    @router.post(
        "/export/docx",
        response_class=Response,
        responses={200: {"content": {DOCX_MEDIA_TYPE: {}}, "description": "The DOCX file."}} | errors(413, 422, 500, 503),
        summary="Export a conversation as a Word document",
    )
    def export_docx(body: ExportRequest) -> Response:
        """The conversation as DOCX: each citation a footnote quoting the paragraph with its symbol, id
        and language."""
        data = conversation_docx(export_turns(body, services))
        return Response(data, media_type=DOCX_MEDIA_TYPE,
                        headers={"Content-Disposition": 'attachment; filename="reso-conversation.docx"'})

    app.include_router(router)
