"""The runner and the report files with a scripted assistant (no model), then `reso eval` wired end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reso.assistant.models import Answer, Citation, Retrieved
from reso.evals import report, run
from reso.evals.dataset import EvalItem, load
from reso.index.chunks import Chunk
from reso.ui.cli import cli

DOC = "A/HRC/RES/30/25"
KNOWN = {(DOC, "OP1"), (DOC, "OP3"), (DOC, "OP4"), (DOC, "PP1")}


def retrieved(pid: str) -> Retrieved:
    chunk = Chunk(f"{DOC}#{pid}@fr", DOC, pid, "operative", 0, "fr", "HRC", "2015-10-02", "title", "text")
    return Retrieved(chunk, 1.0, {"fr": chunk})


def cited(pid: str) -> Citation:
    return Citation(DOC, pid, "fr", "text", "title")


class ScriptedAssistant:
    """Answers from a script keyed by question; anything else is declined. Remembers what it was asked."""

    def __init__(self, script: dict[str, Answer | Exception]):
        self.script = script
        self.asked: list[tuple[str, str | None]] = []

    def answer(self, question, history=(), filters=None, language=None) -> Answer:
        self.asked.append((question, language))
        reply = self.script.get(question, Answer("no", "en", True))
        if isinstance(reply, Exception):
            raise reply
        return reply


def item(id: str, gold=("OP4",), answerable=True, kind="named", language="fr") -> EvalItem:
    docs = [DOC] if answerable else []
    return EvalItem(id, f"question {id}", language, docs, list(gold) if answerable else [], answerable, kind)


@pytest.fixture
def script() -> dict:
    return {
        "question a": Answer("OP4 says [A/HRC/RES/30/25, OP4]", "fr", False, [cited("OP4")],
                             retrieved=[retrieved("OP3"), retrieved("OP4")], timings_ms={"total": 3.0}),
        "question b": Answer("see [A/HRC/RES/30/25, OP3(a)] and OP9", "fr", False, [cited("OP3(a)"), cited("OP9")],
                             retrieved=[retrieved("OP3")]),
        "question c": Answer("declined", "fr", True, [], retrieved=[retrieved("PP1")]),
        "question d": TypeError("boom"),
    }


def test_records_keep_ranking_citations_refusal_and_latency(script):
    assistant = ScriptedAssistant(script)
    items = [item("a"), item("b", gold=["OP3"]), item("c", answerable=False), item("d")]
    records = run.evaluate(assistant, items, known=KNOWN)

    a, b, c, d = records
    assert a.retrieved == [(DOC, "OP3"), (DOC, "OP4")] and a.cited == [(DOC, "OP4")]
    assert not a.refused and a.latency_ms > 0 and a.timings_ms == {"total": 3.0} and a.invented == []
    assert b.invented == [(DOC, "OP9")]  # OP3(a) exists through its parent, OP9 does not
    assert c.refused and c.retrieved == [(DOC, "PP1")]
    assert d.error == "TypeError: boom" and d.retrieved == [] and not d.refused


def test_the_runner_warms_up_then_asks_each_question_without_its_language(script):
    assistant = ScriptedAssistant(script)
    run.evaluate(assistant, [item("a", language="fr"), item("c", language="en")], known=KNOWN)
    assert assistant.asked == [(run.WARM_UP_QUESTION, None), ("question a", None), ("question c", None)]


def test_an_item_with_history_is_the_last_question_of_one_conversation(script, tmp_path):
    """CONTRACTS §3: the earlier questions are asked first, the assistant's own answers (with their
    markers) are the history, and only the final question is scored."""
    seen: list[list[tuple[str, str]]] = []

    class Remembering(ScriptedAssistant):
        def answer(self, question, history=(), filters=None, language=None) -> Answer:
            seen.append([(m.role, m.content) for m in history])
            return super().answer(question, history, filters, language)

    path = tmp_path / "conversation.jsonl"
    path.write_text(json.dumps({"id": "c1", "history": ["question a", "question c"], "question": "question b",
                                "language": "fr", "documents": [DOC], "gold": ["OP3"], "kind": "follow-up"}) + "\n")
    [conversation] = load(path)
    assert conversation.history == ["question a", "question c"]
    [record] = run.evaluate(Remembering(script), [conversation], known=KNOWN)
    assert seen[1:] == [
        [],
        [("user", "question a"), ("assistant", "OP4 says [A/HRC/RES/30/25, OP4]")],
        [("user", "question a"), ("assistant", "OP4 says [A/HRC/RES/30/25, OP4]"), ("user", "question c"), ("assistant", "declined")],
    ]
    assert record.cited == [(DOC, "OP3(a)"), (DOC, "OP9")] and not record.refused  # the final answer's, not an earlier one's
    row = report.item_row("hybrid", record)  # items.jsonl shows what the final question leaned on
    assert row["history"] == [{"question": "question a", "answer": "OP4 says [A/HRC/RES/30/25, OP4]"},
                              {"question": "question c", "answer": "declined"}]


def test_progress_wraps_the_items(script):
    seen = []

    def progress(items, desc):
        seen.append(desc)
        return items

    run.evaluate(ScriptedAssistant(script), [item("a")], known=KNOWN, progress=progress, desc="eval bm25")
    assert seen == ["eval bm25"]


def test_known_paragraphs_come_from_the_retriever_table():
    class WithTable(ScriptedAssistant):
        retriever = type("R", (), {"versions": {(DOC, "OP1"): {"fr": 0}}})()

    assert run.index_keys(WithTable({})) == {(DOC, "OP1")}
    with pytest.raises(ValueError, match="pass `known`"):
        run.index_keys(ScriptedAssistant({}))


def runs_of(script: dict) -> list[run.RetrieverRun]:
    items = [item("a"), item("b", gold=["OP3"], kind="topic"), item("c", answerable=False, kind="unanswerable")]
    out = []
    for name in ("hybrid", "bm25"):
        records = run.evaluate(ScriptedAssistant(script), items, known=KNOWN)
        out.append(run.RetrieverRun(name, records, run.metrics.report(records), {"retriever": name, "datasets": ["x"]}))
    return out


def test_headline_is_the_first_retriever_with_the_others_under_retrievers(script):
    runs = runs_of(script)
    head = report.headline(runs)
    assert head["run"]["retriever"] == "hybrid" and list(head["retrievers"]) == ["bm25"]
    assert head["retrievers"]["bm25"]["citations"]["invented"] == 1
    assert "retrievers" not in report.headline(runs[:1])
    assert head["refusal"]["accuracy"] == 1.0 and head["citations"]["precision"] == pytest.approx(0.6667)


def test_write_produces_json_items_markdown_and_chart(script, tmp_path):
    runs = runs_of(script)
    written = report.write(runs, tmp_path / "out")
    assert [p.name for p in written] == ["report.json", "items.jsonl", "report.md", "report.png"]
    assert json.loads((tmp_path / "out" / "report.json").read_text()) == report.headline(runs)
    rows = [json.loads(line) for line in (tmp_path / "out" / "items.jsonl").read_text().splitlines()]
    assert len(rows) == 6 and rows[0]["retriever"] == "hybrid" and rows[0]["gold_rank"] == 2
    md = (tmp_path / "out" / "report.md").read_text()
    for heading in ("## Retrievers compared", "## Retriever `bm25`", "### By language", "### By kind"):
        assert heading in md
    assert "invented citations: b" in md
    assert (tmp_path / "out" / "report.png").read_bytes()[:4] == b"\x89PNG"


# -- the real command, with the fast fake embedder ------------------------------------------------


@pytest.fixture
def dataset(tmp_path) -> Path:
    path = tmp_path / "set.jsonl"
    lines = [
        {"id": "s1", "question": "Que demande le Conseil au Haut-Commissaire d'organiser ?", "language": "fr",
         "documents": [DOC], "gold": ["OP4"], "answerable": True, "kind": "named"},
        {"id": "s2", "question": "Quelle est la capitale de l'Australie ?", "language": "fr",
         "documents": [], "gold": [], "answerable": False, "kind": "unanswerable"},
    ]
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    return path


def test_reso_eval_json_compares_retrievers_and_writes_the_report(monkeypatch, dataset, tmp_path):
    monkeypatch.setenv("RESO_EMBEDDER", "hash")
    out = tmp_path / "out"
    args = ["eval", str(dataset), "--json", "--retriever", "bm25", "--retriever", "hybrid", "--out", str(out)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    head = json.loads(result.stdout)  # nothing but the report on stdout
    assert head["n"] == 2 and head["run"]["retriever"] == "bm25" and list(head["retrievers"]) == ["hybrid"]
    assert head["run"]["index"] == {"documents": 1, "paragraphs": 20}  # the seed, ingested into the empty index
    assert head["citations"]["invented"] == 0
    assert (out / "report.md").is_file() and (out / "report.png").is_file()


def test_reso_eval_ingests_first_when_asked(monkeypatch, fixtures_dir, tmp_path):
    monkeypatch.setenv("RESO_EMBEDDER", "hash")
    dataset = tmp_path / "en.jsonl"
    dataset.write_text(json.dumps({"id": "e1", "question": "What does the Council request?", "language": "en",
                                   "documents": ["A/HRC/RES/54/10"], "gold": ["OP1"], "answerable": True}) + "\n")
    extra = fixtures_dir / "text" / "A_HRC_RES_54_10-en.txt"
    args = ["eval", str(dataset), "--json", "--ingest", str(extra), "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    head = json.loads(result.stdout)
    assert head["run"]["retriever"] == "hybrid" and head["run"]["index"]["documents"] == 1  # no seed added
    rows = [json.loads(line) for line in (tmp_path / "out" / "items.jsonl").read_text().splitlines()]
    assert {doc for row in rows for doc, _ in row["retrieved"]} == {"A/HRC/RES/54/10"}


def test_a_question_that_raises_fails_the_command_after_the_report(monkeypatch, dataset, tmp_path):
    from reso.assistant.core import Assistant

    monkeypatch.setenv("RESO_EMBEDDER", "hash")
    real = Assistant.answer

    def answer(self, question, *args, **kwargs):
        if "Australie" in question:
            raise RuntimeError("boom")
        return real(self, question, *args, **kwargs)

    monkeypatch.setattr(Assistant, "answer", answer)
    result = CliRunner().invoke(cli, ["eval", str(dataset), "--json", "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["errors"] == 1
    assert "s2: RuntimeError: boom" in result.stderr
    assert (tmp_path / "out" / "report.json").is_file()
