"""Test isolation: every test gets its own RESO_DATA_DIR and no hub access.

Tests that need the whole corpus use the `shared_corpus` fixture, which reads `../shared/corpus`
(CI has it). In a plain clone without it those tests skip; under CI a missing corpus is a failure,
so a green CI always means the corpus tests ran.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(os.environ.get("RESO_SHARED_DIR", ROOT.parent / "shared"))
SEED = ROOT / "index" / "default_corpus" / "A_HRC_RES_30_25-fr.txt"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

# Hypothesis profiles: "ci" (the default) keeps the property tests to seconds, "long" hunts for
# rare inputs (HYPOTHESIS_PROFILE=long python3 -m pytest tests/test_parser_properties.py).
# Tests that set max_examples or a deadline themselves keep them.
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("ci", max_examples=150, deadline=2000, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=3000, deadline=10_000, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("RESO_DATA_DIR", str(tmp_path / "reso-data"))
    for name in list(os.environ):
        if name.startswith("RESO_") and name not in ("RESO_DATA_DIR", "RESO_SHARED_DIR"):
            monkeypatch.delenv(name, raising=False)


def require_shared(*paths: Path) -> None:
    """Skip when these files or folders of ../shared are missing (a plain clone); fail under CI,
    which has them, so that a green CI always means the corpus tests ran."""
    missing = [p for p in paths if not p.exists()]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the shared corpus at {missing[0]}")
        pytest.skip(f"shared corpus not found at {missing[0]}")


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    corpus = SHARED / "corpus"
    require_shared(corpus)
    return corpus


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


# The default run stays a few minutes: tests marked slow, server or browser (whole corpus, real
# servers, Chromium) are skipped unless asked for with --all, named on the command line, selected
# with -m, or the run is CI's (CI=true), which runs everything.
_LONG_MARKERS = ("slow", "server", "browser")


def pytest_addoption(parser):
    parser.addoption("--all", action="store_true", default=False,
                     help="also run the tests marked slow, server and browser (CI always runs them)")


def pytest_collection_modifyitems(config, items):
    named = config.args_source != pytest.Config.ArgsSource.TESTPATHS
    if config.getoption("--all") or os.environ.get("CI") or config.getoption("-m") or named:
        return
    skip = pytest.mark.skip(reason="slow/server/browser test: run with --all (CI runs it)")
    for item in items:
        if any(item.get_closest_marker(name) for name in _LONG_MARKERS):
            item.add_marker(skip)


def run_async(run, *args):
    """`run(*args)` (`asyncio.run`, `anyio.run`) on a thread of its own, its result or its exception returned here.

    Playwright's sync API (the session-scoped browser of tests/test_browser.py) keeps an event loop
    running in the main thread for the rest of the session, so `asyncio.run` there raises "cannot be
    called from a running event loop" in every later test; a new thread has no loop.
    """
    import threading

    out: dict = {}

    def target():
        try:
            out["value"] = run(*args)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            out["error"] = exc

    thread = threading.Thread(target=target, name="test-async")
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


def hash_library(directory: Path, files: list[Path]):
    """A small real index of `files` with the hash embedder (its vectors mean nothing: the lexical
    side and the rules around it are what such tests read)."""
    from reso.index.embedders import HashEmbedder
    from reso.index.library import Library
    from reso.index.store import ChromaStore

    library = Library(ChromaStore.open(directory), HashEmbedder())
    library.ingest(files)
    return library


def hrc54_retriever(directory: Path, shared_corpus: Path, number: int):
    """`hash_retriever` over the English and French versions of A/HRC/RES/54/<number> in `../shared/corpus`."""
    files = sorted((shared_corpus / "unxml-hrc" / "54session").glob(f"*/A_HRC_RES_54_{number}[EF].xml"))
    assert len(files) == 2, files
    return hash_retriever(directory, files)


def hash_retriever(directory: Path, files: list[Path]):
    """`hash_library` and its retriever: what the tests of the answer checks (near misses, counted
    nouns) ask questions of."""
    from reso.assistant.retrieval import HybridRetriever

    return HybridRetriever(hash_library(directory, files))


def paragraphs_of(retriever) -> dict:
    """Every paragraph of the retriever's index with its language versions, as the assistant and the
    refusal policy receive it: (document, paragraph) → Retrieved."""
    from reso.assistant.models import Retrieved

    out: dict = {}
    for chunk in retriever.chunks:
        r = out.setdefault((chunk.document, chunk.paragraph), Retrieved(chunk, 1.0))
        r.versions[chunk.language] = chunk
    return out


def cited(answer) -> list[tuple[str, str]]:
    """An answer's citations as (document, paragraph)."""
    return [(c.document, c.paragraph) for c in answer.citations]
