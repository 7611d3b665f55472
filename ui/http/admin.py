"""`POST /api/admin/ingest`: uploaded resolutions into the index, behind the admin key.

Off unless RESO_ADMIN_KEY is set; the key is checked before the body is read (see
`routing.api_route_class`), so a client without it cannot make the server parse a 50 MB upload.
"""

from __future__ import annotations

import hmac
import re
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path, PurePosixPath
from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Request, Security, UploadFile
from fastapi.security import APIKeyHeader

from reso.prompts import phrase
from reso.schema import IngestReportOut
from reso.ui.http.routing import Guard, errors
from reso.ui.services import Services

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # admin uploads: a few resolutions as PDF/DOCX
MAX_UPLOAD_FILES = 50
ADMIN_HEADER = "X-Admin-Key"


def admin_guard(services: Services) -> Guard:
    def guard(request: Request) -> None:
        expected = services.settings.admin_key
        if not expected:
            raise HTTPException(404, phrase("api_admin_off", "en"))
        given = request.headers.get(ADMIN_HEADER) or ""
        # bytes, because compare_digest refuses non-ASCII str and a header may hold anything
        if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8")):
            raise HTTPException(403, phrase("api_admin_key_required", "en", header=ADMIN_HEADER))

    return guard


def safe_filename(name: str | None, fallback: str) -> str:
    """The upload's base name with only portable characters, its suffix kept for the readers.

    The base name matters: the text reader infers a symbol from names like A_HRC_RES_30_25-fr.txt.
    """
    base = PurePosixPath((name or "").replace("\\", "/")).name
    stem, dot, suffix = base.rpartition(".") if "." in base.lstrip(".") else (base, "", "")
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_")[:100] or fallback
    suffix = re.sub(r"[^A-Za-z0-9]+", "", suffix)[:10].lower()
    return f"{stem}.{suffix}" if dot and suffix else stem


def _save_uploads(files: Sequence[UploadFile], folder: Path) -> dict[str, str]:
    """Each upload in its own sub-folder, so equal names cannot overwrite each other.

    Returns saved path → name as uploaded, to report skipped files by the client's names.
    """
    saved: dict[str, str] = {}
    for i, upload in enumerate(files):
        target = folder / str(i) / safe_filename(upload.filename, f"upload-{i}")
        target.parent.mkdir()
        with target.open("wb") as out:
            while chunk := upload.file.read(1 << 20):
                out.write(chunk)
        saved[str(target)] = target.name
    return saved


def routes(router: APIRouter, services: Services) -> None:
    ingest_lock = threading.Lock()  # one ingest at a time: two refreshes must not interleave
    key_header = APIKeyHeader(name=ADMIN_HEADER, auto_error=False, description="RESO_ADMIN_KEY")

    @router.post(
        "/admin/ingest",
        response_model=IngestReportOut,
        responses=errors(403, 404, 413, 422, 500, 503),
        summary="Ingest uploaded resolutions (admin)",
        dependencies=[Security(key_header)],
    )
    def ingest(
        files: Annotated[list[UploadFile], File(description=".xml (AKN4UN), .pdf, .docx, .txt or .html files")],
    ) -> IngestReportOut:
        """Read uploaded resolutions into the index and make them searchable at once.

        Needs the `X-Admin-Key` header (RESO_ADMIN_KEY); off when no key is configured.
        """
        if len(files) > MAX_UPLOAD_FILES:
            raise HTTPException(422, phrase("api_too_many_files", "en", count=str(len(files)), limit=str(MAX_UPLOAD_FILES)))
        with tempfile.TemporaryDirectory(prefix="reso-upload-") as tmp:
            names = _save_uploads(files, Path(tmp))
            with ingest_lock:
                report = services.library.ingest([Path(p) for p in names])
                services.assistant.refresh()
        return IngestReportOut.of(report, names)
