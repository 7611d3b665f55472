"""CI quality floor: the seed dev set, scored through `reso eval --json` with the real default embedder.

The floors sit a few points under what the system measured when they were set (the measured
figures are beside each one), so a regression fails CI while run-to-run noise does not. Raise
them when the system improves; never set one above a measured value.

The questions are asked of an index holding the seed alone, which is what an empty
`RESO_DATA_DIR` becomes (CONTRACTS §2 embedded default).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reso.index.embedders import DEFAULT_MINILM
from reso.ui.cli import cli

ROOT = Path(__file__).resolve().parent.parent

# Measured 2026-11-28 (hybrid, minilm, extractive, seed-only index): hit@5 1.000, MRR 0.952,
# citation precision 0.905, recall 0.905, refusal accuracy 0.960, invented 0.
FLOORS = {
    ("retrieval", "hit@5"): 0.95,
    ("retrieval", "mrr"): 0.90,
    ("citations", "precision"): 0.85,
    ("citations", "recall"): 0.85,
    ("refusal", "accuracy"): 0.88,
}


@pytest.fixture(scope="session")
def seed_dev() -> Path:
    """The project's own copy, so the floor runs in a plain clone."""
    return ROOT / "evals" / "datasets" / "seed-dev.jsonl"


@pytest.fixture(scope="module")
def seed_dev_run(seed_dev: Path, tmp_path_factory) -> Result:
    """One scoring run shared by the checks below; its own empty index and default settings.

    Module-scoped, so it cannot lean on the per-test autouse isolation: the environment is set here.
    """
    env: dict[str, str | None] = {name: None for name in os.environ if name.startswith("RESO_")}
    env["RESO_DATA_DIR"] = str(tmp_path_factory.mktemp("seed-index"))
    return CliRunner().invoke(cli, ["eval", str(seed_dev), "--json"], env=env)


def test_the_copy_matches_the_shared_set(seed_dev: Path, shared_corpus: Path):
    assert seed_dev.read_text(encoding="utf-8") == (shared_corpus.parent / "evals" / "seed-dev.jsonl").read_text(
        encoding="utf-8"
    )


def test_seed_dev_meets_the_floors(seed_dev_run: Result):
    report = json.loads(seed_dev_run.stdout)
    # the recipe the default `minilm` builds a new index with: the real model, not a test fake
    assert report["run"]["embedder"] == DEFAULT_MINILM and report["run"]["index"]["documents"] == 1
    assert report["n"] == 25
    assert report["citations"]["invented"] == 0
    for (section, key), floor in FLOORS.items():
        assert report[section][key] >= floor, f"{section}.{key} = {report[section][key]} < {floor}"


def test_seed_dev_runs_without_errors(seed_dev_run: Result):
    assert json.loads(seed_dev_run.stdout)["errors"] == 0
    assert seed_dev_run.exit_code == 0, seed_dev_run.stderr
