"""Follow-up questions: a question read against the conversation's `Context`, and the context an answer leaves.

- pronouns and roles ("he", "they", "his country", "that fund") take the entities in focus;
- ellipsis ("and deaths?", "what about laos?", "same for vietnam") keeps the entity or the attribute;
- a pick after a did-you-mean or a list ("the first one", "yes", a bare name, "the other park");
- a question that names its own subject and asks its own thing starts afresh.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from msgspec.structs import replace

from bot.answer import Answer
from bot.dialogue import FRESH, Context
from bot.engine import voice
from bot.engine.names import Entity
from bot.engine.reading import ANSWER_TYPES, Question, read_sentence, with_concepts, with_entities
from bot.engine.text import STOPWORDS, stem, terms, words

if TYPE_CHECKING:
    from bot.engine.core import Engine

SUBJECTS = {"country", "partner", "person", "organization"}
OWN_ROUTES = ("works_for", "measures", "response", "origin")  # concepts that route a question of their own
ATTRIBUTE_CONCEPTS = ("envoy", "quote", "who", "where", "when", "how_many", *OWN_ROUTES)
CHOICES = {"choose_first": 0, "choose_second": 1, "choose_third": 2}
MAX_ELLIPSIS = 4  # content words at most in "and what about the philippines then"


def follow(eng: Engine, q: Question, context: Context) -> Question | Answer:
    """The question with what it leaves out taken from the conversation (or as it is, when it stands alone)."""
    if context.empty:
        return q
    own = [m.entity for m in q.mentions if m.entity.kind in SUBJECTS]
    content = [t for t in q.content if t not in eng.lexicon.filler_words]
    if not context.candidates and q.has("other") and len(content) <= MAX_ELLIPSIS:
        people = [e for e in context.entities if e in eng.kb.people]
        others = siblings(eng, people[0]) if people else []
        if others:  # "who is park won-soon", then "and the other one?": who the other one is
            context = replace(context, candidates=(people[0], *(e.id for e in others)), attribute="who")
    if context.candidates and (pick := _pick(eng, q, context, own, content)) is not None:
        return _apply(eng, replace(q, mentions=()), [pick], context)
    if not own and (retopic := _new_topic(eng, q, context)) is not None:
        return retopic
    short = len(content) <= MAX_ELLIPSIS
    opens = q.first("follow_on") == 0 or q.tokens[:2] in {("what", "about"), ("how", "about")}
    corrects = q.has("correction") and short  # "sorry, i meant myanmar", "no wait, the philippines"
    named = {i for m in q.mentions for i in range(m.start, m.end)}
    named |= {i for spans in q.concepts.values() for a, b in spans for i in range(a, b)}
    beyond = [t for i, t in enumerate(q.tokens) if i not in named and t in content]  # "propose": its own question
    asks_own = not corrects and (any(c in q.concepts for c in (*ATTRIBUTE_CONCEPTS, *q.figure_ids)) or (
        beyond and not opens) or (q.first("define") == 0 and not opens))
    rest = own_words(eng, q)
    # "what about its visas" after its figures: a thing the article has, asked of the same subject
    names = q.named_words
    asks_own = asks_own or (opens and not corrects and any(t not in names and eng.in_article(t) for t in rest))
    # only concept words: "by when?", "and deaths?", "which is higher?" (not "what did they do" or "what is that
    # org", questions of their own)
    bare = short and not rest and not q.has(*OWN_ROUTES) and q.first("define") != 0
    if q.has("more") and short:  # "what else?": the same question, other passages
        q = replace(q, seen=context.shown)
    if not own and (q.has("refer") or bare) and _about_event(eng, context) and not (
            q.has("org_word") and any(e in eng.kb.organizations for e in context.entities)):  # "that org": not it
        # "who paid for it" after "when was the roundtable": it is the event; "when had they met before": they met
        return q if q.has("event") else with_concepts(q, ["event"])
    if not own and voice.title_holder(eng, q) is None:
        if q.has("refer") or (short and not asks_own) or (opens and len(rest) < 2) or bare or q.has("more") or (
                short and _said_of_focus(eng, rest, context)):
            entities = _referents(eng, q, context)
            if q.has("both") and (q.figures or q.has("compare") or (context.attribute or "").startswith("figure:")):
                # "and deaths in both?": the last two countries
                entities = _countries_in(eng, context)[:2] or entities
            elif q.has("most", "fewest", "compare", "sum") and not q.has("refer"):  # "which is higher": the last two
                pair = [e for e in (eng.names.entities.get(c) for c in context.entities)
                        if e and e.kind in {"country", "partner"}][:2]
                # "and the fewest?", or "which is lower?" with one country in focus: all of them ranked again
                entities = pair if len(pair) == 2 and q.has("comparative", "compare", "sum") else []
            q = with_entities(q, entities) if entities else q
            if not asks_own or ((bare or q.has("more")) and not q.figures and not q.has("envoy", "quote")):
                return _with_attribute(eng, q, context)
            return q
        return q
    if own and q.has("compare") and all(e.kind == "country" for e in own):  # "compare that with thailand"
        earlier = [e for e in _countries_in(eng, context) if e not in own][: max(0, 2 - len(own))]
        if earlier:
            return _apply(eng, with_entities(q, earlier), [], context) if not asks_own else with_entities(q, earlier)
    orgs = [eng.names.entities[e] for e in context.entities if e in eng.kb.organizations and e not in eng.everywhere]
    if own and all(e.kind == "partner" for e in own) and orgs and len(rest) <= 2 and not q.has("refer"):
        return with_entities(q, orgs[:1])  # "how much did korea put in", after the fund: into the fund
    if q.has("refer") and not q.has("other"):  # "what did he say about korea": he is still the envoy ("not him": no)
        about = q.first("topic_of")
        # "what did he say about suu kyi": a person named as the topic does not stand for "he"
        topics = {m.entity for m in q.mentions if about is not None and m.start > about}
        kinds = {e.kind for e in own if e not in topics}
        extra = [e for e in _referents(eng, q, context) if e.kind not in kinds and e not in own]
        if extra:
            q = with_entities(q, extra)
    if (opens or short) and not asks_own and all(_fits(context.attribute, e) for e in own):
        return _apply(eng, q, [], context)
    return q


PLACES = {"countries", "nations", "states", "members"}  # a question about several of them
ABOUT_OPENERS = {"and", "what", "how", "then", "now"}  # "and about the ambassadors?", "what about vaccines"


def _new_topic(eng: Engine, q: Question, context: Context) -> Question | None:
    """The last question about another topic: "what did he say about the media", then "and about the
    ambassadors?" asks what he said about the ambassadors, and the next follow-up keeps that topic."""
    asked = (context.attribute or "").removeprefix("ask:")
    if asked == context.attribute or " about " not in f" {asked} " or "about" not in q.tokens:
        return None
    at = q.tokens.index("about")
    topic = q.tokens[at + 1:]
    if not 1 <= at <= 2 or not set(q.tokens[:at]) <= ABOUT_OPENERS or not topic:
        return None
    head = f" {asked} ".rpartition(" about ")[0].strip()  # "what did he say" of "what did he say about the media"
    again = read_sentence(eng, f"{head} about {' '.join(topic)}")
    known = [eng.names.entities[e] for e in context.entities if e in eng.names.entities]
    own = {m.entity for m in again.mentions}
    subjects = [e for e in known if e.kind in SUBJECTS and e not in own][:1]
    return with_entities(again, subjects) if subjects else again


def _countries_in(eng: Engine, context: Context) -> list[Entity]:
    """The countries the conversation was about, latest first."""
    found = (eng.names.entities.get(e) for e in context.entities)
    return [e for e in found if e and e.kind in {"country", "partner"}]


def _said_of_focus(eng: Engine, rest: list[str], context: Context) -> bool:
    """True when a passage about the conversation's country holds every word the question asks of its own: "how
    many tests per day?" after the Philippines asks the Philippines' figure."""
    focus = next((e for e in context.entities if e in eng.kb.countries), None)
    if focus is None or not rest or PLACES & set(rest):  # "how many countries attended": not one country's
        return False
    wanted = set(terms(" ".join(rest)))
    members = {c.id for c in eng.kb.members}
    # a passage about it, not one about them all (the guest list names every member state)
    return any(wanted <= set(doc.terms) and len(doc.entities & members) <= 2
               for doc in (eng.index.docs[i] for i in eng.index.about(focus)))


def _about_event(eng: Engine, context: Context) -> bool:
    """True when the conversation's last question was about the event itself ("when was the roundtable")."""
    attribute = context.attribute or ""
    return attribute.startswith("ask:") and read_sentence(eng, attribute.removeprefix("ask:")).has("event")


def own_words(eng: Engine, q: Question) -> list[str]:
    """The question's words beyond its concepts and fillers: what it asks of its own ("took", "photo")."""
    spans = {i for spans in q.concepts.values() for a, b in spans for i in range(a, b)}
    return [t for i, t in enumerate(q.tokens) if i not in spans and t not in STOPWORDS
            and t not in eng.lexicon.filler_words and t != "ones"]


def _fits(attribute: str | None, entity: Entity) -> bool:
    """Whether the last attribute can be asked of this entity ("what about laos?" after a figure)."""
    if not attribute:
        return False
    if attribute.startswith("figure:"):
        return entity.kind in {"country", "partner"}
    if attribute == "envoy":
        return entity.kind in {"country", "partner", "person"}
    return True


def _pick(eng: Engine, q: Question, context: Context, own: list[Entity], content: list[str]) -> Entity | None:
    """The candidate a short reply picks: "the second", "yes" (the first), a name among them, "the other one"."""
    offered = [eng.names.entities[c] for c in context.candidates if c in eng.names.entities]
    if not offered or len(content) > MAX_ELLIPSIS:
        return None
    described = _described(eng, offered, content)
    if described is not None:
        return described
    named = [e for e in own if e in offered]
    if named:
        return named[0]
    if own:  # a name outside the offer: a country's envoy for a list of countries
        return None
    for concept, index in CHOICES.items():
        if q.has(concept) and index < len(offered):
            return offered[index]
    if q.has("other"):
        rest = [e for e in offered if e.id not in context.entities]
        return rest[0] if rest else None
    if q.has("agree") and len(content) <= 1:
        return offered[0]
    return None


def _described(eng: Engine, offered: list[Entity], content: list[str]) -> Entity | None:
    """The one candidate a reply describes by its post or country ("the seoul mayor one", "the singapore one")."""
    said = {stem(w) for w in content} - {"one", "the"}
    scores = []
    for e in offered:
        text = e.name
        country = eng.kb.countries.get(e.id)
        if e.kind == "person":
            p = eng.kb.people[e.id]
            country = eng.kb.countries.get(p.country or "")
            text = " ".join([p.name, p.title, *p.positions, eng.kb.name_of(p.organization or "")])
        if country is not None:  # "the thai one", "the one from viet nam"
            text = " ".join([text, country.name, *country.aliases, *country.demonyms])
        scores.append((len(said & {stem(w) for w in words(text)}), e))
    best = max((n for n, _ in scores), default=0)
    top = [e for n, e in scores if n == best]
    return top[0] if best and len(top) == 1 else None


def siblings(eng: Engine, person_id: str) -> list[Entity]:
    """The other people sharing a name part with this one ("the other Park"): the first word of both names
    before any other shared word."""
    first = words(eng.kb.people[person_id].name)[:1]
    found = sorted(((w not in first or words(eng.kb.people[pid].name)[:1] != first, pid)
                    for w, ids in eng.names.shared.items() if person_id in ids for pid in ids if pid != person_id))
    return [eng.names.entities[pid] for pid in dict.fromkeys(pid for _, pid in found)][:1]


def _referents(eng: Engine, q: Question, context: Context) -> list[Entity]:
    """What "he", "they", "it", "his country" or an elliptical question refers to."""
    known = [eng.names.entities[e] for e in context.entities if e in eng.names.entities]
    if not known:
        return []
    # "his country", "that country"; "sino ang ambassador nila": an envoy is a country's
    if {"country", "nation", "government"} & set(q.tokens) or q.has("envoy"):
        countries = [e for e in known if e.kind in {"country", "partner"}]
        if countries:
            return countries[:1]
    personal = {"he", "she", "him", "his", "her", "hers"} & set(q.tokens)
    if personal:
        people = [e for e in known if e.kind == "person"]
        return people[:1] or known[:1]
    if q.has("org_word") or {"it", "its", "that", "this"} & set(q.tokens):  # "put into it", "that org"
        orgs = [e for e in known if e.kind == "organization"]
        if orgs:  # the one the last question asked about first: "what is the alliance", then "who backed it"
            asked = set(words((context.attribute or "").removeprefix("ask:")))
            return sorted(orgs, key=lambda e: -len(asked & set(words(e.name))))[:1]
    if {"they", "them", "their", "theirs"} & set(q.tokens):  # "did korea send them supplies": a country
        countries = [e for e in known if e.kind in {"country", "partner"}]
        if countries:
            return countries[:1]
    things = [e for e in known if e.kind != "person"]
    return (things or known)[:1]


def _apply(eng: Engine, q: Question, entities: list[Entity], context: Context) -> Question:
    """The question with the given entities and the conversation's last attribute."""
    if entities:
        q = with_entities(q, entities)
    return _with_attribute(eng, q, context)


def _with_attribute(eng: Engine, q: Question, context: Context) -> Question:
    """Ask the conversation's last attribute of the question's entities ("what about laos?")."""
    attribute = context.attribute or ""
    if attribute.startswith("figure:"):
        return replace(with_concepts(q, ["how_many", *attribute.removeprefix("figure:").split(",")]), inherited=True)
    if attribute in {"envoy", "quote"}:
        return replace(with_concepts(q, [attribute, "who"] if attribute == "envoy" else [attribute]), inherited=True)
    if attribute == "who" and q.mentions:  # a pick after "which Park did you mean?"
        again = read_sentence(eng, f"who is {q.mentions[-1].entity.name}")
        return replace(again, carried=q.carried, inherited=True)
    if attribute.startswith("ask:"):
        carried = [m.entity for m in q.mentions]
        asked = attribute.removeprefix("ask:")
        if q.asks:  # "where?" after "when was the roundtable": its own answer type instead of the one before
            before = read_sentence(eng, asked)
            typed = {i for c in ANSWER_TYPES for a, b in before.concepts.get(c, ()) for i in range(a, b)}
            again = read_sentence(eng, " ".join([q.text, *(t for i, t in enumerate(before.tokens) if i not in typed)]))
        else:
            again = read_sentence(eng, f"{asked} {q.text}")
        own = {m.entity for m in again.mentions}
        again = with_entities(again, [e for e in carried if e not in own]) if carried else again
        return replace(again, inherited=True, seen=q.seen)
    return q


def remember(eng: Engine, q: Question, answer: Answer, context: Context) -> Answer:
    """The answer with the context it leaves: the entities in focus and the attribute asked; its title says
    what was carried over from the conversation."""
    preset = answer.context
    subjects = [m.entity for m in q.mentions if m.entity.kind in SUBJECTS]
    ids = list(preset.entities) or [e.id for e in subjects]
    for e in list(ids):
        if e in eng.kb.countries and (envoy := eng.kb.countries[e].envoy) and q.has("envoy"):
            ids.append(envoy)  # "who represented thailand" -> "what did he say"
        elif (c := eng.kb.country_of_envoy(e)) is not None:
            ids.append(c.id)
    picked = bool(q.carried) and set(q.carried) <= set(context.candidates)
    attribute = preset.attribute or (context.attribute if picked or q.inherited else _attribute(eng, q))
    candidates = preset.candidates or (context.candidates if picked else ())
    earlier = [e for e in context.entities if e not in ids]  # the entities before, for "which is higher?"
    new = Context(entities=tuple(dict.fromkeys([*ids, *earlier]))[:4], attribute=attribute, candidates=candidates,
                  sources=tuple(dict.fromkeys(s.section for s in answer.sources))[:4], shown=preset.shown,
                  turn=context.turn + 1)
    title = answer.title
    carried = [eng.kb.name_of(e) for e in q.carried if eng.kb.name_of(e).lower() not in title.lower()]
    if carried and answer.kind in {"answer", "not_covered"}:
        title = f"{', '.join(carried)}: {title}"
    return replace(answer, title=title, context=new if answer.kind != "error" else FRESH)


def _attribute(eng: Engine, q: Question) -> str:
    """What the question asked, to be asked again of another entity."""
    if q.figures:
        return "figure:" + ",".join(q.figures)
    # "who was the thai ambassador at the roundtable" asks the envoy; "the ambassadors' meeting" asks the meeting
    if q.has("envoy") and not q.has("quote") and (not q.has("event") or q.of_kind("country", "person")):
        return "envoy"
    # the subject is what another entity replaces: a member state or person when it names one, so that in
    # "what did korea give the philippines" Korea stays part of what is asked ("and cambodia?")
    kinds = {"country", "person"} if any(m.entity.kind in {"country", "person"} for m in q.mentions) else None
    spans = {i for m in q.mentions if kinds is None or m.entity.kind in kinds for i in range(m.start, m.end)}
    rest = [t for i, t in enumerate(q.tokens) if i not in spans and t not in eng.lexicon.filler_words]
    if rest and (event := q.concepts.get("event")) and event[0][0] >= len(q.tokens):  # "when was it", of the event
        rest += words(eng.kb.profile.event)  # "the roundtable": read again, the question is about the event
    return "ask:" + " ".join(rest) if rest else ""
