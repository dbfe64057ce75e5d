"""The engine: one line of user input in, one `Answer` out. Pure Python, no Discord."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from bot.answer import Answer, Field
from bot.dialogue import FRESH, Context
from bot.engine import lookup, meta, questions, rapid
from bot.engine.catalogue import Catalogue
from bot.engine.format import capital, sanitize
from bot.engine.lexicon import Lexicon
from bot.engine.names import NameIndex, rank_names
from bot.engine.search import Doc, Hit, SearchIndex, make_doc
from bot.engine.specs import SPECS, CommandSpec
from bot.engine.spotlight import FULL_WORDS, Rotation, summary_day
from bot.engine.text import stem, terms, words
from bot.kb.loader import KnowledgeBase
from bot.kb.models import Fact, Members, Quote, Topic

if TYPE_CHECKING:
    import random

PREFIXES = ("!", "/")
MAX_INPUT = 2000
NO_MEMBERS = Members(group="member states", one="a member state", count="all", region="the region",
                     partner="a partner")
NO_COMMAND = "No command"  # how the answer to an unknown command's name starts
HELP_LEGEND = "In the usage lines, `<...>` is required and `[...]` optional."
LACKING = {"countries": "countries", "figures": "figures"}  # what a knowledge base lacks, in words


def _quote(eng: Engine, arg: str) -> Answer:
    return lookup.quote(eng, arg)


def _help(eng: Engine, arg: str) -> Answer:
    return eng.help(arg)


def _summary(eng: Engine, arg: str) -> Answer:
    """`!summary`: the article in brief; `!summary today|tomorrow|YYYY-MM-DD`: that day's spotlight."""
    text = " ".join(arg.split()).lower()
    if not text or text in FULL_WORDS:
        return lookup.summary(eng)
    return _spotlight(eng, arg, "summary")


def _spotlight(eng: Engine, arg: str, command: str = "spotlight") -> Answer:
    """`!spotlight [today | tomorrow | YYYY-MM-DD]`: a day's spotlight, the post the daily channels get."""
    from zoneinfo import ZoneInfo  # only when a day is asked for: time zones cost a start-up otherwise

    try:
        day = summary_day(arg, datetime.now(ZoneInfo(eng.summary_zone)).date())
        answer = None if day is None else eng.rotation().answer(day)
    except ValueError as exc:
        return Answer(title=f"Usage: !{command} [today | tomorrow | YYYY-MM-DD]", kind="error",
                      body=sanitize(str(exc), MAX_INPUT + 100),  # it quotes what was typed: no mentions
                      suggestions=("!summary", "!summary today", "!spotlight tomorrow"))
    return answer or lookup.summary(eng, arg)


HANDLERS: dict[str, Callable[[Engine, str], Answer]] = {
    "country": lookup.country, "ambassador": lookup.ambassador, "stats": lookup.stats, "who": lookup.who,
    "event": lookup.event, "search": lookup.search, "summary": _summary, "spotlight": _spotlight, "quote": _quote,
    "ask": lambda eng, arg: questions.answer_question(eng, arg), "help": _help, "about": meta.about,
    "source": meta.source, "ping": meta.ping, "invite": meta.invite,
}


class Engine:
    """Indexes a knowledge base once and answers commands and questions from it."""

    summary_zone = "Asia/Seoul"  # whose "today" `!summary` shows; the bot sets settings.daily.timezone

    def __init__(self, kb: KnowledgeBase, rng: random.Random | None = None) -> None:
        self.kb = kb
        self._rng = rng
        self.as_of = _as_of(kb)
        self.specs: tuple[CommandSpec, ...] = tuple(
            s.filled(self._words(), tuple(kb.profile.aliases.get(s.name, ()))) for s in SPECS)
        self.names = NameIndex(kb)
        self.lexicon = Lexicon(kb)
        self.people_ids = frozenset(kb.people)
        members = kb.members
        self._has = {"countries": bool(members), "figures": bool(kb.figures) and any(c.stats for c in members)}
        self._facts_about: dict[str, list[Fact]] = {}
        for f in kb.facts:
            for eid in dict.fromkeys([*f.about, kb.section_country.get(f.source.section, "")]):
                if eid:
                    self._facts_about.setdefault(eid, []).append(f)
        self.index = SearchIndex(self._documents(), kb.synonyms)
        # each event item, its label's stem and the word runs that ask for it ("who hosted" -> Host)
        self.event_asks = [(d, stem(d.record.label.lower()), [a for x in d.record.asks if (a := tuple(words(x)))])
                           for d in self.index.of_kind("event")]
        self.event_terms = [frozenset(terms(d.text)) for d, _, _ in self.event_asks]  # each item's own words, stemmed
        self.event_entities = frozenset(e for d, _, _ in self.event_asks for e in d.entities)  # host, sponsor ...
        self.event_ask_starts: dict[str, list[tuple[str, ...]]] = {}  # first word -> the asks starting with it
        for _, _, asks in self.event_asks:
            for a in asks:
                self.event_ask_starts.setdefault(a[0], []).append(a)
        self.measure_topics = frozenset(t.id for t in kb.topics.values() if t.measure)
        # each organisation's names, longest first, to take out of a passage before looking for a figure
        self.org_names = {o.id: sorted((o.name, *o.aliases), key=len, reverse=True) for o in kb.organizations.values()}
        dates = [d for d, _, asks in self.event_asks if ("when",) in asks]  # the event's own date: "the june 15 thing"
        self.event_words = frozenset(w for d in dates[:1] for w in words(d.record.text.split("(")[0]))
        paragraphs = len(self.index.of_kind("paragraph")) or 1
        # organisations named in a quarter of the paragraphs or more (the region itself): no subject to filter on
        self.everywhere = {e for e in kb.organizations if len([i for i in self.index.about(e)
                           if self.index.docs[i].kind == "paragraph"]) * 4 >= paragraphs}
        self._command_names = {name: spec for spec in self.specs for name in (spec.name, *spec.aliases)}
        self.facts_in: dict[str, list[Fact]] = {}  # section id -> its facts, in knowledge-base order
        for f in kb.facts:
            self.facts_in.setdefault(f.source.section, []).append(f)
        self.catalogue = Catalogue(kb)
        # who has each stem in an organisation's name, or in a person's title and posts ("the fund", "the mayor")
        self.named_with: dict[str, list[str]] = {}  # stem -> organisation ids, in knowledge-base order
        for o in kb.organizations.values():
            for s in dict.fromkeys(stem(w) for w in words(o.name)):
                self.named_with.setdefault(s, []).append(o.id)
        self.titled_with: dict[str, set[str]] = {}  # stem -> person ids
        for p in kb.people.values():
            for w in (w for text in (p.title, *p.positions) for w in words(text) if len(w) > 1):
                self.titled_with.setdefault(stem(w), set()).add(p.id)
        self._topic_words = [(" ".join(words(w)), t) for t in kb.topics.values() for w in (t.name, t.id, *t.keywords)]
        self._topic_keys = [w for w, _ in self._topic_words]
        self.members_line = ", ".join(c.name for c in kb.members)
        self._rotation: Rotation | None = None
        self._made: dict[str, Answer] = {}  # see `once`

    def __getstate__(self) -> dict[str, object]:
        """The engine's state for pickling (the index cache), without its random state: a cached engine
        must not replay the same "random" quotes on every cold start."""
        state = dict(self.__dict__)
        state["_rng"] = None
        state["_rotation"] = None  # rebuilt on first use
        state["_made"] = {}
        return state

    @property
    def rng(self) -> random.Random:
        """The random state behind `!quote` with no argument: made on first use, freshly seeded (so also after
        a cached engine is loaded); `random` is imported only then."""
        if self._rng is None:
            import random

            self._rng = random.Random()
        return self._rng

    @rng.setter
    def rng(self, rng: random.Random) -> None:
        self._rng = rng

    @property
    def members(self) -> Members:
        """How to name the member states' group (a neutral wording when the profile names none)."""
        return self.kb.profile.members or NO_MEMBERS

    def _words(self) -> dict[str, str | None]:
        """The profile's words that fill the command specs' templates."""
        p = self.kb.profile
        words: dict[str, str | None] = {k: getattr(p.examples, k) for k in p.examples.__struct_fields__}
        words.update(figures=p.figures_name, Figures=capital(p.figures_name), as_of=self.as_of or "the article's date",
                     count=self.members.count, event=p.event, Event=capital(p.event))
        return words

    def has(self, need: str | None) -> bool:
        """Whether the knowledge base has the data a command needs ("countries", "figures")."""
        return self._has.get(need or "", True)

    def available_specs(self) -> tuple[CommandSpec, ...]:
        """The commands this knowledge base can answer: the ones to offer in help and to register on Discord."""
        return tuple(s for s in self.specs if self.has(s.needs))

    def examples_of(self, *names: str) -> tuple[str, ...]:
        """The first example of each named command that is available, for suggestions."""
        specs = {s.name: s for s in self.available_specs()}
        return tuple(specs[n].examples[0] for n in names if n in specs and specs[n].examples)

    # -- indexes -------------------------------------------------------------------------------------
    def _entity_words(self, ids: list[str]) -> str:
        return " ".join(self.kb.name_of(i) for i in ids)

    def _documents(self) -> list[Doc]:
        kb = self.kb
        docs: list[Doc] = []
        topic_words = {t.id: t.name for t in kb.topics.values()}
        for f in kb.facts:
            owner = kb.section_country.get(f.source.section)
            ents = {*f.about, *([owner] if owner else [])}
            extra = " ".join([*f.keywords, self._entity_words(sorted(ents)), *(topic_words[t] for t in f.topics)])
            docs.append(make_doc("fact", f.text, f, f.source.section, f.source.paragraphs, ents, extra))
        for q in kb.quotes:
            owner = kb.section_country.get(q.source.section)
            ents = {x for x in (q.speaker, owner) if x}
            if q.speaker and (c := kb.country_of_envoy(q.speaker)):
                ents.add(c.id)
            speaker = kb.people[q.speaker] if q.speaker else None
            context = " ".join(kb.article.paragraph(q.source.section, n).text for n in q.source.paragraphs)
            who = f"{speaker.name} {speaker.title} {kb.name_of(speaker.organization or '')}" if speaker else ""
            extra = " ".join([who, context, q.context or "", self._entity_words(sorted(ents)),
                              *(kb.topics[t].name for t in q.topics)])
            docs.append(make_doc("quote", q.text, q, q.source.section, q.source.paragraphs, ents, extra))
        authors: dict[str, set[str]] = {}
        for person in kb.people.values():
            if person.role == "author":
                authors.setdefault(person.source.section, set()).add(person.id)
        for section in kb.article.sections:
            owner = kb.section_country.get(section.id)
            for p in section.paragraphs:
                ents = {m.entity.id for m in self.names.mentions(p.text, fuzzy=False)}
                ents |= authors.get(section.id, set())
                if owner:
                    ents.add(owner)
                docs.append(make_doc("paragraph", p.text, p, section.id, (p.number,), ents,
                                     f"{section.heading} {self._entity_words(sorted(ents))}"))
        for item in kb.event.items:
            named = {m.entity.id for m in self.names.mentions(item.text, fuzzy=False)
                     if m.entity.kind in {"person", "organization"}}
            docs.append(make_doc("event", f"{item.label}: {item.text}", item, item.source.section,
                                 item.source.paragraphs, named, f"{kb.profile.event} event meeting {kb.event.title}"))
        return docs

    def warm(self) -> None:
        """Load what the first answers would otherwise load on the way (the English word list, the trigram
        indexes of near-miss look-up), so a long-running front end never pays for it inside an answer."""
        from bot.engine.english import is_english

        is_english("warm")
        for part in (self.index, self.names, self.lexicon):
            part.warm()

    def rotation(self) -> Rotation:
        """The daily spotlight rotation of this knowledge base, built on first use."""
        if self._rotation is None:
            self._rotation = Rotation(self.kb, self.catalogue)
        return self._rotation

    def once(self, name: str, make: Callable[[], Answer]) -> Answer:
        """An answer that depends on the knowledge base alone (the figures table, the summary): made on first use,
        then kept, since its size grows with the knowledge base's."""
        made = self._made.get(name)
        if made is None:
            made = self._made[name] = make()
        return made

    def quotes(self, **where: str | None) -> list[Quote]:
        """Quotes matching any of `speaker=`, `section=`, `topic=` (a None speaker: quotes without one),
        in knowledge-base order."""
        return self.catalogue.quotes_at(*(f"{key}:{value}" for key, value in where.items()))

    def facts_about(self, entity_id: str) -> list[Fact]:
        """Facts that concern an entity, in the order the knowledge base lists them."""
        return self._facts_about.get(entity_id, [])

    def key_points(self, country_id: str, limit: int = 6) -> list[Fact]:
        """A country's key facts from its own section (its first facts when none is marked key)."""
        section = self.kb.countries[country_id].section
        own = [f for f in self.facts_about(country_id) if f.source.section == section]
        key = [f for f in own if f.key] or own
        return key[:limit]

    def topic_for(self, text: str) -> Topic | None:
        """The topic whose name or keywords best match `text`, if any is close."""
        best = rapid.process.extractOne(" ".join(words(text)), self._topic_keys, scorer=rapid.fuzz.ratio,
                                  score_cutoff=85)
        return self._topic_words[best[2]][1] if best else None

    def search(self, text: str, kinds: set[str] | None = None, entity: str | None = None,
               limit: int = 5) -> list[Hit]:
        """Search the index; with `entity`, only documents about that entity."""
        allowed = None if entity is None else self.index.about(entity)
        return self.index.search(self.index.query_terms(text), allowed=allowed, kinds=kinds, limit=limit)

    def in_article(self, word: str) -> bool:
        """True when the article (its indexed facts, quotes and paragraphs) uses the word or a synonym of it."""
        return self.index.uses(word)

    def finds(self, text: str, kinds: set[str]) -> bool:
        """Whether `search` would find anything for `text` among these kinds."""
        return self.index.reaches(self.index.query_terms(text), kinds)

    # -- input ---------------------------------------------------------------------------------------
    def answer(self, line: str, context: Context = FRESH) -> Answer:
        """Answer one line, a `!command args` or a free-form question, read against the conversation so far;
        the answer carries the conversation's new context."""
        line = " ".join(line.split())
        if not line:
            return Answer(title=self.kb.profile.prompt, body="Type a question, or !help for the commands.", kind="help",
                          suggestions=("!help", *self.examples_of("event", "country")))
        if len(line) > MAX_INPUT:
            return Answer(title="That is too long", body=f"Please keep questions under {MAX_INPUT} characters.",
                          kind="error")
        if line[0] in PREFIXES and len(line) > 1:
            name, _, arg = line[1:].partition(" ")
            return self.command(name, arg, context)
        return questions.answer_question(self, line, context)

    def command(self, name: str, arg: str = "", context: Context = FRESH) -> Answer:
        """Run a command by name (without prefix); an unknown name gets suggestions or is read as a question.
        A command names its own subject, so the conversation starts afresh from its answer."""
        arg = arg.strip()
        spec = self._command_names.get(name.lower())
        if spec is None:
            hit = rapid.process.extractOne(name.lower(), list(self._command_names), scorer=rapid.fuzz.ratio,
                                           score_cutoff=70)
            if hit is None:
                answer = questions.answer_question(self, f"{name} {arg}".strip(), context)
                if not arg and answer.kind == "not_covered":  # "!foo": no such command, and no question either
                    return self.no_command(name)
                return answer
            spec = self._command_names[hit[0]]
        if not self.has(spec.needs):
            return self.unavailable(spec)
        if spec.required and not arg:
            return Answer(title=f"Usage: {spec.usage}", body=spec.summary, kind="error",
                          suggestions=spec.examples)
        answer = HANDLERS[spec.name](self, arg)
        if spec.name == "ask":
            return answer
        return questions.remember_command(self, spec.name, arg, answer)

    def unavailable(self, spec: CommandSpec) -> Answer:
        """The plain answer to a command whose data this knowledge base lacks."""
        lacking = LACKING.get(spec.needs or "", "data for it")
        return Answer(title=f"No !{spec.name} here", body=f"This knowledge base has no {lacking}.",
                      kind="not_covered", suggestions=("!help", *self.examples_of("event", "who")))

    def spec(self, name: str) -> CommandSpec | None:
        """The command spec for a name or alias."""
        return self._command_names.get(name.lower().lstrip("!/"))

    def help(self, arg: str = "") -> Answer:
        """The command list, or one command's usage and examples."""
        if arg.strip():
            spec = self.spec(arg.strip())
            if spec is None:
                return self.no_command(arg.strip().lstrip("!/"))
            if not self.has(spec.needs):
                return self.unavailable(spec)
            body = spec.summary + ("\nAlso: " + ", ".join(f"!{a}" for a in spec.aliases) if spec.aliases else "")
            examples = (Field("Examples", "\n".join(spec.examples)),) if spec.examples else ()
            return Answer(title=spec.usage, body=body, fields=examples, kind="help")
        fields = tuple(Field(s.usage, s.summary + (f"\ne.g. `{s.examples[0]}`" if s.examples else ""))
                       for s in self.available_specs())
        return Answer(title="Commands", body=f"{self.kb.profile.intro}\n{HELP_LEGEND}", fields=fields, kind="help")

    def closest_commands(self, name: str, limit: int = 3) -> tuple[str, ...]:
        """The available command names closest to `name`, closest first (none when nothing is near)."""
        names = {n: s for n, s in self._command_names.items() if self.has(s.needs)}
        hits = rapid.process.extract(name.lower(), list(names), scorer=rapid.fuzz.ratio, limit=limit * 3,
                                     score_cutoff=60)
        return tuple(dict.fromkeys(names[n].name for n, _, _ in hits))[:limit]

    def no_command(self, name: str) -> Answer:
        """"No such command" for `!name`, with the closest commands to try."""
        close = tuple(f"!{n}" for n in self.closest_commands(name))
        return Answer(title=f"{NO_COMMAND} “!{sanitize(name, 40)}”", body="Try !help for the commands.", kind="help",
                      suggestions=(*close, "!help"))

    def complete(self, kind: str | None, current: str, limit: int = 25) -> list[str]:
        """Autocomplete choices for a command argument of this kind."""
        kinds = {"country": {"country"}, "person": {"person"}, "country_or_person": {"country", "person"},
                 "quote": {"person", "country"}}.get(kind or "", set())
        names = self.names.complete(current, kinds, limit) if kinds else []
        if kind == "quote":
            topics = [t.name for t in self.kb.topics.values()]
            names = rank_names(current, [*topics, *names], limit) if current.strip() else topics + names
        return list(dict.fromkeys(names))[:limit]


def _as_of(kb: KnowledgeBase) -> str | None:
    """The date the figures are from (the most common `stats.as_of`)."""
    dates = Counter(c.stats.as_of for c in kb.countries.values() if c.stats)
    return dates.most_common(1)[0][0] if dates else None
