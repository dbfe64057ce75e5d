"""Every command, with typos, aliases, demonyms and names the article does not cover."""

from __future__ import annotations

import pytest

from bot.engine import Engine


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("!ambassador Thailand", "Romane Kanaruk"),
        ("!ambasador thialand", "Romane Kanaruk"),
        ("!ambassador Viet Nam", "Nguyen Vu Tu"),
        ("!ambassador Lao PDR", "Thiang Boupha"),
        ("!ambassador Burma", "Thant Sin"),
        ("!ambassador Thai", "Romane Kanaruk"),
        ("!envoy Filipino", "De Jesus"),
        ("!ambassador Umar Hadi", "Indonesia"),
        ("!ambassador Eric Teo", "Singapore"),
        ("!ambassador Dimanche", "Cambodia"),
        ("!amb brunei darussalam", "Nouriyah"),
    ],
)
def test_ambassador(ask, line, expected):
    assert expected in ask(line)


@pytest.mark.parametrize(("line", "expected"), [
    ("!country 인도네시아", "Umar Hadi"), ("!country 인도네시아는", "Umar Hadi"), ("!stats မြန်မာ", "290"),
    ("!ambassador ประเทศไทย", "Romane Kanaruk"), ("!country ລາວ", "Thiang Boupha"), ("!ambassador កម្ពុជា", "Dimanche"),
    ("!stats 베트남", "349"),
])
def test_commands_take_names_in_the_regions_scripts(ask, line, expected):
    assert expected in ask(line)


def test_charge_d_affaires_is_not_called_ambassador(engine: Engine):
    answer = engine.answer("!ambassador Philippines")
    assert "Charge d'affaires" in answer.body
    assert "Ambassador" not in answer.body


@pytest.mark.parametrize(("line", "name", "figure"), [
    ("!country vietnm", "Nguyen Vu Tu", "349"),
    ("!country Singpore", "Eric Teo", "42,313"),
    ("!country Malaysian", "Mohd Ashri Muda", "8,587"),
])
def test_country_card(ask, line, name, figure):
    text = ask(line)
    assert name in text and figure in text and "June 22" in text


def test_stats_table_lists_all_ten(engine: Engine, kb):
    text = engine.answer("!stats").to_text()
    for c in kb.members:
        assert c.name in text
        assert f"{c.stats.value('confirmed'):,}" in text


def test_stats_one_country(ask):
    text = ask("!stats Malasia")
    assert "8,587" in text and "289" in text and "121" in text


@pytest.mark.parametrize("line", ["!country France", "!stats Germany", "!ambassador Australia"])
def test_places_the_article_does_not_cover(engine: Engine, line):
    answer = engine.answer(line)
    assert answer.kind == "not_covered"
    assert "does not cover" in answer.body and "Vietnam" in answer.body


def test_partner_country_has_no_figures(engine: Engine):
    answer = engine.answer("!stats Korea")
    assert answer.kind == "not_covered"
    assert "not an ASEAN member" in answer.body


def test_ambiguous_name_asks(engine: Engine):
    answer = engine.answer("!who Park")
    assert answer.kind == "unsure"
    assert any("Park Won-soon" in s for s in answer.suggestions)
    assert any("Park Bo-kyeong" in s for s in answer.suggestions)


def test_gibberish_is_not_guessed(engine: Engine):
    answer = engine.answer("!country qqqzzx")
    assert answer.kind in {"not_covered", "unsure"}
    assert "Represented" not in answer.to_text()


@pytest.mark.parametrize(("line", "expected"), [
    ("!who Lee Hyuk", "Secretary General"),
    ("!who Oh Young-jn", "Korea Times"),
    ("!who park won soon", "Seoul"),
    ("!who Aung San Suu Kyi", "State Counselor"),
])
def test_who(ask, line, expected):
    assert expected in ask(line)


def test_event(ask):
    text = ask("!event")
    for part in ("June 15", "Oh Young-jin", "ASEAN-Korea Centre", "70th anniversary"):
        assert part in text


def test_quote_by_person_and_random(engine: Engine, kb):
    text = engine.answer("!quote Lee Hyuk").to_text()
    assert "Lee Hyuk" in text and "“" in text
    random_quote = engine.answer("!quote")
    assert random_quote.kind == "answer" and random_quote.fields


def test_quote_topic(ask):
    text = ask("!quote vaccine")
    assert "vaccine" in text.lower()


def test_quote_attributes_unnamed_sections_to_the_section(engine: Engine, kb):
    for q in kb.quotes:
        if q.speaker is None:
            text = engine.answer(f"!quote {q.text[:60]}").to_text()
            assert "section" in text or "news report" in text
            break


def test_search(ask):
    assert "950 metric tons" in ask("!search rice donation")
    assert "No matching passage" in ask("!search zzzyyqq")


def test_summary_is_the_article_in_brief_in_sentences(engine: Engine, kb):
    brief = engine.answer("!summary")
    assert brief.title == kb.article.title == engine.answer("!summary full").title
    assert brief.body.startswith("The roundtable was held on June 15 at the newspaper office in central Seoul. "
                                 "It was hosted by The Korea Times, mediated by ")
    assert "(" not in brief.body and ";" not in brief.body and ". The" not in brief.body
    names = [f.name for f in brief.fields]
    assert names[0] == "Attendees" and "Lee Hyuk" in brief.fields[0].value
    figures = next(f for f in brief.fields if f.name.startswith("COVID-19 figures as of June 22, 2020"))
    assert "Confirmed: " in figures.value and "Indonesia (46,845)" in figures.value and "Laos (19)" in figures.value


def test_spotlight_is_today_or_another_day(engine: Engine):
    today = engine.answer("!spotlight")
    assert today.title.startswith("Daily spotlight") and engine.answer("!summary today").title == today.title
    assert engine.answer("!summary tomorrow").title == engine.answer("!spotlight tomorrow").title
    assert engine.answer("!summary 2020-06-22").title.startswith("Daily spotlight")
    assert engine.answer("!summary someday").kind == "error"


def test_summary_mentions_every_member_section(engine: Engine, kb):
    text = engine.answer("!summary").to_text()
    for c in kb.members:
        if any(f.source.section == c.section for f in kb.facts):
            assert c.name in text


def test_help_lists_every_command(engine: Engine):
    text = engine.answer("!help").to_text()
    for spec in engine.specs:
        assert spec.usage in text
    assert "!quote" in engine.answer("!help quote").to_text()


def test_missing_argument_gives_usage(engine: Engine):
    answer = engine.answer("!country")
    assert answer.kind == "error" and "Usage: !country" in answer.title


def test_misspelled_command_still_runs(ask):
    assert "Romane Kanaruk" in ask("!ambasadr Thailand")


def test_unknown_command_is_read_as_a_question(engine: Engine):
    answer = engine.answer("!whoever represented Vietnam")
    assert "Nguyen Vu Tu" in answer.to_text()


def test_complete(engine: Engine):
    assert engine.complete("country", "viet")[0] == "Vietnam"
    assert engine.complete("country", "vi")[0] == "Vietnam"
    assert "Lee Hyuk" in engine.complete("person", "lee")
    assert len(engine.complete("country", "")) == 10
    assert len(engine.complete("quote", "")) <= 25


@pytest.mark.parametrize(("question", "expected"), [
    ("Who represented Cambodia?", "Long Dimanche"),
    ("Which countries had no active cases?", "Brunei and Laos"),
    ("Which country had the most confirmed cases?", "Indonesia"),
    ("What did the Indonesian envoy say about ventilators?", "ventilators"),
    ("What did the Thai ambassador say about the ASEAN COVID-19 Response Fund?", "$5 million"),
    ("Who sent Park Won-soon as a special envoy to ASEAN?", "Moon Jae-in"),
    ("Who hosted the roundtable?", "Host: The Korea Times"),
    ("When did the roundtable take place?", "June 15"),
    ("Where was the roundtable held?", "central Seoul"),
    ("How did Seoul keep its death toll near zero?", "Seoul"),
    ("How many mayors endorsed the Seoul Statement?", "42 mayors"),
])
def test_free_form_questions(ask, question, expected):
    assert expected in ask(question)


@pytest.mark.parametrize("question", [
    "What did Kim Jong-un say?",
    "How much did Korea give Laos?",
    "!who Kang Kyung-wha",
    "How many cases did Germany have?",
    "What did Korea's foreign minister say at the roundtable?",
])
def test_questions_about_what_the_article_lacks(engine: Engine, question):
    assert engine.answer(question).kind == "not_covered"


def test_other_countries_facts_are_not_passed_off(ask):
    text = ask("How much aid did Korea give Vietnam?")
    assert "300,000" not in text and "500,000" not in text


@pytest.mark.parametrize(("question", "expected"), [
    ("Who is Dimanche?", "Ambassador of Cambodia"),
    ("What is Malaysia's ambassador called?", "Mohd Ashri Muda"),
    ("What did Hadi say about vaccines?", "Indonesia"),
    ("What did the WHO say?", "Solidarity Trial"),
    ("What about Vietnam?", "Nguyen Vu Tu"),
    ("When was the CAC Global Summit held?", "CAC Global Summit"),
])
def test_partial_names_possessives_and_bare_names(ask, question, expected):
    assert expected in ask(question)


def test_envoy_lines_read_as_the_article_does(engine: Engine):
    answer = engine.answer("!ambassador Philippines")
    assert answer.title == "Envoy of the Philippines"
    assert "Charge d'affaires of the Philippines" in answer.body


def test_complete_ranks_prefixes_then_word_starts_then_near_misses_and_nothing_unrelated(engine: Engine):
    assert engine.complete("person", "le") == ["Lee Hyuk"]  # not Romane Kanaruk nor Long Dimanche
    assert engine.complete("person", "hyuk")[0] == "Lee Hyuk"  # a word of the name
    assert engine.complete("country", "vi") == ["Vietnam"]
    assert engine.complete("country", "tahi") == ["Thailand"]  # a near miss
    assert engine.complete("person", "romain") == ["Romane Kanaruk"]
    assert engine.complete("person", "xyzq") == []
    assert engine.complete("quote", "vac")[0] == "Vaccines"
    assert set(engine.complete("person", "park")) == {"Park Won-soon", "Park Bo-kyeong"}
