"""`reso`: the command line. Each command is a few lines over the core objects.

Heavy imports (Chroma, models, readers) happen inside the commands, so `reso --help` is quick.
Domain errors become one-line messages and exit code 1 here, and only here.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from pathlib import Path

import click

from reso.prompts import phrase


def _settings():
    from reso.settings import Settings

    return Settings()


def _quiet_third_parties() -> None:
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def friendly_errors(func):
    """Turn the project's own errors into a message that says what to do, not a traceback.

    The message is the error table's (`reso.errors.client_message`), the one the API sends. Only
    the project's own errors are caught: a bug keeps its traceback, which is what a bug report needs.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from reso.errors import ResoError, client_message

        try:
            return func(*args, **kwargs)
        except ResoError as exc:
            raise click.ClickException(client_message(exc)) from exc

    return wrapper


def _user_text(_ctx, _param, value: str | None) -> str | None:
    """The door of the command line: a question normalised as the API's request model does."""
    from reso.schema import clean_text

    return clean_text(value) if value is not None else None


def _print_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group()
@click.version_option(package_name="reso")
def cli() -> None:
    """Ask UN resolutions questions; get answers that cite the exact paragraphs.

    The index lives in RESO_DATA_DIR (default ~/.local/share/reso).
    """
    _quiet_third_parties()


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Drop the index first (e.g. after changing RESO_EMBEDDER).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--timeout", "lock_timeout", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help="Give up after SECONDS when another ingest is writing the index (default: wait for it).")
@friendly_errors
def ingest(paths: tuple[Path, ...], rebuild: bool, as_json: bool, lock_timeout: float | None) -> None:
    """Read resolutions (.xml AKN4UN, .pdf, .docx, .html, .txt; files or folders) into the index.

    Unchanged files change nothing; a changed file replaces its document's paragraphs. Files
    that cannot be read are listed with their reason and make the exit code non-zero. One ingest
    writes an index at a time: another one waits for it. An interrupted ingest (killed, power
    cut) is completed by running it again.
    """
    from tqdm import tqdm

    from reso.assistant.factory import open_library

    library = open_library(_settings())

    def progress(files):
        return tqdm(files, desc="ingest", unit="file", file=sys.stderr, disable=None if not as_json else True)

    def tell(message: str) -> None:
        click.echo(message, err=True)

    report = library.ingest(list(paths), progress=progress, rebuild=rebuild, lock_timeout=lock_timeout, on_wait=tell,
                            on_step=None if as_json else tell)
    if as_json:
        from reso.schema import IngestReportOut

        _print_json(IngestReportOut.of(report).model_dump())
    else:
        click.echo(phrase("cli_ingest_summary", "en", documents=len(report.documents), versions=report.versions,
                          paragraphs=report.paragraphs, added=report.added, updated=report.updated,
                          removed=report.removed, unchanged=report.unchanged))
        for s in report.skipped:
            click.echo(phrase("cli_skipped", "en", path=s.path, reason=s.reason), err=True)
        for c in report.conflicts:  # one version kept, the same one every run: said, not an error
            click.echo(phrase("cli_conflict", "en", passed_over=c.passed_over, document=c.document,
                              language=c.language, kept=c.kept), err=True)
        for r in report.retired:  # a reader that changed since: the old reading's version is gone
            click.echo(phrase("cli_retired", "en", document=r.document, language=r.language, paragraphs=r.paragraphs,
                              now=", ".join(r.now)), err=True)
    if report.failed:
        sys.exit(1)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one object per file as JSON (CONTRACTS §2).")
def inspect(files: tuple[Path, ...], as_json: bool) -> None:
    """Show how each file reads, without indexing it: symbol, kind, language, date, paragraphs with
    their ids and first words, sub-paragraphs, annexes, and what was removed or guessed.

    Exit code 1 when a file cannot be read.
    """
    from reso.index.inspect import inspect_files, render

    results = inspect_files(files)
    click.echo(json.dumps(results, ensure_ascii=False, indent=2) if as_json else render(results))
    if any("error" in r for r in results):
        sys.exit(1)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON (CONTRACTS §2).")
@friendly_errors
def documents(as_json: bool) -> None:
    """List the indexed documents: symbol, languages, paragraphs, title."""
    from reso.assistant.factory import open_library

    docs = open_library(_settings()).documents()
    if as_json:
        from reso.schema import documents_json

        _print_json(documents_json(docs))
        return
    if not docs:
        click.echo(phrase("cli_index_empty", "en"))
        return
    for d in docs:
        counts = ", ".join(f"{lang} {n}" for lang, n in d.paragraphs.items())
        click.echo(f"{d.document:<22} {d.date:<10} {counts:<28} {d.title[:80]}")


@cli.command()
@click.argument("a", callback=_user_text)
@click.argument("b", callback=_user_text)
@click.option("--json", "as_json", is_flag=True, help="Print the API's comparison object (CONTRACTS §7).")
@click.option("--language", default=None, help="Compare this language version (ISO 639-1); default: English, "
                                                 "else the first both documents have.")
@friendly_errors
def compare(a: str, b: str, as_json: bool, language: str | None) -> None:
    """Align the paragraphs of documents A and B by content: added, removed, moved, changed.

    Paragraphs are paired by what they say, not by number (a new OP3 shifts every later one);
    changed pairs show their word changes. Exit code 2 for an unknown document or two documents
    with no language in common.
    """
    from reso.assistant.factory import build_assistant, open_library
    from reso.assistant.lineage.compare import CannotCompare, comparable, render

    settings = _settings()
    library = open_library(settings)
    lineage = build_assistant(settings, library).lineage
    try:
        sym_a, sym_b, lang = comparable(library.documents(), a, b, language, lineage.resolve)
    except CannotCompare as exc:
        raise click.UsageError(str(exc)) from None
    comparison = lineage.compare(sym_a, sym_b, lang)
    if comparison is None:  # the index changed between the two reads
        raise click.UsageError(f"{sym_a} and {sym_b} cannot be compared in {lang!r}")
    if as_json:
        from reso.schema import CompareOut

        _print_json(CompareOut.of(comparison).model_dump())
        return
    click.echo(render(comparison))


@cli.command()
@click.argument("question", callback=_user_text)
@click.option("--json", "as_json", is_flag=True, help="Print the API's answer object (CONTRACTS §5).")
@click.option("--language", default=None, help="Answer in this language (ISO 639-1); default: the question's.")
@click.option("--document", "documents", multiple=True, help="Only this document (repeatable).")
@click.option("--vote", "votes", multiple=True, type=click.Choice(["unanimous", "recorded", "without_vote"]),
              help="Only resolutions adopted so (repeatable: any of them).")
@click.option("--sponsor", "sponsors", multiple=True, metavar="NAME",
              help="Only resolutions sponsored by NAME, as they print it in English; case and accents ignored "
                   "(repeatable: any of them).")
@click.option("--docx", "docx_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the question and answer to this Word file, each citation a footnote quoting "
                   "the paragraph.")
@friendly_errors
def ask(question: str, as_json: bool, language: str | None, documents: tuple[str, ...], votes: tuple[str, ...],
        sponsors: tuple[str, ...], docx_path: Path | None) -> None:
    """Answer QUESTION from the indexed resolutions, citing the paragraphs.

    On an empty index the bundled default corpus is ingested first.
    """
    from reso.assistant.factory import build_assistant
    from reso.assistant.models import Filters

    filters = Filters(documents=documents, votes=votes, sponsors=sponsors)
    answer = build_assistant(_settings()).answer(question, filters=filters, language=language)
    if docx_path is not None:
        from reso.schema import CitationOut
        from reso.ui.export_docx import ExportTurn, write_docx

        turn = ExportTurn(question, answer.answer, [CitationOut.of(c) for c in answer.citations], answer.refused)
        write_docx(docx_path, [turn])
        click.echo(phrase("cli_wrote", "en", path=docx_path), err=True)
    if as_json:
        from reso.schema import answer_json

        _print_json(answer_json(answer))
        return
    click.echo(answer.answer)
    if answer.citations:
        click.echo()
        for c in answer.citations:
            click.echo(f"[{c.document}, {c.paragraph}] ({c.language}) {c.text}")
    if answer.related:

        click.echo()
        click.echo(phrase("refusal_related", answer.language))
        for c in answer.related:
            click.echo(f"  {c.document} {c.paragraph}: {c.text[:160]}")


@cli.command()
@click.argument("document")
@click.option("--json", "as_json", is_flag=True, help="Print the API's object (CONTRACTS §7).")
@click.option("--language", default=None, help="Only the mentions printed in this language version (ISO 639-1).")
@friendly_errors
def related(document: str, as_json: bool, language: str | None) -> None:
    """What DOCUMENT cites, which paragraphs cite it, and its series (successive resolutions).

    DOCUMENT as printed ("S/RES/2677 (2023)") or short ("2334 (2016)"); one line per citing
    paragraph, its language versions folded together.
    """
    from reso.assistant.factory import build_assistant, open_library
    from reso.schema import RelatedOut

    settings = _settings()
    library = open_library(settings)
    found = build_assistant(settings, library).lineage.related(document)
    if found is None:
        raise click.ClickException(phrase("api_unknown_document", "en", documents=document))
    out = RelatedOut.of(found, library.document_records(), language.lower() if language else None)
    if as_json:
        _print_json(out.model_dump())
        return
    click.echo(f"{out.document}")
    click.echo(f"\nCites ({len(out.cites)}):")
    for m in out.cites:
        mark = "" if m.indexed else "  (not indexed)"
        click.echo(f"  {m.paragraph:<8} {m.document}{mark}")
    click.echo(f"\nCited by ({len(out.cited_by)}):")
    for m in out.cited_by:
        click.echo(f"  {m.document:<22} {m.paragraph:<8} {m.date:<10} {' '.join(m.languages)}  {m.text}")
    click.echo(f"\nSeries ({len(out.series)}):")
    for e in out.series:
        marker = "*" if e.document == out.document else " "
        title = re.sub(r"^Security Council resolution \S+ \(\d{4}\)\s*", "", e.title)  # the symbol again
        click.echo(f" {marker}{e.document:<22} {e.date:<10} {e.vote:<20} {title[:80]}")


def _sizes(_ctx, _param, value: str | None) -> tuple[int, ...] | None:
    if not value:
        return None
    if value.strip().lower() == "none":
        return ()  # no synthetic corpus: only the real files of --corpus
    try:
        sizes = tuple(int(v.replace("_", "")) for v in value.split(",") if v.strip())
    except ValueError:
        raise click.BadParameter("a comma-separated list of paragraph counts, e.g. 10000,100000") from None
    if not sizes or min(sizes) < 1:
        raise click.BadParameter("paragraph counts must be positive")
    return sizes


@cli.command()
@click.option("--json", "as_json", is_flag=True,
              help="Print every figure as one JSON object (nested by size) on one line; progress on stderr.")
@click.option("--quick", is_flag=True,
              help="One 1,000-paragraph corpus, 20 questions, short load runs: under a minute.")
@click.option("--sizes", callback=_sizes, default=None,
              help="Synthetic corpus sizes in paragraphs, comma-separated (default: 10000,100000); "
                   "'none' with --corpus measures only the real files.")
@click.option("--embedder", default=None,
              help="Embedder for the benchmark indexes (default: RESO_EMBEDDER). 'hash' measures everything "
                   "but the model; with minilm the 100k run takes tens of minutes to ingest.")
@click.option("--corpus", type=click.Path(exists=True, path_type=Path), default=None,
              help="Also measure these real files (e.g. ../shared/corpus): ingest, index, and the server on them.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Serve with this many `reso serve` workers over a `chroma run` server (the deployment of "
                   "README, Deployment) instead of one process over the embedded index.")
@click.option("--keep", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Keep the synthetic indexes in this folder and reuse them on the next run (same size, "
                   "embedder and seed): the serving figures again without the ingest.")
@click.option("--server", is_flag=True,
              help="Build each synthetic index on a `chroma run` server started for it (ingest and serving over "
                   "HTTP), instead of the embedded store.")
@click.option("--ingest-workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Ingest with this many processes in parallel, each writing its share of the documents into "
                   "the Chroma server (implies --server).")
@friendly_errors
def bench(as_json: bool, quick: bool, sizes: tuple[int, ...] | None, embedder: str | None,
          corpus: Path | None, workers: int, keep: Path | None, server: bool, ingest_workers: int) -> None:
    """Measure ingest, index size, answer latency, server memory and API throughput at scale.

    Each size is a seeded synthetic corpus (evals/synthetic.py) in a fresh temporary index,
    served by a `reso serve` subprocess on loopback; your own index is never touched. Progress
    goes to standard error; with --json, standard output holds the report alone, on one line.
    """
    import contextlib

    from reso.evals import bench as bench_mod

    settings = _settings()
    plan = bench_mod.BenchPlan.make(settings, quick, sizes, embedder, workers, keep, server, ingest_workers)
    with contextlib.redirect_stdout(sys.stderr):  # whatever a library prints is not mixed into the report
        report = bench_mod.run_all(settings, plan, corpus, log=lambda msg: click.echo(msg, err=True))
    click.echo(f"bench: done in {report['elapsed_s']} s", err=True)
    if quick and report["elapsed_s"] > bench_mod.QUICK_BUDGET_S:
        click.echo(f"bench: --quick took longer than its {bench_mod.QUICK_BUDGET_S:.0f} s budget "
                   "(a busy machine, or a slow embedder: --embedder hash measures all but the model)", err=True)
    click.echo(json.dumps(report, separators=(",", ":")) if as_json else bench_mod.table(report))


@cli.command("eval")
@click.argument("datasets", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write report.json, items.jsonl, report.md and report.png here.")
@click.option("--json", "as_json", is_flag=True, help="Print the report (CONTRACTS §4) on stdout.")
@click.option("--retriever", "retrievers", multiple=True, type=click.Choice(["hybrid", "bm25", "dense"]),
              help="Retriever to score (repeatable, to compare; the first is the headline). Default: RESO_RETRIEVER.")
@click.option("--ingest", "ingest_paths", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Ingest these files or folders into the index first (repeatable).")
@click.option("--temp-index", is_flag=True,
              help="Score a temporary index holding only the --ingest files (the bundled seed without "
                   "them), deleted afterwards; RESO_DATA_DIR is left untouched.")
@friendly_errors
def eval_command(datasets: tuple[Path, ...], out: Path | None, as_json: bool, retrievers: tuple[str, ...],
                 ingest_paths: tuple[Path, ...], temp_index: bool) -> None:
    """Score the assistant on question sets (CONTRACTS §3 JSON Lines).

    Runs on the index in RESO_DATA_DIR as it is (an empty one gets the bundled seed): ask seed
    questions of a seed-only index and corpus questions of a whole-corpus index. --temp-index
    scores a throwaway index instead, e.g. the injection set with its hostile document:

    \b
    reso eval evals/datasets/injection.jsonl --temp-index \\
        --ingest index/default_corpus --ingest evals/datasets/hostile
    """
    import contextlib
    import tempfile

    from tqdm import tqdm

    from reso.evals import report, run

    def progress(items, desc):
        return tqdm(items, desc=desc, unit="item", file=sys.stderr, disable=None)

    settings = _settings()
    with tempfile.TemporaryDirectory(prefix="reso-eval-") if temp_index else contextlib.nullcontext() as scratch:
        if scratch:  # embedded Chroma in the scratch folder, whatever RESO_CHROMA_HOST says
            settings = settings.model_copy(update={"data_dir": Path(scratch), "chroma_host": None})
        runs = run.run_retrievers(settings, datasets, retrievers, ingest_paths, progress)
    written = report.write(runs, out) if out else []
    click.echo(json.dumps(report.headline(runs), ensure_ascii=False, indent=2) if as_json else report.summary_text(runs))
    for path in written:
        click.echo(phrase("cli_wrote", "en", path=path), err=True)
    if report.errors(runs):
        raise click.ClickException("questions raised errors:\n" + "\n".join(report.errors(runs)))


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


@cli.command()
@click.option("--host", default=None, help="Address to listen on (default: RESO_HOST, else 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default: RESO_PORT, else 8321).")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes (default: RESO_WORKERS, else 1). Several workers serve the API and the widget "
    "only, and need a Chroma server (RESO_CHROMA_HOST); run the web UI in a one-worker `reso serve`.",
)
@friendly_errors
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the web UI, the HTTP API (/api, described at /docs) and the widget on one server.

    On an empty index the bundled default corpus is ingested first.
    """
    import uvicorn

    from reso.ui.app import StartingApp

    settings = _settings()
    overrides = {k: v for k, v in (("host", host), ("port", port), ("workers", workers)) if v is not None}
    if overrides:
        settings = settings.model_copy(update=overrides)
    url = _url(settings.host, settings.port)
    options = dict(
        host=settings.host,
        port=settings.port,
        log_level="info",
        log_config=_log_config(),
        access_log=False,  # ui/middleware/context.py writes one line per request, with its id, on "reso.http"
        proxy_headers=False,  # X-Forwarded-* are believed from RESO_TRUSTED_PROXIES only (ui/middleware/)
        server_header=False,
    )
    if settings.workers > 1:
        if not settings.chroma_host:
            raise click.ClickException(
                "Several workers share one index only through a Chroma server (the embedded one belongs to "
                "one process): start `chroma run --path DIR --port 8000` and set RESO_CHROMA_HOST=127.0.0.1 "
                "(README, Deployment)."
            )
        # each worker builds its own assistant from the environment: the default corpus is ingested
        # by the first (the others wait on the ingest lock), the lexical tables are built once and
        # loaded by the rest from RESO_DATA_DIR/lexical
        click.echo(phrase("cli_serving_workers", "en", url=url, workers=settings.workers))
        sys.stdout.flush()  # before uvicorn takes over: a supervisor reading a pipe sees the URL now
        uvicorn.run("reso.ui.app:worker_app", factory=True, workers=settings.workers, **options)
        return
    # listening at once, /api/health "loading" until the assistant is ready, the UI built after it
    starting = StartingApp(settings, on_failure=lambda: setattr(server, "should_exit", True))
    server = uvicorn.Server(uvicorn.Config(starting, **options))
    click.echo(phrase("cli_serving", "en", url=url))
    sys.stdout.flush()
    server.run()
    if starting.error is not None:
        raise starting.error  # a ResoError becomes friendly_errors' message, a bug keeps its traceback


@cli.command()
@friendly_errors
def mcp() -> None:
    """Serve the MCP tools (search_paragraphs, get_paragraph, list_documents, ask) over stdio.

    For assistants that start their tools as a subprocess (e.g. "command": "reso", "args": ["mcp"]).
    `reso serve` offers the same tools over HTTP at /mcp. On an empty index the bundled default
    corpus is ingested first. Nothing but the protocol is written to stdout.
    """
    import contextlib

    from reso.ui.app import quiet_libraries
    from reso.ui.mcp import build_server
    from reso.ui.services import Services

    quiet_libraries()
    with contextlib.redirect_stdout(sys.stderr):  # stdout is the protocol's: a library's print must not reach it
        services = Services.build(_settings())
    build_server(services).run("stdio")


def _log_config() -> dict:
    """uvicorn's own logging, plus the access log of ui/middleware/context.py in the same format."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["handlers"]["reso"] = {"formatter": "default", "class": "logging.StreamHandler", "stream": "ext://sys.stderr"}
    config["loggers"]["reso.http"] = {"handlers": ["reso"], "level": "INFO", "propagate": False}
    # the index reloads (`Assistant.refresh`): a deployer sees when new documents became answerable
    config["loggers"]["reso.assistant.core"] = {"handlers": ["reso"], "level": "INFO", "propagate": False}
    # the search tables built for a state the index's writer left none for (in a child process above a size)
    config["loggers"]["reso.index.tables"] = {"handlers": ["reso"], "level": "INFO", "propagate": False}
    config["loggers"]["bm25s"] = {"level": "WARNING"}  # it sets itself to DEBUG (see ui/app.py quiet_libraries)
    return config


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
