"""Free-form questions by kind: the asked fact first, honest refusals, the bot's own voice, double questions,
ambiguous names, aliases and other languages."""

from __future__ import annotations

import pytest

from bot.engine import Engine


def answer(engine: Engine, line: str) -> str:
    return engine.answer(line).to_text()


def first_lines(engine: Engine, line: str) -> str:
    a = engine.answer(line)
    return f"{a.title}\n{a.body}".split("\n\n")[0]


# --- the asked type first ----------------------------------------------------------------------------
@pytest.mark.parametrize(("line", "expected"), [
    ("where exactly did the envoys get together", "central Seoul"),
    ("when did the envoys meet before this", "May 29"),
    ("what did park won-soon learn from mers", "lessons learned from the MERS crisis"),
    ("who was the filipino rep", "Christian L. De Jesus"),
    ("how much did cambodia set aside for its economy", "$800 million to $2 billion"),
    ("how much did cambodia reserve", "$800 million to $2 billion"),  # the "three" of "ASEAN Plus Three" is no figure
    ("on what day did the envoys sit down together", "June 15"),
    ("which outfit hosted the envoys", "The Korea Times"),
    ("who paid for the roundtable", "ASEAN-Korea Centre"),
    ("who was the moderator", "Oh Young-jin"),
    ("what district is brunei's isolation centre in", "Tutong"),
    ("how many testing labs does the philippines have now", "43"),
    ("when was the special asean plus three summit on covid", "April"),
    ("when was the special asean summit", "April"),
    ("Which year did ASEAN weather the Asian financial crisis?", "1997"),
    ("what was the first meeting hosted by the new southern policy committee", "May 29"),
    ("whats the population of asean", "660 million"),
    ("who wrote the column about seoul quarantine success", "Park Won-soon"),
    ("how many ppl are currently sick in malaysia", "Malaysia had **289** active cases"),
    ("what role did aung san suu kyi play", "State Counselor"),
    ("daily testing: indonesia vs the philippines", "26,000"),
    ("who was there for viet nam", "Nguyen Vu Tu"),
    ("how many countries sent someone", "**10** envoys"),
    ("how many ambassadors attended", "Ambassador: 9"),
    # a year inside the name asked about, or the date a figure was counted, is no answer to "when"
    ("when was the cac global summit", "June 1 to 5"),
    ("when did the cac summit take place", "June 1 to 5"),
    # a purpose answers "why"
    ("why did the korea times hold this roundtable", "70th anniversary"),
])
def test_the_answer_of_the_asked_type_comes_first(engine, line, expected):
    assert expected in first_lines(engine, line)


def test_a_figure_question_states_the_figure_in_one_sentence(engine):
    a = engine.answer("how many people died in malaysia")
    assert a.body.startswith("Malaysia had **121** deaths as of June 22, 2020")


# --- the article does not say ----------------------------------------------------------------------
@pytest.mark.parametrize("line", [
    "what is the population of thailand",
    "whats the capital of cambodia",
    "what was vietnam's gdp",
    "is it raining in jakarta today",
    "who won the election in malaysia",
    "how many cases did japan have",
    "who is china's ambassador",
    "how many deaths did indonesia have in april",
    "how many cases did the philippines have last month",
    "whats the weather like in jakarta",
    "how many cases did seoul have",
    "who is the head of the WHO",
    "what's the korea times circulation",
    "what happened to park won-soon after this",
    "did rcep get signed in the end",
    "who won the world cup",
    "whats happening in asean today",
    "how many ppl live in vietnam",
])
def test_what_the_article_does_not_say_is_refused(engine, line):
    a = engine.answer(line)
    assert a.kind == "not_covered", a.to_text()
    assert "does not" in a.body or "no " in a.title.lower()


def test_a_refusal_names_what_is_not_given_and_says_what_is(engine):
    text = answer(engine, "did rcep get signed in the end")
    assert "does not give what happened later" in text and "planned this year" in text, text
    assert "does not give the weather for Seoul" in answer(engine, "What is the weather in Seoul today?")


def test_the_article_population_of_seoul_is_answered(engine):
    assert "10 million" in answer(engine, "what is the population of seoul")


# --- now, still, currently ---------------------------------------------------------------------------
@pytest.mark.parametrize("line", ["how many active cases does indonesia have right now",
                                  "is thailand still interested in fast-track business travel",
                                  "who currently heads the asean-korea centre"])
def test_present_tense_answers_are_dated(engine, line):
    text = answer(engine, line)
    assert "as of" in text.lower(), text


# --- double questions and comparisons ----------------------------------------------------------------
@pytest.mark.parametrize(("line", "expected"), [
    ("who represented singapore and who represented myanmar", ["Eric Teo", "Thant Sin"]),
    ("who is the brunei envoy and how many deaths did brunei have", ["Nouriyah", "3"]),
    ("compare cambodia and laos confirmed cases", ["129", "19"]),
    ("deaths and active cases in the philippines", ["1,177", "21,362"]),
    ("malaysia's ambassador and his country's active cases", ["Ashri Muda", "289"]),
])
def test_both_parts_are_answered(engine, line, expected):
    text = answer(engine, line)
    assert all(e in text for e in expected), text


# --- names never swallow words --------------------------------------------------------------------------
@pytest.mark.parametrize(("line", "forbidden"), [
    ("how many labs does the philippines have", "Laos"),
    ("brunch first, then tell me who hosted the roundtable", "Tutong"),
    ("how long was the luzon quarantine", "Dimanche"),
    ("oh and who sponsored it", "Oh Young-jin"),
    ("i love thai food. who is the malaysian ambassador", "Romane"),
])
def test_ordinary_words_keep_their_meaning(engine, line, forbidden):
    assert forbidden not in answer(engine, line)


# --- the bot's own voice ---------------------------------------------------------------------------
@pytest.mark.parametrize(("line", "expected"), [
    ("hello there", "Hello"), ("thank you so much", "welcome"), ("what can i ask you", "!country"),
    ("who built you", "bot"), ("what's this article about", "Korea Times"), ("tldr", "ASEAN"),
    ("!about", "Yi Whan-woo"), ("!ping", "Pong"), ("!source", "The Korea Times"), ("xin chào", "Hello"),
    ("terima kasih", "welcome"), ("yo bot", "Hello"), ("what commands are there", "!country"),
    ("list commands", "!country"), ("ty so much", "welcome"), ("thank you so much, that was really helpful", "welcome"),
    ("what can you help me with?", "!country"), ("are you a real person or a bot?", "question-answering bot"),
    ("you're useless lol", "other words"), ("summarize the article in 3 sentences", "ASEAN"),
    ("ok so whats the gist here", "ASEAN"), ("ur kinda useless lol", "other words"),
])
def test_small_talk_and_meta_questions_answer_as_the_bot(engine, line, expected):
    a = engine.answer(line)
    assert expected in a.to_text(), a.to_text()
    assert a.kind != "not_covered"


# --- ambiguous names ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("line", "expected"), [
    ("what did Park say", ["Park Won-soon", "Park Bo-kyeong"]),
    ("who's the president", ["Oh Young-jin", "Moon Jae-in"]),
    ("who is the envoy", ["Which country", "Umar Hadi", "Thant Sin"]),
])
def test_ambiguous_names_list_the_candidates(engine, line, expected):
    text = answer(engine, line)
    assert all(e in text for e in expected), text


# --- aliases anywhere, and other languages -------------------------------------------------------------
@pytest.mark.parametrize(("line", "expected"), [
    ("so who came from viet nam to the meeting", "Nguyen Vu Tu"),
    ("what did the lao pdr section say about tax", "tax"),
    ("how many deaths in burma", "6"),
    ("Đại sứ Thái Lan là ai?", "Romane Kanaruk"),
    ("Berapa kematian di Malaysia?", "121"),
    ("필리핀 확진자 몇 명이에요?", "30,682"),
    ("ใครเป็นทูตของสิงคโปร์", "Eric Teo"),
    ("Ilan ang kaso sa Singapura?", "42,313"),
    ("코리아타임스 사장 누구?", "Oh Young-jin"),
    ("서울시장 칼럼 누가 썼어?", "Park Won-soon"),
])
def test_aliases_and_other_languages(engine, line, expected):
    assert expected in answer(engine, line)


@pytest.mark.parametrize(("line", "expected"), [
    ("Indonesia xét nghiệm được bao nhiêu mẫu mỗi ngày?", "26,000 specimens per day"),  # "nghiệm" is no typo
    ("라운드테이블 사회자는 누구였어요?", "Oh Young-jin"),
    ("태국의 활성 환자는 몇 명?", "71"),
    ("กัมพูชาได้รับความช่วยเหลือจากเกาหลีเท่าไร", "$300,000"),
    ("ฟิลิปปินส์ตรวจได้วันละกี่ครั้ง", "32,100 tests per day"),
    ("Bilakah meja bulat itu diadakan?", "June 15"),
    ("Campuchia đã làm gì với thị thực?", "T-visa"),
])
def test_another_language_gets_the_asked_fact_first(engine, line, expected):
    assert engine.answer(line).found and expected in first_lines(engine, line)


# --- the group photo ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("line", "expected"), [
    ("who stands third from the right in the picture", "Romane Kanaruk"),
    ("who is at the far left of the photo", "De Jesus"),
    ("where is umar hadi in the group photo", "ninth from left"),
    ("who is beside lee hyuk in the photo", "Thant Sin"),
    ("who took the picture", "Shim Hyun-choi"),
])
def test_the_photo_lineup(engine, line, expected):
    assert expected in answer(engine, line)


# --- reasons, comparisons, posts, commands ------------------------------------------------------------------
def test_why_wants_a_reason_or_says_there_is_none(engine):
    assert "isolation" in answer(engine, "why did vietnam have no new infections lately")
    a = engine.answer("why did the philippines send a charge d'affaires instead of an ambassador")
    assert a.kind == "not_covered" and "does not say why" in a.body


def test_a_comparison_says_which_is_more(engine):
    body = engine.answer("who had more deaths, the philippines or indonesia").body
    assert body.startswith("Indonesia had more deaths (2,500) than the Philippines (1,177).")


def test_a_post_named_alone_is_its_holder(engine):
    assert "Christian L. De Jesus" in answer(engine, "who was the charge d'affaires")
    assert "Shim Hyun-choi" in answer(engine, "who is the photographer")


def test_an_unknown_command_is_no_command(engine):
    a = engine.answer("!frobnicate")
    assert a.title.startswith("No command") and "!help" in a.body
    assert engine.answer("!hello").kind == "help"  # a greeting typed as a command is still a greeting


def test_the_lead_sentence_holds_the_asked_figure_and_a_word_of_the_question():
    from bot.engine.passages import _has_figure, _lead_sentence

    text = "We met Christian L. De Jesus, who reported 5 cases. Then 7 more came."
    assert _lead_sentence(text, _has_figure, [("case",)]) == "We met Christian L. De Jesus, who reported 5 cases."
    none_shared = "Making masks is key. Public awareness is one of the crucial things."
    assert _lead_sentence(none_shared, _has_figure, [("mask",)]) == none_shared  # "one" alone: the whole paragraph


# --- what a country did ------------------------------------------------------------------------------
@pytest.mark.parametrize(("line", "country", "expected"), [
    ("how did singapore respond to covid?", "Singapore", "aggressive in testing"),
    ("what measures did malaysia take against covid-19", "Malaysia", "Movement Control Order"),
    ("how is vietnam handling the pandemic", "Vietnam", "stopped them at the border"),
    ("what did myanmar do against covid", "Myanmar", "Community Based Facility Quarantines"),
    ("what did brunei do about the virus", "Brunei", "National Isolation Center"),
    ("what steps has the philippines taken", "the Philippines", "Enhanced Community Quarantine"),
])
def test_what_a_country_did_lists_its_measures(engine: Engine, line, country, expected):
    a = engine.answer(line)
    assert a.title == f"How {country} responded, as the article reports it" and a.found
    assert expected in a.body and a.sources


@pytest.mark.parametrize(("line", "title"), [
    ("tell me about thailand", "Thailand (Kingdom of Thailand)"),
    ("what did thailand say about vaccines", "equitable access"),
    ("how did cambodia handle visas", "T-visa"),
    ("what did korea do for cambodia", "$300,000"),  # Korea acts: not Cambodia's own measures
    ("how did the philippines control the spread", "transmission is controlled"),  # "control" is searched
])
def test_a_question_with_more_to_it_than_the_response_is_not_the_list(engine: Engine, line, title):
    a = engine.answer(line)
    assert "responded" not in a.title and title in first_lines(engine, line) + a.to_text()[:600]


@pytest.mark.parametrize(("line", "expected"), [
    ("which president made the seoul mayor a special envoy", "Moon Jae-in"),  # a title one person holds names them
    ("what did the state counselor do", "social media"),  # "state" in a title asks no quote
])
def test_a_title_only_one_person_holds_names_them(engine, line, expected):
    assert expected in first_lines(engine, line)


@pytest.mark.parametrize("line", ["tell me about singapore's situation", "how is thailand doing", "how's laos"])
def test_how_a_country_is_doing_gets_its_card(engine, line):
    a = engine.answer(line)
    assert "Represented at the roundtable by" in a.body and a.fields


def test_did_it_end_up_happening_is_after_the_article(engine):
    a = engine.answer("did rcep end up getting signed")
    assert a.title == "Not in the article" and "planned this year" in a.body


def test_the_ambassador_on_a_topic_with_no_country_names_each_countrys_line(engine):
    a = engine.answer("what did the ambassador say about vaccines")
    assert a.kind == "unsure" and a.title.startswith("Which country's envoy?")
    for country, said in (("Indonesia", "vaccine"), ("Thailand", "equitable access"), ("Malaysia", "vaccine")):
        assert any(line.startswith(f"• {country}: ") and said in line for line in a.body.splitlines()), country
    assert engine.answer("what did the ambassadors say about vaccines").kind == "answer"


@pytest.mark.parametrize(("line", "expected"), [
    ("where did they hold it", "Place: The newspaper office in central Seoul"),  # not Laos holding meetings
    ("what did the cambodian guy say", "Quotes from Cambodia"),
])
def test_casual_questions_about_the_event_and_its_guests(engine, line, expected):
    assert expected in first_lines(engine, line)


def test_a_double_question_with_two_answers_from_the_article_has_no_empty_headings(engine):
    a = engine.answer("who sponsored the roundtable and who moderated it")
    assert "**From the article**" not in a.body and "Sponsor:" in a.body and "Mediator:" in a.body
    assert [f.name for f in a.fields].count("Also in the article") <= 1


@pytest.mark.parametrize(("line", "expected"), [
    ("how many indonesians still had covid", "25,610"),
    ("who was the mod", "Oh Young-jin"),
    ("where exactly did the meeting take place", "Place: The newspaper office in central Seoul"),
    ("When did the roundtable take place?", "Date: June 15"),
    ("umar hadi is from which country", "**Umar Hadi** represented **Indonesia**"),
    ("nguyen vu tu is the ambassador of which country", "**Vietnam**"),
    ("can i travel to vietnam", "As of the article: Vietnam's ban on international travel is still effective."),
    ("what did the lao envoy think about korea's deaths", "number of deaths is quite low"),  # a view, not a figure
    ("why did the korea times organise this", "From the article\nOccasion:"),  # the host named, the event asked
    ("what did the envoys talk about", "What was discussed: The envoys spoke about"),
    ("what does the mayor say about democracy and covid", "the most democratic way is the fastest path"),
    ("how does cambodia view korea's covid response", "From the article\nLong Dimanche said ASEAN sees Korea"),
    ("who repped brunei at the thing", "Nouriyah"),
    ("who was like the MC of the roundtable thing", "Oh Young-jin"),
    ("Which Korean institutions began clinical trials on vaccine research, according to the Philippine envoy?",
     "International Vaccine Institute"),  # the envoy is the source; the trials are asked
    ("Apa kata duta besar Indonesia tentang vaksin?", "vaccine"),
    ("is the korea times korea's first english-language newspaper", "The Korea Times\nAs of the article: The nation's"),
])
def test_loose_wordings_get_the_asked_fact(engine, line, expected):
    assert expected in first_lines(engine, line)


@pytest.mark.parametrize(("line", "expected"), [
    ("is thailand in the picture", "In the roundtable photo"),  # "picture" is the photo, not a country's card
    ("which country had the most deaths do you think", "The most deaths as of June 22, 2020: Indonesia"),
    ("do you think malaysia had more cases than thailand", "Malaysia had more confirmed cases (8,587)"),
    ("was there a meeting before", "Earlier meeting:"),
    ("which asean member state had the most cases", "The most confirmed cases as of June 22, 2020: Indonesia"),  # state
    ("what were brunei's covid numbers", "Brunei: COVID-19 figures as of June 22, 2020"),
    ("Berapakah jumlah kes disahkan di Malaysia setakat 22 Jun?", "8,587"),
    ("Singapore ambassador name please", "**Eric Teo Boon Hee**"),  # "name" asks who, not the passages
    ("who is the state counselor mentioned", "Daw Aung San Suu Kyi, State Counselor"),  # who she is, not her quotes
    ("What did the Myanmar ambassador say about State Counselor Aung San Suu Kyi?", "social media"),  # she is the topic
])
def test_ordinary_words_of_the_new_concepts_keep_their_meaning(engine, line, expected):
    assert expected in first_lines(engine, line)
