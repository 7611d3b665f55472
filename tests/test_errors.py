"""The one error table (reso/errors.py): every surface reads its status, Retry-After and sentence."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from test_api import SEED_QUESTION, build_services

from reso.assistant.core import InvalidQuestion
from reso.assistant.generators import GenerationError
from reso.assistant.generators.llm import GenerationTimeout
from reso.errors import ResoError, client_message, error_table, rule_for, user_message
from reso.index.store import StoreUnavailable
from reso.prompts import messages, phrase
from reso.ui.app import create_app
from reso.ui.services import Services


def test_every_rule_names_sentences_that_exist():
    table = messages()
    for rule in [*error_table().values(), rule_for(RuntimeError())]:
        assert rule.message_key in table["en"] and rule.message_key in table["fr"], rule
        assert rule.client_key is None or rule.client_key in table["en"], rule


def test_the_most_specific_class_wins():
    assert rule_for(GenerationTimeout("slow")).status == 504
    assert rule_for(GenerationError("down")).status == 502
    assert rule_for(StoreUnavailable("down")).headers == {"Retry-After": "5"}
    assert rule_for(type("Mine", (ResoError,), {})("x")).status == 503
    assert rule_for(KeyError("secret")).status == 500 and client_message(KeyError("secret")) == "internal error"
    assert user_message(InvalidQuestion("The question is empty."), "fr") == phrase(
        "ui_error_question", "fr", reason="The question is empty."
    )


class Raising:
    def __init__(self, exc):
        self.exc = exc

    def stream(self, *args, **kwargs):
        raise self.exc
        yield  # pragma: no cover

    def answer(self, *args, **kwargs):
        raise self.exc


@pytest.fixture(scope="module")
def services(tmp_path_factory, seed_path):
    return build_services(tmp_path_factory.mktemp("errors-index"), [seed_path])


@pytest.mark.parametrize(
    "exc",
    [InvalidQuestion("The question is empty."), StoreUnavailable("Chroma is unreachable"), GenerationTimeout("slow"),
     GenerationError("the model refused"), ResoError("something on purpose"), RuntimeError("secret internals")],
    ids=lambda e: type(e).__name__,
)
def test_api_stream_and_cli_all_follow_the_table(services, exc, monkeypatch):
    rule = rule_for(exc)
    broken = Services(services.settings, services.library, Raising(exc))
    with TestClient(create_app(services=broken, with_ui=False), raise_server_exceptions=False) as client:
        for path in ("/api/ask", "/api/ask/stream"):  # the stream's first step runs before it starts
            r = client.post(path, json={"question": SEED_QUESTION})
            assert r.status_code == rule.status, (path, r.text)
            assert r.json()["error"] == client_message(exc) and "secret" not in r.text
            assert r.headers.get("retry-after") == (str(rule.retry_after) if rule.retry_after else None)
    monkeypatch.setattr("reso.assistant.factory.build_assistant", lambda *a, **k: Raising(exc))
    from reso.ui.cli import cli

    result = CliRunner().invoke(cli, ["ask", SEED_QUESTION])
    if isinstance(exc, ResoError):  # the project's own errors: one line, the table's sentence, exit 1
        assert result.exit_code == 1 and result.output == f"Error: {client_message(exc)}\n"
    else:  # a bug keeps its traceback for the bug report
        assert isinstance(result.exception, RuntimeError)
