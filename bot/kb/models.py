"""Typed records of the knowledge base. Unknown keys are rejected when a file is loaded."""

from __future__ import annotations

from typing import Annotated

import msgspec

Count = Annotated[int, msgspec.Meta(ge=0)]


class Record(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """Base for every knowledge-base record."""


class Source(Record, kw_only=True, frozen=True):
    """Where a record comes from: a section id of the article and 1-based paragraph numbers."""

    section: str
    paragraphs: list[int]


class Figure(Record, kw_only=True, frozen=True):
    """A kind of figure the countries' stats give (declared in profile.yaml): "confirmed", "deaths" ..."""

    id: str
    label: str  # a table column or field name: "Confirmed"
    noun: str  # in a sentence: "the most confirmed cases"
    words: list[str] = []  # words that ask for it in a question


class Stats(Record, kw_only=True, frozen=True):
    """One country's figures, as the article gives them: values by figure id."""

    as_of: str
    values: dict[str, Count]
    source: Source

    def value(self, figure_id: str) -> int | None:
        """The figure with this id, or None when the article gives none for the country."""
        return self.values.get(figure_id)


class Country(Record, kw_only=True, frozen=True):
    """An ASEAN member state, or (member=False) a partner the article mentions, such as Korea."""

    id: str
    name: str
    official_name: str
    member: bool = True
    the: bool = False  # said with "the" in a sentence: "of the Philippines"
    aliases: list[str] = []
    demonyms: list[str] = []
    envoy: str | None = None  # person id
    section: str | None = None  # the section written in this envoy's voice
    stats: Stats | None = None

    @property
    def in_sentence(self) -> str:
        """The name as it reads inside a sentence ("the Philippines", "Vietnam")."""
        return f"the {self.name}" if self.the else self.name


class Person(Record, kw_only=True, frozen=True):
    """Someone the article names."""

    id: str
    name: str
    aliases: list[str] = []
    title: str
    positions: list[str] = []  # other posts the article gives them ("interim chair of the ASEAN Committee in Seoul")
    role: str  # ambassador, charge_d_affaires, host, speaker, author, mentioned ...
    country: str | None = None  # country id, for envoys
    organization: str | None = None  # organization id
    description: str
    source: Source


class Organization(Record, kw_only=True, frozen=True):
    """An organisation, programme, agreement, fund, meeting or initiative the article names."""

    id: str
    name: str
    aliases: list[str] = []
    kind: str
    description: str
    source: Source


class EventItem(Record, kw_only=True, frozen=True):
    """One labelled fact about the roundtable."""

    label: str
    text: str
    asks: list[str] = []  # question words that ask for this item: "where", "venue", "footed the bill"
    source: Source


class Photo(Record, kw_only=True, frozen=True):
    """A group photo the article prints: who stands where, from the left, as its caption says."""

    from_left: list[str]  # person ids
    credit: str | None = None  # person id of the photographer
    source: Source


class Event(Record, kw_only=True, frozen=True):
    """The event itself."""

    title: str
    items: list[EventItem]
    photo: Photo | None = None


class Topic(Record, kw_only=True, frozen=True):
    """A theme used to group facts and quotes (vaccines, trade ...) with the words that signal it."""

    id: str
    name: str
    keywords: list[str]
    measure: bool = False  # what a country does about the article's subject: "how did X respond" lists these


class Fact(Record, kw_only=True, frozen=True):
    """One statement the article makes, close to its wording, with what it is about."""

    id: str
    text: str
    about: list[str] = []  # country, person or organization ids
    topics: list[str] = []  # topic ids
    keywords: list[str] = []  # extra words people may use to ask for it
    key: bool = False  # a key point of its country's section
    source: Source


class Quote(Record, kw_only=True, frozen=True):
    """Words the article prints: a direct quote with a named speaker, or a statement from a section."""

    id: str
    text: str
    speaker: str | None = None  # person id; None for a section written in an unnamed envoy's voice
    context: str | None = None  # e.g. "in his congratulatory speech"
    topics: list[str] = []
    source: Source


class Gazetteer(Record, kw_only=True, frozen=True):
    """Names the article does not cover, so a question about them is answered "not covered"."""

    places: list[str]
    roles: list[str] = []


class NotCovered(Record, kw_only=True, frozen=True):
    """Words asking for something the article never gives (unless it gives it for the subject asked about)."""

    words: list[str]
    what: str  # how an answer names it: "the population"
    now: bool = False  # asked about now ("today's news"), the article cannot give it, whatever it says


class SmallTalk(Record, kw_only=True, frozen=True):
    """Lines the bot answers in its own voice: `say` a reply, or `do` a command ("help", "summary full")."""

    phrases: list[str]
    concept: str | None = None  # a vocabulary concept whose words alone make the line this (in any language)
    opens: bool = False  # the phrase may open a longer line that names nothing of the article ("tell me a joke about")
    say: str | None = None
    do: str | None = None


TALK_GLUE = ("is", "the", "this", "a", "an", "s", "of", "that", "it")  # English small talk's default glue


class Vocabulary(Record, kw_only=True, frozen=True):
    """How questions are read: words per concept, filler words, what the article never says, small talk."""

    concepts: dict[str, list[str]] = {}
    fillers: list[str] = []
    joiners: list[str] = []
    not_covered: list[NotCovered] = []
    small_talk: list[SmallTalk] = []
    talk_aliases: dict[str, str] = {}
    # words small talk matches without ("thank you so much, that was really helpful")
    talk_glue: list[str] = msgspec.field(default_factory=lambda: list(TALK_GLUE))
    requests: list[str] = []
    as_reported: str = "as of the article"
    which_one: str = "Which one did you mean?"


class Language(Record, kw_only=True, frozen=True):
    """One language's names for the countries (by country id) and words for the vocabulary's concepts."""

    code: str
    name: str
    countries: dict[str, list[str]] = {}
    words: dict[str, list[str]] = {}
    glossary: dict[str, str] = {}  # the language's words for the article's things, in English ("vaksin": vaccine)


class ArticleRef(Record, kw_only=True, frozen=True):
    """The article's reference: what a citation of it names. No field is guessed: a URL only if one is known."""

    headline: str  # the `#` title of article.md
    publisher: str
    author: str | None = None  # as the byline gives it
    published_in: str  # where it was published, in words
    date: str | None = None  # of publication, when the article gives it
    url: str | None = None


class Members(Record, kw_only=True, frozen=True):
    """How the bot names the group the countries belong to."""

    group: str  # "ASEAN member states"
    one: str  # "an ASEAN member state"
    count: str  # "ten", as in "all ten"
    region: str  # "COVID-19 in ASEAN as of ..."
    partner: str  # how a non-member appears: "ASEAN's partner"


class Examples(Record, kw_only=True, frozen=True):
    """Arguments for the examples in help text, usage hints and suggestions. A missing one drops its examples."""

    country: str | None = None
    country_other: str | None = None
    ambassador: str | None = None  # a country to ask the envoy of
    envoy: str | None = None  # an envoy's name
    stats: str | None = None  # a country to ask the figures of
    person: str | None = None
    person_other: str | None = None
    topic: str | None = None
    search: str | None = None
    search_other: str | None = None
    question: str | None = None
    question_other: str | None = None
    day: str | None = None  # YYYY-MM-DD for `!summary`


class Profile(Record, kw_only=True, frozen=True):
    """The article and the bot's voice: everything the code says that is particular to this article."""

    name: str  # the bot's name
    description: str  # one line: what the bot is
    scope: str  # one line: what the article covers ("the June 15, 2020 roundtable, ...")
    intro: str  # the first line of `!help`
    banner: str  # the console's first line
    prompt: str  # the title of the answer to an empty line, and the Discord greeting
    event: str  # the event in a sentence: "the roundtable"
    event_when: str  # the event with its date: "the June 15 roundtable"
    event_date: str  # "June 15, 2020"
    article: ArticleRef
    members: Members | None = None  # needed when countries.yaml lists member states
    figures_name: str = "figures"  # "COVID-19 figures"
    measures_title: str = "What {country} did, as the article reports it"  # "how did X respond" lists these
    figures: list[Figure] = []
    examples: Examples = Examples()
    aliases: dict[str, list[str]] = {}  # extra command aliases: {event: [roundtable]}
    option_hints: dict[str, str] = {}  # Discord slash-option descriptions by option name
