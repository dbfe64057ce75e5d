"""Reading a question once: tokens, concepts, names, what is asked, the question sentence."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.engine.reading import read, read_sentence, sentences


def test_one_question_value_holds_what_is_asked(engine: Engine):
    q = read(engine, "How many deaths did Malaysia report?")
    assert q.tokens[:2] == ("how", "many")
    assert q.asks == ("number",)
    assert q.figures == ("deaths",)
    assert [e.id for e in q.of_kind("country")] == ["malaysia"]


def test_answer_types_in_question_order(engine: Engine):
    assert read(engine, "when and where did they meet").asks == ("date", "place")
    assert read(engine, "who sponsored it").asks == ("person",)


def test_active_cases_are_one_kind_of_figure(engine: Engine):
    assert read(engine, "active cases in Thailand").figures == ("active",)
    assert read(engine, "cases and deaths in Thailand").figures == ("confirmed", "deaths")


def test_chat_before_the_question_is_set_aside(engine: Engine):
    q = read(engine, "had pad thai for lunch lol. anyway who represented Cambodia?")
    assert q.before.startswith("had pad thai")
    assert [e.id for e in q.of_kind("country")] == ["cambodia"]


def test_a_name_before_a_colon_stays_with_the_question(engine: Engine):
    q = read(engine, "Myanmar: how many active cases?")
    assert [e.id for e in q.of_kind("country")] == ["myanmar"]


def test_sentences_split_on_end_punctuation():
    assert sentences("ok. thanks! who hosted it?") == ["ok.", "thanks!", "who hosted it?"]


def test_words_after_besides_are_set_aside(engine: Engine):
    q = read_sentence(engine, "besides Japan which partners does the article name")
    assert q.excluded[:1] == ("japan",)
    assert not q.of_kind("partner")


def test_a_shared_family_name_is_ambiguous_only_when_it_names_someone(engine: Engine):
    assert {e.id for e in read(engine, "who is Park").ambiguous} == {"park-won-soon", "park-bo-kyeong"}
    assert read(engine, "we had a picnic in the park, how many cases in Laos").ambiguous == ()


def test_ordinary_words_never_become_names(engine: Engine):
    for line in ("do the labs test for covid", "brunch ideas for sunday", "i like mali music"):
        assert not read(engine, line).of_kind("country"), line


def test_a_real_typo_of_a_name_is_still_a_name(engine: Engine):
    assert [e.id for e in read(engine, "cases in thialand").of_kind("country")] == ["thailand"]


def test_names_in_the_regions_scripts_anywhere_in_a_sentence(engine: Engine):
    cases = {"ที่ประเทศไทยมีผู้ติดเชื้อกี่คน": "thailand", "캄보디아 대사는 누구": "cambodia",
             "ສປປ ລາວ": "laos", "ប្រទេសកម្ពុជា": "cambodia", "မြန်မာနိုင်ငံ": "myanmar",
             "tell me about viet nam please": "vietnam", "news from Lao PDR": "laos", "was Burma hit hard": "myanmar"}
    for line, country in cases.items():
        assert country in [e.id for e in read(engine, line).of_kind("country")], line


def test_question_words_in_other_languages_are_concepts(engine: Engine):
    assert read(engine, "Ai là đại sứ Malaysia?").has("envoy")
    assert read(engine, "siapa duta besar Brunei").has("who", "envoy")
    assert read(engine, "ilan ang namatay sa Pilipinas").figures == ("deaths",)
    assert read(engine, "태국 사망자 몇 명").figures == ("deaths",)


def test_a_misspelt_question_word_is_read_as_the_word(engine: Engine):
    q = read(engine, "who represnted malaysia at the rountable")
    assert q.has("envoy")
    assert "represented" in q.tokens
    assert read(engine, "who was the ambasador for thailand").has("envoy")


def test_names_and_ordinary_words_are_not_respelt(engine: Engine):
    q = read(engine, "how many testing labs in thialand")
    assert [e.id for e in q.of_kind("country")] == ["thailand"]
    assert "labs" in q.tokens


@pytest.mark.parametrize("word", ["facilities", "policies", "studied", "taking", "stopped"])
def test_an_inflected_english_word_is_not_respelt_into_a_concept(engine: Engine, word):
    assert word in read(engine, f"what did brunei say about {word}").tokens  # not "fatalities"


def test_a_capitalised_word_may_be_a_misspelt_name(engine: Engine):
    assert [e.id for e in read(engine, "who was the envoy for Loas").of_kind("country")] == ["laos"]
    assert not read(engine, "do the labs test for covid").of_kind("country")


def test_resolving_among_some_kinds_scores_only_their_names(engine: Engine):
    res = engine.names.resolve("thialand", {"country"})
    assert res.entity is not None and res.entity.id == "thailand"
    assert all(e.kind == "country" for e in res.candidates)
