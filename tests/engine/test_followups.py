"""Follow-up questions read against the conversation's context: each kind, in the engine."""

from __future__ import annotations

import pytest

from bot.dialogue import FRESH, Context
from bot.engine import Engine


def talk(engine: Engine, *lines: str) -> list[str]:
    """Answer the lines as one conversation; the plain text of each answer."""
    context, out = FRESH, []
    for line in lines:
        answer = engine.answer(line, context)
        context = answer.context
        out.append(answer.to_text())
    return out


def last(engine: Engine, *lines: str) -> str:
    return talk(engine, *lines)[-1]


@pytest.mark.parametrize(("lines", "expected", "forbidden"), [
    # pronouns and roles
    (("who represented thailand", "what did he say about vaccines"), "equitable access", "Philippines section"),
    (("tell me about brunei", "where did they build the isolation centre"), "Tutong", None),
    (("who is the myanmar envoy", "which airport does his embassy use for relief flights"), "Incheon", None),
    (("what is the asean-korea centre", "who heads it"), "Lee Hyuk", None),
    (("what did thailand propose", "how much did korea put into it"), "5 million", None),
    (("what is the asean covid-19 response fund", "how much did korea put in"), "5 million", "no answer"),
    (("who wrote the seoul column", "what platform did he launch"), "Cities Against COVID-19", None),
    (("when was the roundtable", "who paid for it"), "ASEAN-Korea Centre", None),
    (("tell me about indonesia", "what else?"), "More about Indonesia", "Not in the article"),
    (("who is lee hyuk", "what did he say about the media"), "bridging the communities", None),
    # ellipsis: the attribute kept, the entity changed; the entity kept, the attribute changed
    (("how many deaths in the philippines", "what about singapore?"), "26", "1,177"),
    (("how many active cases in indonesia", "and deaths?"), "2,500", None),
    (("how many confirmed cases in malaysia", "same for vietnam"), "349", None),
    (("how many tests per day can indonesia do", "how about the philippines"), "32,100", None),
    (("who represented cambodia", "and malaysia?"), "Ashri Muda", "Dimanche"),
    (("!stats Cambodia", "what about its visas"), "T-visa", "active cases"),  # a thing of its own, same subject
    (("what's the weather in seoul", "how about vietnam's travel ban"), "ban on international travel", "weather"),
    (("who is the indonesian ambassador?", "what about him, what did his country develop?"), "vaccine", None),
    (("who gave the congratulatory speech", "which organization does he lead?"), "**ASEAN-Korea Centre**", None),
    (("!quote Singapore", "who is their envoy"), "Eric Teo Boon Hee", "All 10 member states"),  # the quotes' country
    (("who represented brunei", "what did they do about covid"), "National Isolation Center", None),
    (("who moderated the roundtable", "when was it", "where"), "Place: The newspaper office in central Seoul", None),
    (("who moderated the roundtable", "when was it", "where", "and when had they met before that"), "May 29",
     "The Korea Times:"),
    (("who hosted the roundtable", "who else was there?"), "Attendees: Heads of diplomatic missions", None),
    (("who sponsored the roundtable", "what is that org"), "A Seoul-based intergovernmental organization", "Not in"),
    (("what did the ambassador say about vaccines", "indonesia"), "vaccine", "Envoy of Indonesia"),  # the topic stays
    (("how many cases in thailand", "and laos?", "what did each of them say"), "Quotes from Laos", "Thailand:"),
    (("Which newspaper organised the ambassadors' meeting?", "who paid for it?"), "Sponsor: The ASEAN-Korea Centre",
     "Not in"),
    (("Which newspaper organised the ambassadors' meeting?", "who paid for it?", "who hosted the earlier one?"),
     "Presidential Committee on New Southern Policy", None),
    (("what did cambodia give to the un", "sino ang ambassador nila?"), "Long Dimanche", None),  # an envoy: a country's
    (("what is the alliance the mayor mentions", "who created it"), "Cities Alliance Against Pandemic", None),
    (("yo whos the myanmar ambassador", "what did he say abt aung san suu kyi"), "Aung San Suu Kyi", "Not in"),
    (("what about cambodia's measures", "how much money did they reserve", "and what did korea give them"),
     "$300,000", "Brunei"),  # "give" is the article's "gave": a question of its own
    (("who is the lao ambassador", "and what economic steps are they taking"), "mitigation policy", "closest"),
    (("who is the longest-serving ambassador", "what did he say", "which country is he from"), "Cambodia",
     "Quotes"),
    (("Who was the Indonesian ambassador at the roundtable?", "What approach is his country applying?"),
     "massive testing", "Thailand"),  # the envoy's country, not the event
    (("Siapa yang menyampaikan pidato ucapan selamat di acara itu?", "Apa katanya tentang peran media?"), "media",
     "Not in the article"),
    (("who sponsored the roundtable", "what is that org", "who heads it"), "Lee Hyuk", "Park Bo-kyeong"),
    (("how many cases did singapore have", "compare that with thailand"),
     "Singapore had more confirmed cases (42,313) than Thailand (3,151).", None),
    (("how many cases did singapore have", "compare that with thailand", "and deaths in both?"),
     "Singapore had **26** deaths", None),
    # corrections and picks
    (("who is park", "the second one"), "Park Won-soon", None),
    (("who is park", "no, i meant the seoul mayor one"), "Park Won-soon", None),
    (("who is park bo-kyeong", "and the other one?"), "Park Won-soon", None),
    (("who is the ambassador", "the thai one"), "Romane Kanaruk", None),
    (("who is the myanmar ambassador", "not him, the singapore one"), "Eric Teo", "Thant Sin"),
    # a question naming its own subject starts afresh
    (("who represented vietnam", "what is RCEP"), "Regional Comprehensive Economic Partnership", "Nguyen"),
    (("what did the cambodian ambassador say", "unrelated, but how many deaths did indonesia have"), "2,500",
     "Dimanche"),
    (("how many cases in laos", "who hosted the roundtable"), "Korea Times", "Laos"),
])
def test_each_kind_of_follow_up(engine, lines, expected, forbidden):
    answer = last(engine, *lines)
    assert expected in answer, answer
    if forbidden:
        assert forbidden not in answer, answer


def test_the_title_says_what_was_carried_over(engine):
    context = engine.answer("how many deaths in singapore").context
    answer = engine.answer("and laos?", context)
    assert answer.title.startswith("Laos: deaths")
    pronoun = engine.answer("what did he say about vaccines", engine.answer("who represented thailand").context)
    assert pronoun.title.startswith("Romane Kanaruk")


def test_without_a_conversation_a_follow_up_is_not_understood(engine):
    assert "equitable access" not in engine.answer("what did he say about vaccines").to_text()


def test_the_context_is_a_small_immutable_value_the_engine_returns(engine):
    answer = engine.answer("who represented thailand")
    assert isinstance(answer.context, Context)
    assert set(answer.context.entities) >= {"thailand", "romane-kanaruk"}
    assert answer.context.attribute == "envoy"
    with pytest.raises(AttributeError):
        answer.context.entities = ()  # type: ignore[misc]
    again = engine.answer("who represented thailand")
    assert again.context == answer.context  # the engine keeps nothing between calls


def test_a_did_you_mean_is_picked_up_by_a_short_reply(engine):
    unsure = engine.answer("who is park")
    assert unsure.kind == "unsure" and len(unsure.context.candidates) == 2
    assert "Park Bo-kyeong" in engine.answer("the first one", unsure.context).to_text()


@pytest.mark.parametrize(("lines", "expected", "forbidden"), [
    (("how many views did the cac summit videos get", "as of when?"), "June 11", None),
    (("what did the cambodia section say about visas", "what else?"), "health certificate", None),
    (("how many deaths in malaysia", "and thailand?", "which is higher?"), "Malaysia had more deaths", None),
    (("who's the indonesian ambassador", "and the vietnamese one", "what about the charge d'affaires"),
     "**Christian L. De Jesus**, Charge d'affaires of the Philippines", "Envoy of Vietnam"),
])
def test_bare_question_words_and_what_else(engine, lines, expected, forbidden):
    text = last(engine, *lines)
    assert expected in text, text
    if forbidden:
        assert forbidden not in text, text


def test_a_follow_up_asking_another_type_gets_that_type_first(engine):
    text = last(engine, "when was the roundtable", "where")
    assert text.split("\n\n")[1].startswith("Place:"), text


def test_a_partner_beside_the_member_stays_in_what_is_asked(engine):
    text = last(engine, "what did korea give the philippines", "and cambodia?")
    assert "300,000" in text.split("\n\n")[1], text


@pytest.mark.parametrize(("lines", "first", "forbidden"), [
    # a question with a word of its own beyond the name asks its own thing, not the attribute before
    (("thai ambassador?", "what did thailand propose"), "Response Fund", "Romane Kanaruk"),
    (("thai ambassador?", "what did thailand propose", "how much did korea put in"), "$5 million", None),
    # "them" after a person and an airport: the person's country
    (("who is thant sin", "why does his country use incheon", "did korea send them supplies?"),
     "medical supplies to Myanmar", "Not in the article"),
    # a question with no subject whose words a passage about the conversation's country holds: that country's
    (("who represented the philippines?", "how many tests per day?"), "32,100 tests per day", "Indonesia"),
    # a ranking names its winner: "there" is that country; "and the fewest?" ranks them all again
    (("which country had the most cases", "and the fewest?"), "The fewest confirmed cases", "Indonesia:"),
    (("which country had the most cases", "and the fewest?", "deaths there?"), "Laos had **0** deaths", None),
    # "and about X?" asks the last question of another topic, and the topic stays for the next follow-up
    (("who is lee hyuk", "what did he say about the media", "and about the ambassadors?"), "more important than ever",
     None),
    # a figure asked of a long paragraph: the sentence holding it, not the whole paragraph
    (("whats cac", "how many views did it get"), "21 million views", "Residents of Seoul"),
])
def test_a_follow_up_leads_with_what_it_asks(engine, lines, first, forbidden):
    text = last(engine, *lines)
    assert first in text.split("\n\n")[1], text
    if forbidden:
        assert forbidden not in text, text


def test_a_ranking_names_every_member_state_sharing_the_top_value(engine):
    assert "Cambodia, Laos and Vietnam, with 0 each" in engine.answer("which country had the fewest deaths").to_text()
    assert "fewest Cambodia, Laos and Vietnam (0)" in engine.answer("!summary").to_text()


def test_a_new_topic_stays_for_the_next_follow_up(engine):
    answer = engine.answer("what did laos say about korea")
    answer = engine.answer("what about vaccines", answer.context)
    assert "vaccine" in answer.to_text()
    burma = engine.answer("and burma?", answer.context)
    assert burma.kind == "not_covered" and "Myanmar" in burma.body, burma.to_text()


@pytest.mark.parametrize(("lines", "expected", "forbidden"), [
    # a comparison word is not a question of its own; "which is lower?" with one country in focus ranks them all
    (("how many deaths in cambodia", "which is lower, brunei or laos?"), "Laos had fewer deaths (0) than Brunei",
     "does not say"),
    (("which country had the most deaths", "which is lower?"), "The fewest deaths", "Indonesia had"),
    # a question about several countries is not narrowed to the one in focus
    (("who represented the philippines?", "how many countries attended?"), "**10** envoys", "No figure"),
])
def test_follow_ups_that_keep_their_own_scope(engine, lines, expected, forbidden):
    text = last(engine, *lines)
    assert expected in text, text
    assert forbidden not in text, text
