"""A bounded load runner for a running `reso serve`: good and bad requests, many clients at once.

    python3 -m evals.load --url http://127.0.0.1:8321 --clients 32 --seconds 60 [--json]

Each client thread keeps one HTTP connection and sends, until the time is up, a mix of

    ask              POST /api/ask, a question from the evaluation sets           → 200
    ask_filtered     the same with filters (a document, a body, a language, dates)  → 200
    stream           POST /api/ask/stream, read to its `done` event                 → 200
    paragraph        GET /api/paragraph of an indexed paragraph                     → 200 (404 if it has no OP1)
    documents        GET /api/documents                                             → 200
    oversized        a 100 KB body                                                  → 413
    malformed        a body that is not JSON                                        → 422
    unknown_document a filter naming a document that is not indexed                 → 422

and the report gives, per kind, the requests sent, the status codes received and the p50/p95
latency, with the totals: 5xx answers, transport errors (no answer within --timeout, connection
refused or cut), and "unexpected" answers (a good request not answered 200, a bad one not 4xx;
429 and 503 are counted apart, as the server saying "later" on purpose).

It only talks to loopback unless --allow-remote is given, and is bounded in clients and time:
it is meant for a server you started, not for someone else's.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_QUESTIONS = ROOT / "evals" / "datasets" / "seed-dev.jsonl"
MAX_CLIENTS = 256
MAX_SECONDS = 3600

GOOD = ("ask", "ask_filtered", "stream", "paragraph", "documents")
BAD = ("oversized", "malformed", "unknown_document")
WEIGHTS = {"ask": 30, "ask_filtered": 15, "stream": 20, "paragraph": 10, "documents": 5,
           "oversized": 7, "malformed": 7, "unknown_document": 6}
LATER = (429, 503)  # the server declining on purpose: rate limit, index server down


def read_questions(paths: Sequence[Path]) -> list[str]:
    out: list[str] = []
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                question = json.loads(line).get("question")
                if isinstance(question, str) and question.strip():
                    out.append(question)
    if not out:
        raise SystemExit(f"no questions in {', '.join(map(str, paths))}")
    return out


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, int(round(q / 100 * (len(ordered) - 1)))))
    return round(ordered[rank], 1)


@dataclass
class Sample:
    at: float  # seconds since the run started, when the answer (or failure) came
    kind: str
    status: int | str  # the HTTP status, or "timeout" / "connect" / "cut" / "stream-error"
    ms: float


@dataclass
class Plan:
    questions: list[str]
    documents: list[str] = field(default_factory=list)
    weights: dict[str, int] = field(default_factory=lambda: dict(WEIGHTS))

    def request(self, kind: str, rng: random.Random) -> tuple[str, str, dict]:
        """(method, path, httpx keyword arguments) of one request of this kind."""
        question = rng.choice(self.questions)
        if kind == "ask":
            return "POST", "/api/ask", {"json": {"question": question}}
        if kind == "ask_filtered":
            filters: dict = rng.choice([
                {"documents": [rng.choice(self.documents)]} if self.documents else {"bodies": ["HRC"]},
                {"bodies": [rng.choice(["HRC", "GA", "SC"])]},
                {"languages": [rng.choice(["fr", "en"])]},
                {"date_from": "2000-01-01", "date_to": "2030-12-31"},
            ])
            return "POST", "/api/ask", {"json": {"question": question, "filters": filters}}
        if kind == "stream":
            return "POST", "/api/ask/stream", {"json": {"question": question}}
        if kind == "paragraph":
            document = rng.choice(self.documents) if self.documents else "A/HRC/RES/30/25"
            return "GET", "/api/paragraph", {"params": {"document": document, "paragraph": "OP1"}}
        if kind == "documents":
            return "GET", "/api/documents", {}
        if kind == "oversized":
            body = json.dumps({"question": "a" * 100_000})
            return "POST", "/api/ask", {"content": body, "headers": {"Content-Type": "application/json"}}
        if kind == "malformed":
            return "POST", "/api/ask", {"content": b'{"question": ', "headers": {"Content-Type": "application/json"}}
        if kind == "unknown_document":
            return "POST", "/api/ask", {"json": {"question": question, "filters": {"documents": ["A/RES/99/9999"]}}}
        raise ValueError(kind)


def expected(kind: str, status: int | str) -> bool:
    """A good request answered 200 (a paragraph look-up may be 404), a bad one 4xx."""
    if not isinstance(status, int):
        return False
    if kind in BAD:
        return 400 <= status < 500 and status != 429
    return status == 200 or (kind == "paragraph" and status == 404)


def _one(client, plan: Plan, kind: str, rng: random.Random) -> int | str:
    import httpx

    method, path, kwargs = plan.request(kind, rng)
    try:
        if kind != "stream":
            return client.request(method, path, **kwargs).status_code
        with client.stream(method, path, **kwargs) as response:
            if response.status_code != 200:
                response.read()
                return response.status_code
            last = ""
            for line in response.iter_lines():
                if line.startswith("event: "):
                    last = line[7:].strip()
            return 200 if last == "done" else ("stream-error" if last == "error" else "cut")
    except httpx.TimeoutException:
        return "timeout"
    except httpx.ConnectError:
        return "connect"
    except httpx.TransportError:
        return "cut"


def run_load(
    url: str,
    clients: int = 32,
    seconds: float = 60.0,
    questions: Sequence[str] | None = None,
    timeout: float = 30.0,
    seed: int = 0,
    weights: dict[str, int] | None = None,
    stop: threading.Event | None = None,
    on_sample: Callable[[Sample], None] | None = None,
) -> dict:
    """Run the mix; returns the report (`samples` holds every answer, for callers that look closer)."""
    import httpx

    clients = max(1, min(clients, MAX_CLIENTS))
    seconds = max(0.1, min(seconds, MAX_SECONDS))
    plan = Plan(list(questions or read_questions([DEFAULT_QUESTIONS])))
    if weights:
        plan.weights = dict(weights)
    try:
        docs = httpx.get(f"{url.rstrip('/')}/api/documents", timeout=timeout)
        plan.documents = [d["document"] for d in docs.json()] if docs.status_code == 200 else []
    except (httpx.HTTPError, ValueError):
        plan.documents = []
    kinds = [k for k, w in plan.weights.items() if w > 0]
    samples: list[Sample] = []
    lock = threading.Lock()
    stop = stop or threading.Event()
    t0 = time.perf_counter()
    deadline = t0 + seconds

    def client_loop(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        with httpx.Client(base_url=url, timeout=timeout) as client:
            while time.perf_counter() < deadline and not stop.is_set():
                kind = rng.choices(kinds, weights=[plan.weights[k] for k in kinds])[0]
                started = time.perf_counter()
                status = _one(client, plan, kind, rng)
                now = time.perf_counter()
                sample = Sample(round(now - t0, 3), kind, status, (now - started) * 1000)
                with lock:
                    samples.append(sample)
                if on_sample is not None:
                    on_sample(sample)

    threads = [threading.Thread(target=client_loop, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + timeout + 30)
    return report(samples, time.perf_counter() - t0, clients, url)


def report(samples: Sequence[Sample], wall: float, clients: int, url: str) -> dict:
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        by_kind[s.kind].append(s)
    kinds = {}
    for kind in [*GOOD, *BAD]:
        rows = by_kind.get(kind, [])
        if not rows:
            continue
        kinds[kind] = {
            "requests": len(rows),
            "statuses": dict(sorted(Counter(str(s.status) for s in rows).items())),
            "unexpected": sum(1 for s in rows if not expected(kind, s.status) and s.status not in LATER),
            "p50_ms": percentile([s.ms for s in rows], 50),
            "p95_ms": percentile([s.ms for s in rows], 95),
        }
    statuses = Counter(str(s.status) for s in samples)
    return {
        "url": url,
        "clients": clients,
        "seconds": round(wall, 1),
        "requests": len(samples),
        "requests_per_s": round(len(samples) / wall, 1) if wall else 0.0,
        "statuses": dict(sorted(statuses.items())),
        "5xx": sum(n for code, n in statuses.items() if code.isdigit() and int(code) >= 500),
        "transport_errors": sum(n for code, n in statuses.items() if not code.isdigit()),
        "unexpected": sum(k["unexpected"] for k in kinds.values()),
        "kinds": kinds,
        "samples": list(samples),
    }


def table(rep: dict) -> str:
    lines = [f"{'kind':<17} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8}  statuses"]
    for kind, k in rep["kinds"].items():
        statuses = ", ".join(f"{code}×{n}" for code, n in k["statuses"].items())
        lines.append(f"{kind:<17} {k['requests']:>8} {k['p50_ms']:>8} {k['p95_ms']:>8}  {statuses}")
    lines.append(
        f"{rep['requests']} requests in {rep['seconds']} s ({rep['requests_per_s']}/s) from {rep['clients']} clients; "
        f"5xx: {rep['5xx']}; transport errors: {rep['transport_errors']}; unexpected: {rep['unexpected']}"
    )
    return "\n".join(lines)


def _loopback(url: str) -> bool:
    import ipaddress

    host = (urlsplit(url).hostname or "").strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m evals.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="base URL of a running reso serve, e.g. http://127.0.0.1:8321")
    parser.add_argument("--clients", type=int, default=32, help=f"concurrent clients (at most {MAX_CLIENTS})")
    parser.add_argument("--seconds", type=float, default=60.0, help=f"duration (at most {MAX_SECONDS})")
    parser.add_argument("--questions", type=Path, action="append",
                        help="JSON Lines with a 'question' field (repeatable; default: evals/datasets/seed-dev.jsonl)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds a request may take before it counts as a timeout")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--allow-remote", action="store_true", help="allow a URL that is not loopback")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 on any 5xx, transport error or unexpected status")
    args = parser.parse_args(argv)
    if not args.allow_remote and not _loopback(args.url):
        parser.error(f"{args.url} is not a loopback address; pass --allow-remote if you mean it")
    questions = read_questions(args.questions or [DEFAULT_QUESTIONS])
    rep = run_load(args.url, args.clients, args.seconds, questions, args.timeout, args.seed)
    rep.pop("samples")
    print(json.dumps(rep, indent=2) if args.json else table(rep))
    if args.check and (rep["5xx"] or rep["transport_errors"] or rep["unexpected"]):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
