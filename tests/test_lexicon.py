"""The crosslingual lexicon: learning, the files shipped for every pair of the six languages, and its evaluation."""

from __future__ import annotations

from itertools import combinations
import pytest

from reso.evals.lexicon_eval import bootstrap, evaluate, half, query_words, rank_of
from reso.index.lexicon import DATA_DIR, LANGUAGES, Lexicon, learn, learn_all, pair_path

def test_a_file_for_every_pair_of_the_six_languages():
    for a, b in combinations(LANGUAGES, 2):
        assert pair_path(a, b).exists() and pair_path(b, a) == pair_path(a, b)
    assert sum(pair_path(a, b).stat().st_size for a, b in combinations(LANGUAGES, 2)) < 8_000_000


@pytest.mark.parametrize(
    "source,word,target,expected",
    [
        ("en", "request", "fr", "pri"),  # requests → prie
        ("fr", "prorog", "en", "extend"),
        ("zh", "制裁", "en", "sanction"),
        ("zh", "儿童", "en", "children"),
        ("ru", "санкц", "en", "sanction"),
        ("ru", "прос", "en", "request"),
        ("ar", "يطلب", "en", "request"),
        ("es", "prorrog", "en", "extend"),
        ("en", "sanction", "zh", "制裁"),
        ("es", "sancion", "ru", "санкц"),
    ],
)
def test_shipped_lexicon_translates_the_council_s_words(source, word, target, expected):
    assert expected in Lexicon(directory=DATA_DIR).translate([word], source, target)


def test_a_pair_is_read_on_first_use_only():
    lex = Lexicon(directory=DATA_DIR)
    assert lex.table == {}
    lex.translate(["制裁"], "zh", "en")
    assert set(lex.table) == {"zh>en", "en>zh"}
    assert ("ar", "ru") in lex.directions() and len(lex.directions()) == 30
    assert set(lex.table) == {"zh>en", "en>zh"}  # listing the directions reads nothing
    assert lex.translate(["x"], "en", "xx") == {}  # a language without a file: no translation, no error


def test_translate_from_goes_into_every_other_language():
    out = Lexicon(directory=DATA_DIR).translate_from(["sanction"], "en")
    assert {"制裁", "санкц", "sancion"} <= set(out)


def test_numbers_are_not_translated():
    # the same year in both versions, and the next year often beside it: 2011 must not become 2012
    pairs = [({"2011", "2012", "ban"}, {"2011", "2012", "interdict"})] * 3 + [({"2011"}, {"2011"})] * 3
    lex = learn(pairs)
    assert lex.translate(["2011"], "en", "fr") == {} and lex.translate(["2012"], "fr", "en") == {}
    assert lex.translate(["ban"], "en", "fr") == {"interdict": 1.0}


def test_lexicon_learns_from_aligned_pairs():
    pairs = [({"fund", "state"}, {"fond", "etat"})] * 3 + [({"state"}, {"etat"})] * 3
    lex = learn(pairs)
    assert lex.translate(["fund"], "en", "fr")["fond"] == 1.0
    found = lex.translate(["state"], "en", "fr")
    assert max(found, key=found.get) == "etat"


def test_the_mutual_filter_drops_a_link_the_translation_gives_to_another_word():
    # "state" only ever appears beside "council", and its French has no word of its own here:
    # raw Dice links it with "conseil" (2·4/(4+12) = 0.5), whose best source is "council" (1.0).
    pairs = [({"council"}, {"conseil"})] * 8 + [({"council", "state"}, {"conseil"})] * 4
    assert learn(pairs, mutual=0.0).translate(["state"], "en", "fr") == {"conseil": 0.5}
    assert learn(pairs, mutual=0.9).translate(["state"], "en", "fr") == {}
    assert learn(pairs, mutual=0.9).translate(["conseil"], "fr", "en") == {"council": 1.0}


def test_counts_without_scipy_are_the_same(monkeypatch):
    import random
    import sys

    rng = random.Random(1)
    letters = "abcdefghijklmnopqrstuvwxyz"
    pairs = []
    for _ in range(200):
        chosen = rng.sample(letters, 6)
        pairs.append(({f"w{c}" for c in chosen}, {f"t{c}" for c in chosen if rng.random() < 0.9}))
    with_scipy = learn(pairs).table
    monkeypatch.setitem(sys.modules, "scipy", None)  # `from scipy import sparse` raises ImportError
    assert learn(pairs).table == with_scipy
    assert [t for t, _ in with_scipy["en>fr"]["wc"]] == ["tc"]


def test_save_and_read_one_file_a_pair(tmp_path):
    sets = {("S/RES/1", f"OP{i}"): {"en": frozenset({"fund", f"n{i}"}), "fr": frozenset({"fond", f"n{i}"}), "zh": frozenset({"基金"})} for i in range(4)}
    lex, counts = learn_all(sets, ("en", "fr", "zh"))
    assert counts == {"en-fr": 4, "en-zh": 4, "fr-zh": 4}
    written = lex.save(tmp_path)
    assert sorted(p.name for p in written) == ["lexicon-en-fr.tsv", "lexicon-en-zh.tsv", "lexicon-fr-zh.tsv"]
    again = Lexicon(directory=tmp_path)
    assert again.translate(["基金"], "zh", "fr") == {"fond": 1.0}
    assert Lexicon.read(tmp_path / "lexicon-en-fr.tsv").translate(["fond"], "fr", "en") == {"fund": 1.0}


def test_eval_pieces():
    assert {half(f"S/RES/{n}(2020)") for n in range(2500, 2540)} == {0, 1}
    assert half("S/RES/2500(2020)") == half("S/RES/2500(2020)")
    import numpy as np

    assert rank_of(np.array([0.0, 0.0, 0.0]), 1) == 3  # ties count against the paragraph
    assert rank_of(np.array([1.0, 3.0, 2.0]), 2) == 2
    share, lo, hi = bootstrap([True] * 30 + [False] * 70)
    assert share == 0.3 and lo < 0.3 < hi and hi - lo < 0.25
    assert len(query_words("Le Conseil de sécurité " + "décide " * 30, "fr")) == 12
    assert query_words("安全理事会" * 10, "zh")[0].startswith("安")


def test_eval_ranks_the_english_paragraph_with_the_lexicon():
    """Held-out French paragraphs whose words are not English: only the lexicon finds their English version."""
    topics = [("fond", "fund"), ("enfant", "children"), ("prorog", "extend"), ("sanction", "sanction"), ("mine", "mine")]
    versions = {}
    n = 0
    while len([k for k in versions if half(k[0]) == 1]) < len(topics):
        doc = f"S/RES/{n}"
        n += 1
        if half(doc) != 1:
            continue
        fr, en = topics[len(versions)]
        versions[(doc, "OP1")] = {"fr": f"Le Conseil {fr}s {fr}", "en": f"The Council {en}s {en}"}
    lex = Lexicon({"fr>en": {"fond": [("fund", 1.0)], "enfant": [("children", 1.0)], "prorog": [("extend", 1.0)]}})
    result = evaluate(versions, {"none": None, "lex": lex}, ("fr",), queries=10)
    assert result["fr"]["lex"]["top1"][0] == 1.0
    assert result["fr"]["none"]["top1"][0] < 1.0


@pytest.mark.slow
def test_learned_on_half_the_corpus_the_lexicon_beats_no_expansion_on_the_other(shared_corpus):
    from reso.index.lexicon import paragraphs, token_sets

    versions = paragraphs([shared_corpus])
    lex, _ = learn_all(token_sets({k: v for k, v in versions.items() if half(k[0]) == 0}), ("en", "fr"))
    result = evaluate(versions, {"none": None, "dice": lex}, ("fr",), queries=300)
    none, dice = result["fr"]["none"]["top5"], result["fr"]["dice"]["top5"]
    assert dice[1] > none[2]  # the intervals do not overlap
