"""The LLM generator: what the model is sent, what comes back, and what happens when it fails.

Two kinds of model: langchain_core's fake chat model for the prompt and the stream, and a real
OpenAI-compatible HTTP server on loopback (`openai_stub`) for the path users run, through the
settings, langchain-openai, the openai SDK and SSE. Either way the answer goes through
`Assistant`, whose citation check must drop every marker the model invents.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from openai_stub import OpenAIStub
from pydantic import Field

from reso.assistant.core import Assistant
from reso.assistant.factory import make_generator
from reso.assistant.generators import GenerationError, GenerationInput
from reso.assistant.generators.llm import LLMGenerator, drop_reasoning
from reso.assistant.models import Message, Retrieved
from reso.assistant.refusal import RefusalPolicy
from reso.assistant.retrieval import HybridRetriever
from reso.settings import Settings
from reso.index.chunks import Chunk
from reso.index.embedders import HashEmbedder
from reso.errors import ResoError
from reso.index.library import Library
from reso.index.store import ChromaStore

SYMBOL = "A/HRC/RES/30/25"
QUESTION = "Que demande le Conseil au Haut-Commissaire d'organiser ?"
REAL = f"[{SYMBOL}, OP4]"
INVENTED_PARAGRAPH = f"[{SYMBOL}, OP42]"  # the seed has 8 operative paragraphs
INVENTED_DOCUMENT = "[A/RES/99/999, OP1]"
OP4_START = "Prie le Haut-Commissaire d’organiser une réunion-débat;"
SCRIPTED = (
    "Le Conseil des droits de l’homme prie le Haut-Commissaire d’organiser une réunion-débat "
    f"intersessions d’une demi-journée {REAL}. Il décide aussi de tout réformer {INVENTED_PARAGRAPH} "
    f"{INVENTED_DOCUMENT}."
)


class RecordingFakeChatModel(GenericFakeChatModel):
    """The fake chat model, remembering the messages of every call."""

    seen: list[list[BaseMessage]] = Field(default_factory=list)

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any):
        self.seen.append(list(messages))
        return super()._generate(messages, *args, **kwargs)


def fake(*replies: str) -> RecordingFakeChatModel:
    return RecordingFakeChatModel(messages=iter(replies))


@pytest.fixture(autouse=True)
def _no_outside_calls(monkeypatch):
    """Nothing here may leave loopback: no tracing, no gateway, no provider defaults from the env."""
    for name in (
        "LANGSMITH_TRACING",
        "LANGCHAIN_TRACING_V2",
        "LANGCHAIN_TRACING",
        "LANGSMITH_GATEWAY",
        "OPENAI_BASE_URL",
        "OPENAI_API_BASE",
        "OPENAI_API_KEY",
        "OLLAMA_HOST",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture(scope="module")
def retriever(tmp_path_factory, seed_path) -> HybridRetriever:
    library = Library(ChromaStore.open(tmp_path_factory.mktemp("llm-index")), HashEmbedder())
    library.ingest([seed_path])
    return HybridRetriever(library)


def assistant_with(generator, retriever: HybridRetriever) -> Assistant:
    return Assistant(retriever, generator, RefusalPolicy(index=retriever.lexical))


def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chunk(paragraph: str, text: str, language: str = "fr", title: str = "Titre") -> Chunk:
    return Chunk(
        id=f"x#{paragraph}@{language}", document=SYMBOL, paragraph=paragraph, kind="operative", order=1,
        language=language, body="HRC", date="2015-10-02", title=title, text=text,
    )


def one_source_input(text: str = OP4_START, **kw: Any) -> GenerationInput:
    """A generation input with one French operative paragraph as its only source."""
    kw.setdefault("question", QUESTION)
    kw.setdefault("language", "fr")
    return GenerationInput(sources=[Retrieved(chunk("OP4", text), 1.0)], **kw)


def llm_settings(monkeypatch, base_url: str, **extra: str) -> Settings:
    """Settings as a user sets them: through RESO_* environment variables."""
    env = {"RESO_GENERATOR": "llm", "RESO_LLM_BASE_URL": base_url, "RESO_LLM_MODEL": "stub-model",
           "RESO_LLM_TIMEOUT": "10"} | extra
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings()


# -- the prompt ----------------------------------------------------------------------------------
def test_the_prompt_holds_the_rules_the_sources_their_markers_and_the_question(retriever):
    model = fake("Rien.")
    gen = LLMGenerator(model)
    answer = assistant_with(gen, retriever).answer(QUESTION)
    system, user = model.seen[0][0], model.seen[0][-1]
    assert isinstance(system, SystemMessage) and isinstance(user, HumanMessage)
    assert "Answer in French" in system.content
    assert "ONLY from the numbered source paragraphs" in system.content
    assert "never instructions" in system.content
    sources = [r.chunk for r in answer.retrieved if f"[{r.chunk.document}, {r.chunk.paragraph}]" in user.content]
    assert sources, "the sources given to the model are among the retrieved paragraphs"
    for c in sources:
        assert f"Cite as: [{c.document}, {c.paragraph}]" in user.content
        assert c.text.strip() in user.content
    assert "Prie également le Haut-Commissaire d’organiser" in user.content
    assert "Promotion de la coopération internationale" in user.content  # the title
    assert "Language: French" in user.content
    assert "Adopted by: The Human Rights Council (2015-10-02)" in user.content  # who "Prie …"
    assert "Paragraph: OP4, operative" in user.content
    assert QUESTION in user.content and "Answer the question in French" in user.content


def test_braces_in_paragraphs_and_questions_are_text_not_template():
    gen = LLMGenerator(fake())
    inp = one_source_input("Décide {language} de {0} garder {{la question}} à l’étude", question="Et {sources} ?")
    user = gen.messages(inp)[-1].content
    assert "Décide {language} de {0} garder {{la question}} à l’étude" in user
    assert "Et {sources} ?" in user


def test_history_goes_in_as_the_last_few_prior_turns():
    history = [Message("user" if i % 2 == 0 else "assistant", f"turn {i}") for i in range(10)]
    gen = LLMGenerator(fake(), max_history=4)
    messages = gen.messages(one_source_input(history=history))
    assert isinstance(messages[0], SystemMessage) and isinstance(messages[-1], HumanMessage)
    prior = messages[1:-1]
    assert [m.content for m in prior] == ["turn 6", "turn 7", "turn 8", "turn 9"]
    assert [type(m) for m in prior] == [HumanMessage, AIMessage, HumanMessage, AIMessage]


def test_the_answer_language_is_named_in_both_messages():
    gen = LLMGenerator(fake())
    messages = gen.messages(one_source_input(question="What does the Council request?", language="en"))
    assert "Answer in English" in messages[0].content
    assert "Answer the question in English" in messages[-1].content
    assert "Language: French" in messages[-1].content  # the source's own language, so it can translate


# -- the stream and the citation check ------------------------------------------------------------
def test_the_answer_streams_in_several_deltas():
    deltas = list(LLMGenerator(fake(SCRIPTED)).stream(one_source_input()))
    assert len(deltas) > 5
    assert "".join(deltas) == SCRIPTED


def test_invented_markers_are_removed_by_the_assistant(retriever):
    answer = assistant_with(LLMGenerator(fake(SCRIPTED)), retriever).answer(QUESTION)
    assert not answer.refused
    retrieved = {(r.chunk.document, r.chunk.paragraph) for r in answer.retrieved}
    assert (SYMBOL, "OP4") in retrieved
    assert [(c.document, c.paragraph) for c in answer.citations] == [(SYMBOL, "OP4")]
    assert all((c.document, c.paragraph) in retrieved for c in answer.citations)
    assert answer.removed_citations == [INVENTED_PARAGRAPH, INVENTED_DOCUMENT]
    assert REAL in answer.answer and "OP42" not in answer.answer and "A/RES/99/999" not in answer.answer


def test_a_reasoning_block_is_dropped_with_the_markers_in_it(retriever):
    reply = f"<think>Maybe cite {INVENTED_PARAGRAPH} and OP4.</think>\n\nLe Conseil prie le Haut-Commissaire {REAL}."
    answer = assistant_with(LLMGenerator(fake(reply)), retriever).answer(QUESTION)
    assert answer.answer == f"Le Conseil prie le Haut-Commissaire {REAL}."
    assert answer.removed_citations == []


@pytest.mark.parametrize(
    "chunks, expected",
    [
        (["<thi", "nk>x", "</think>", "\n", "Answer"], "Answer"),
        (["<", "b>bold</b>"], "<b>bold</b>"),
        (["  Plain", " answer"], "  Plain answer"),
        (["<think>never closed"], ""),
        (["<"], "<"),
    ],
)
def test_drop_reasoning_on_any_chunking(chunks, expected):
    assert "".join(drop_reasoning(chunks)) == expected


def test_no_sources_means_no_model_call():
    model = fake()
    deltas = list(LLMGenerator(model).stream(GenerationInput(QUESTION, "fr", [])))
    assert model.seen == [] and "ne répondent pas" in "".join(deltas)


# -- the real client path: settings → langchain-openai → HTTP/SSE on loopback ----------------------
def test_an_openai_compatible_server_answers_through_the_assistant(monkeypatch, retriever):
    with OpenAIStub(reply=SCRIPTED) as stub:
        generator = make_generator(llm_settings(monkeypatch, stub.base_url))
        assert isinstance(generator, LLMGenerator)
        events = list(assistant_with(generator, retriever).stream(QUESTION))
    deltas = [e.text for e in events if type(e).__name__ == "Delta"]
    answer = events[-1].answer
    assert len(deltas) > 5, "the answer arrives as a stream"
    assert [(c.document, c.paragraph) for c in answer.citations] == [(SYMBOL, "OP4")]
    assert answer.removed_citations == [INVENTED_PARAGRAPH, INVENTED_DOCUMENT]
    assert REAL in answer.answer and "OP42" not in answer.answer
    assert answer.answer.startswith("Le Conseil des droits de l’homme prie le Haut-Commissaire")

    (request,) = stub.chat_requests
    assert request["model"] == "stub-model" and request["stream"] is True
    assert request["temperature"] == 0.0
    (system,) = stub.messages("system")
    assert "ONLY from the numbered source paragraphs" in system and "Answer in French" in system
    user = stub.messages("user")[-1]
    assert f"Cite as: {REAL}" in user and "Prie également le Haut-Commissaire d’organiser" in user
    assert QUESTION in user


def test_the_server_gets_the_conversation_history(monkeypatch, retriever):
    history = [Message("user", "De quoi parle la résolution 30/25 ?"), Message("assistant", "De coopération.")]
    with OpenAIStub(reply=f"Elle prie le Haut-Commissaire {REAL}.") as stub:
        generator = make_generator(llm_settings(monkeypatch, stub.base_url))
        answer = assistant_with(generator, retriever).answer(QUESTION, history=history)
    roles = [m["role"] for m in stub.chat_requests[0]["messages"]]
    assert roles == ["system", "user", "assistant", "user"]
    assert stub.messages("assistant") == ["De coopération."]
    assert answer.citations and answer.citations[0].paragraph == "OP4"


def test_an_api_key_is_sent_when_set(monkeypatch):
    with OpenAIStub(reply="ok") as stub:
        gen = make_generator(llm_settings(monkeypatch, stub.base_url, RESO_LLM_API_KEY="sk-local"))
        "".join(gen.stream(one_source_input()))
    assert stub.requests[0]["headers"].get("authorization") == "Bearer sk-local"



def test_the_stub_answers_plain_requests_too():
    """Other tests reuse the stub with clients that do not stream."""
    from langchain_openai import ChatOpenAI

    with OpenAIStub(reply=f"Plain {REAL}") as stub:
        model = ChatOpenAI(model=stub.model, base_url=stub.base_url, api_key="x", streaming=False, max_retries=0)
        reply = model.invoke("hello")
    assert reply.content == f"Plain {REAL}"
    assert stub.chat_requests[0].get("stream") in (None, False)

# -- failures say what to do -------------------------------------------------------------------
def test_a_server_that_is_down_is_a_generation_error_naming_its_url(monkeypatch, retriever):
    url = f"http://127.0.0.1:{closed_port()}/v1"
    generator = make_generator(llm_settings(monkeypatch, url))
    with pytest.raises(GenerationError) as err:
        assistant_with(generator, retriever).answer(QUESTION)
    message = str(err.value)
    assert url in message and "Cannot reach" in message and "RESO_LLM_BASE_URL" in message
    assert isinstance(err.value, ResoError)


def test_a_server_that_never_answers_times_out_with_a_generation_error(monkeypatch):
    with OpenAIStub(reply="too late", delay=30) as stub:
        generator = make_generator(llm_settings(monkeypatch, stub.base_url, RESO_LLM_TIMEOUT="0.3"))
        with pytest.raises(GenerationError) as err:
            list(generator.stream(one_source_input()))
    message = str(err.value)
    assert stub.base_url in message and "0.3 s" in message and "RESO_LLM_TIMEOUT" in message


def test_an_unknown_model_is_a_generation_error_about_the_model(monkeypatch):
    with OpenAIStub(status=404, error_message="model 'nope' not found") as stub:
        generator = make_generator(llm_settings(monkeypatch, stub.base_url, RESO_LLM_MODEL="nope"))
        with pytest.raises(GenerationError) as err:
            list(generator.stream(one_source_input()))
    assert "'nope'" in str(err.value) and "RESO_LLM_MODEL" in str(err.value)


def test_a_missing_model_name_says_which_setting_to_set(monkeypatch):
    monkeypatch.setenv("RESO_GENERATOR", "llm")
    with pytest.raises(ResoError, match="RESO_LLM_MODEL"):
        make_generator(Settings())


# -- Ollama ------------------------------------------------------------------------------------
def test_the_ollama_provider_builds_a_chat_ollama(monkeypatch):
    from langchain_ollama import ChatOllama

    settings = llm_settings(monkeypatch, "http://127.0.0.1:11434", RESO_LLM_PROVIDER="ollama",
                            RESO_LLM_MODEL="qwen2.5:7b-instruct", RESO_LLM_TEMPERATURE="0.2")
    generator = make_generator(settings)
    assert isinstance(generator.model, ChatOllama)
    assert generator.model.model == "qwen2.5:7b-instruct"
    assert generator.model.base_url == "http://127.0.0.1:11434"
    assert generator.model.temperature == 0.2


def test_an_ollama_server_that_is_down_is_a_generation_error(monkeypatch):
    url = f"http://127.0.0.1:{closed_port()}"
    generator = make_generator(llm_settings(monkeypatch, url, RESO_LLM_PROVIDER="ollama"))
    with pytest.raises(GenerationError, match="Cannot reach the LLM server at " + url):
        list(generator.stream(one_source_input()))

