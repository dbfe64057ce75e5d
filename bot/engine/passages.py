"""Finding the passage that answers a question: facts, quotes and paragraphs searched with the question's words,
the one holding an answer of the asked type preferred (a date, a figure, an amount, a person, a reason), and an
honest "not in the article" when none does."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from msgspec.structs import replace

from bot.answer import Answer, Field
from bot.dialogue import SHOWN, Context
from bot.engine import lookup, voice
from bot.engine.format import attribution, bullets, quote_field, quoted, sources
from bot.engine.names import Entity
from bot.engine.reading import ANSWER_TYPES, Question
from bot.engine.search import Doc, Hit
from bot.engine.text import STOPWORDS, clip, stem, terms, words
from bot.kb.models import Country, Quote, Source

if TYPE_CHECKING:
    from bot.engine.core import Engine


DESCRIBED = 0.6  # the share of a question's words an organisation's own description must hold to answer it
META_CONCEPTS = ("envoy", "envoy_weak", "quote", "event")  # "what did the cambodian guy say"
DEFINING = frozenset({"what", "is", "are", "was", "were", "me", "about"})  # words of "define" a search keeps


_NAMED_NUMBER = re.compile(r"\b[A-Za-z]+-\d+\b")  # the 19 of a name like "XYZ-19" is no figure


_FIGURE = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand|million|billion)\b", re.IGNORECASE
)


_DATE = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December|"
                   r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?\s+\d|\b(?:19|20)\d\d\b|\blast week\b|"
                   r"\b(?:late|early|mid)[- ](?:January|February|March|April|May|June|July|August|September|October|"
                   r"November|December)\b|\b(?:this|next|last) (?:year|month)\b|\b(?:in|on|since|by|during|until) "
                   r"(?:January|February|March|April|May|June|July|August|September|October|November|December)\b")


_MONEY = re.compile(r"\\?\$\s?\d|\d[\d,.]*\s*(?:million|billion)?\s*(?:dollars|won|ringgit|baht|pesos?)\b",
                    re.IGNORECASE)


_SENTENCE_END = re.compile(r"(?<=[.!?])(?<![A-Z]\.)\s+(?=[A-Z\"“])")  # not after an initial: "Christian L. De Jesus"
_AS_OF = re.compile(r"\bas of [^,.;()]*")
_BECAUSE = re.compile(r"\b(?:because|due to|thanks to|owes? to|owing to|as a result|that is why|which is why|since|"
                      r"so that|in order to|to help|therefore|thus|led to|behind|based on|lessons?|the key|key to|"
                      r"helped|result of|reason|by being|by using)\b", re.IGNORECASE)


CONFIDENT = 0.4  # below it an answer says it may not answer exactly (calibrated on the question sets)


CLOSEST = 0.3
WHOLE = 0.95  # a passage covering this much of the question answers it, whatever it is filed under
FOUND = "From the article"  # the title of an answer a passage gives
CLOSEST_TITLE = "The closest the article comes"  # ... and of a low-confidence one


def quote_answer(eng: Engine, q: Question, member: Country | None, people: list[Entity],
                  strict: bool) -> tuple[Answer | None, float]:
    """The quote a "who said ..." or "what did X say" question is after, if one fits, and its coverage."""
    person = people[0].id if people else None
    entity = member.id if member and (person is None or eng.kb.country_of_envoy(person)) else person
    query = search_words(eng, q, drop_meta=True)
    hits = eng.search(query, kinds={"quote"}, entity=person, limit=3) if person and entity != person else []
    if not [h for h in hits if h.coverage >= 0.4]:  # an envoy's own words first, then their section's
        hits = eng.search(query, kinds={"quote"}, entity=entity, limit=3)
    if not hits and entity and not member:  # a person without a matching quote: maybe words about them
        topic = rarest_slots(eng, query)[:1]
        hits = [h for h in eng.search(q.text, kinds={"quote"}, limit=3)
                if all(matches(h, t) for t in topic) and h.doc.record.speaker in (None, person)]
    topic = rarest_slots(eng, query)[:2]
    if topic:  # a quote whose own words miss the topic is only near it (its paragraph has the word)
        wanted = set().union(*topic)
        hits = sorted((h if wanted & set(terms(f"{h.doc.text} {h.doc.record.context or ''}"))
                       else Hit(h.doc, h.score / 2, h.coverage / 2) for h in hits), key=lambda h: -h.score)
    good = [h for h in hits if h.coverage >= (0.4 if strict else 0.25)]
    if not good:
        return None, 0.0
    top: Quote = good[0].doc.record
    who = attribution(eng.kb, top)
    body = f"{quoted(top)}\n— {who}"
    if q.has("who") and top.speaker:
        body = f"**{eng.kb.people[top.speaker].name}** said it.\n{body}"
    more = [h.doc.record for h in good[1:] if h.score >= 0.7 * good[0].score]
    fields = tuple(quote_field(eng.kb, x) for x in more)
    return Answer(title="Who said it" if strict else "What was said", body=body, fields=fields,
                  sources=sources(eng.kb, [top.source, *(x.source for x in more)]),
                  context=Context(entities=eng.kb.about_quote(top))), good[0].coverage


def fact_coverage(eng: Engine, q: Question, member: Country | None, people: list[Entity]) -> float:
    """How well the best fact covers the question (to compare with the best quote)."""
    focus = member.id if member else (people[0].id if people else None)
    hits = eng.search(search_words(eng, q, drop_meta=True), kinds={"fact"}, entity=focus, limit=1)
    return hits[0].coverage if hits else 0.0


def search_words(eng: Engine, q: Question, drop_meta: bool = False, keep_names: bool = False,
                 focus: str | None = None) -> str:
    """The question's search words: without fillers and names of the subject (filtered on instead: countries,
    people and the `focus`), and with `drop_meta` without words about saying, representing and the event itself
    ("say", "envoy")."""
    drop = {i for m in q.mentions if not keep_names and (m.entity.kind in {"country", "person"} or m.entity.id == focus)
            for i in range(m.start, m.end)}
    lex = eng.lexicon
    fillers = lex.filler_words
    # "still", "numbers", "stand for"; with `drop_meta` "say", "envoy"
    meta = lex.words_of("present", "figures") | (lex.words_of("define") - DEFINING)
    said = lex.words_of(*META_CONCEPTS) if drop_meta else frozenset()
    if q.asks or q.has("compare"):
        meta |= lex.words_of("span")  # "when did it start and end", "before and after"
    if q.has("compare"):
        meta |= lex.words_of("compare")  # "compare X and Y on testing": the countries are filtered on
    if q.has("more"):
        meta |= lex.words_of("more")  # "what else?": the same question, other passages
    if q.carried or q.has("refer"):
        meta |= {"country", "countries", "nation", "government"}  # "his country": the country filtered on
    asking = {i for c in ASKING for a, b in q.concepts.get(c, ()) for i in range(a, b)}  # "kapan", "siapa", "ai"
    # what is said "about" is the topic, envoy and event words too: "what did he say about the ambassadors"
    topic = q.tokens.index("about") + 1 if drop_meta and "about" in q.tokens else len(q.tokens)
    grammar = _grammar(eng, q)
    kept = [t for i, t in enumerate(q.tokens) if i not in drop and i not in q.translated and i not in asking
            and i not in grammar and t not in fillers and t not in meta and (t not in said or i >= topic)]
    kept += [t for t in q.english if t not in meta and t not in said]  # "vaksin" is searched as "vaccine"
    if q.has("response", "measures"):  # "how did cambodia handle visas": the visas, however they were handled
        named = q.named_words
        # how-words go; what-words stay where the article uses them ("control", "measures"; not "steps")
        asked = [t for t in kept if t in named or not (t in lex.words_of("response") or (
            t in lex.words_of("measures") and not eng.in_article(t)))]
        kept = asked if [t for t in asked if t not in named and t not in STOPWORDS] else kept
    if kept or drop:
        return " ".join(kept)  # nothing but a name: a bare name, answered with what the article says of it
    return " ".join([t for t in q.tokens if t not in fillers] or q.tokens)


def from_facts(eng: Engine, q: Question, member: Country | None, people: list[Entity], outsiders: list[Entity],
                drop_meta: bool = False) -> Answer:
    """Answer from the best-matching facts, then paragraphs, preferring a passage holding an answer of the
    asked type; say so when nothing fits."""
    orgs = [m.entity.id for m in q.mentions if m.entity.kind == "organization" and m.entity.id not in eng.everywhere]
    region = {m.end for m in q.mentions if m.entity.id in eng.everywhere}  # "ASEAN-Korea": the pair, not Korea
    partners = [m.entity.id for m in q.mentions if m.entity.kind == "partner" and m.start not in region]
    carried_orgs = [o for o in orgs if o in q.carried]  # "how much did korea put into it": into the fund
    focus = member.id if member else (people[0].id if people else (
        carried_orgs[0] if carried_orgs else (partners[0] if partners else None)))
    loose = search_words(eng, q, drop_meta=drop_meta, keep_names=True)
    if focus is None and orgs:
        unnamed = search_words(eng, q, drop_meta=drop_meta, focus=orgs[0])  # what is asked of it
        asked = eng.index.query_terms(unnamed)
        if asked and all(eng.index.idf(t) == 0 for slot in asked for t in slot) and not q.asks:
            return nothing(eng, q, member, outsiders)  # "the korea times' circulation": a word the article never uses
        if q.carried or not eng.finds(loose, {"fact", "event"}):
            focus = orgs[0]  # nothing but a name to go on ("What did the WHO say?"): what the article says of it
    query = search_words(eng, q, drop_meta=drop_meta, keep_names=focus is None,
                         focus=focus if focus in orgs else None)
    if focus and not eng.index.query_terms(query) and q.asks:  # "when was it": its passages, of the asked type
        query = loose
    if focus and not eng.index.query_terms(query):  # a bare name: what the article says of it
        if member and q.seen:  # "what else?" after its card: the facts the card left out
            return _more_about(eng, member, q.seen)
        if member:
            return lookup.country(eng, member.name)
        if people:
            return lookup.who(eng, people[0].name)
        if facts := eng.facts_about(focus)[:3]:
            return Answer(title=f"What the article says about {eng.kb.name_of(focus)}",
                          body=clip(bullets(f.text for f in facts), 3000),
                          sources=sources(eng.kb, (f.source for f in facts)))
    hits = eng.search(query, kinds={"fact", "event"}, entity=focus, limit=6)
    paras = eng.search(query, kinds={"paragraph"}, entity=focus, limit=3)
    carried = focus in q.carried  # "it" in "how much did korea put into it": trust it, the filter says enough
    said_by = drop_meta and bool(people)  # "what did lee hyuk say about tourism": his words, no one else's
    partner = focus in partners  # "what did japan contribute": about Japan or not at all
    if focus and not member and not carried and not said_by and not partner and (
            not hits or hits[0].coverage < CLOSEST):
        hits = eng.search(loose, kinds={"fact", "event"}, limit=6)
        paras = eng.search(loose, kinds={"paragraph"}, limit=3)
    if focus is None or q.has("event"):
        about_event = q.has("event") or (focus is None and q.has("envoy", "envoy_weak")) or (
            bool(eng.event_words) and eng.event_words <= set(q.tokens)) or (  # "the june 15 thing"
            focus is None and bool(q.asks or q.has("why")) and _only_event_asks(eng, q))  # "where did they hold it"
        hits = _prefer_labelled(eng, q, hits, about_event)
    if q.seen:  # "what else?", and the second part of "what is X and what is Y": other passages than before
        hits = [h for h in hits if not _was_seen(h, q.seen)]
        paras = [h for h in paras if not _was_seen(h, q.seen)]
    if q.excluded:  # "what did indonesia build besides test kits"
        wanted = [slot for slot in eng.index.query_terms(query) if eng.index.idf(slot[0]) > 0]
        hits = _without(hits, q.excluded, wanted) or hits
        paras = _without(paras, q.excluded, wanted) or paras
    typed = False  # whether the passages left all hold the asked type of answer (a date, a figure)
    answers: Callable[[str], object] | None = None  # whether a text holds it
    if "date" in q.asks:
        own = [t for t in q.tokens if t.isdigit()]
        # a year inside the name asked about is no answer: "when was the CAC Global Summit 2020"
        titled = [n for o in orgs for n in (eng.kb.organizations[o].name, *eng.kb.organizations[o].aliases)
                  if any(ch.isdigit() for ch in n)]

        measured = not q.has("as_of")  # "as of June 11" dates a figure ("as of when?" asks that date)

        def any_date(text: str) -> bool:
            for name in titled:
                text = text.replace(name, "")
            return bool(_DATE.search(re.sub(r"\b(?:" + "|".join(own) + r")\b", "", text) if own else text))

        # a date of what happened answers before a date a figure was counted at, which answers when there is none
        happened = measured and any(any_date(_AS_OF.sub("", h.doc.text)) for h in (*hits, *paras)
                                    if h.coverage >= CLOSEST)

        def has_date(text: str) -> bool:
            return any_date(_AS_OF.sub("", text) if happened else text)

        def dated(hit: Hit) -> bool:
            return has_date(hit.doc.text)

        typed_hits, typed_paras = _typed(hits, dated), _typed(paras, dated)
        labelled = bool(hits) and hits[0].doc.kind == "event" and hits[0].coverage == 1.0
        if not labelled and (hits or paras) and not any(any_date(h.doc.text) for h in (*hits, *paras)
                                                        if h.coverage >= CLOSEST):
            return _no_date(eng, q, (hits or paras)[0])  # "when was the korea times founded": no date given
        hits, paras = typed_hits or hits, typed_paras or paras
        typed, answers = bool(typed_hits or typed_paras), has_date
    if "number" in q.asks and q.tokens[:1] != ("when",):
        counted = _counted(eng, q)
        rarest = [counted] if counted else rarest_slots(eng, query)
        holds = _MONEY.search if q.has("money") else _has_figure
        with_figures = _figured(eng, hits, rarest, holds)
        paras = _figured(eng, paras, rarest, holds)
        if not with_figures and not paras:
            return _no_figure(eng, q, member, outsiders, hits)
        hits, typed = with_figures, True
        answers = holds
    if q.has("why"):
        why = {id(d) for d, _, asks in eng.event_asks if ("why",) in asks}  # the event's occasion is its reason
        reasons = [h for h in (*hits, *paras) if h.coverage >= CLOSEST and (
            _BECAUSE.search(h.doc.text) or id(h.doc) in why)]
        if not reasons:
            return voice.no_reason(eng, hits[0] if hits else (paras[0] if paras else None))
        hits = [h for h in reasons if h.doc.kind != "paragraph"]
        paras = [h for h in reasons if h.doc.kind == "paragraph"]
    if "person" in q.asks:
        people_ids = eng.people_ids
        hits = _typed(hits, lambda h: not people_ids.isdisjoint(h.doc.entities)) or hits
    hits, paras = _naming(q, hits), _naming(q, paras)
    best = hits[0] if hits else None
    if paras and (best is None or paras[0].coverage > best.coverage + 0.2):
        best, hits = paras[0], paras
    if best is None or best.coverage < (CLOSEST / 2 if carried else CLOSEST):
        return nothing(eng, q, member, outsiders)
    named = [o for o in orgs if o not in q.carried and o in eng.kb.organizations]
    if not member and not people and named and best.coverage < WHOLE and not _names_any(eng, best.doc, named):
        about = [h for h in (*hits, *paras) if h.coverage >= CLOSEST and _names_any(eng, h.doc, named)]
        if not about:
            org = eng.kb.organizations[named[0]]
            asked_stems = set(terms(search_words(eng, q, focus=org.id)))
            if asked_stems and len(asked_stems & set(terms(org.description))) >= DESCRIBED * len(asked_stems):
                return lookup.organization(eng, org)  # "is the korea times the first english paper": its own record
            return _not_said_of(eng, named[0])  # "how many cases did seoul have": the region's, not Seoul's
        best, hits = about[0], about
    near = 0.6 if q.has("present") else 0.75  # "still": the later measures too
    good = [h for h in hits if h.coverage >= CLOSEST and (h.score >= near * best.score or (
        h.coverage >= max(CONFIDENT, best.coverage - 0.01) and h.doc.kind == best.doc.kind))][:3]
    # a passage of the asked type about what the conversation was about ("how much did korea put in", after
    # the fund) answers it, however few of the question's own words it shares
    confident = best.coverage >= CONFIDENT or (typed and carried)
    title = FOUND if confident else CLOSEST_TITLE
    body = best.doc.text
    if answers is not None and best.doc.kind == "paragraph":  # the sentence holding the figure or date, not all
        body = _lead_sentence(body, answers, eng.index.query_terms(query))
    if not confident:
        body = "The article may not answer this exactly. Closest passage:\n" + body
    extra = [h.doc.text for h in good[1:] if not (best.doc.kind == "event" and h.doc.kind == "fact"
                                                  and h.coverage < best.coverage)]
    fields = (Field("Also in the article", clip(bullets(extra), 1024)),) if extra else ()
    refs = [Source(section=h.doc.section, paragraphs=list(h.doc.paragraphs)) for h in good]
    named = [m.entity.id for m in q.mentions if m.entity.kind in {"country", "partner", "person", "organization"}]
    focus_ids = list(dict.fromkeys([*([focus] if focus else []), *named, *_things_in(eng, best.doc)]))
    shown = tuple(h.doc.text[:SHOWN] for h in good)
    return Answer(title=title, body=clip(body, 3000), fields=fields, sources=sources(eng.kb, refs),
                  context=Context(entities=tuple(focus_ids[:4]), shown=shown))


def _names_any(eng: Engine, doc: Doc, ids: list[str]) -> bool:
    """True when the passage is about one of these organisations, or names it ("Seoul Mayor Park Won-soon")."""
    said = set(words(doc.text))
    return any(o in doc.entities or set(words(eng.kb.organizations[o].name)) <= said for o in ids)


def _naming(q: Question, hits: list[Hit]) -> list[Hit]:
    """The hits with one about everything the question names first, when the best-scored one is not ("the
    population of ASEAN": ASEAN's 660 million citizens, not Seoul's 10 million)."""
    named = {m.entity.id for m in q.mentions}
    if not named or not hits or named <= hits[0].doc.entities:
        return hits
    about = next((h for h in hits[1:3] if named <= h.doc.entities and h.coverage >= CLOSEST), None)
    return hits if about is None else [about, *(h for h in hits if h is not about)]


def _more_about(eng: Engine, member: Country, seen: tuple[str, ...]) -> Answer:
    """What the article says of a member state beyond the passages shown already."""
    facts = sorted(eng.facts_about(member.id), key=lambda f: f.source.section != member.section)  # its own first
    rest = [f for f in facts if f.text[:SHOWN] not in seen][:MORE_FACTS]
    if not rest:
        return voice.not_about(eng, member)
    return Answer(title=f"More about {member.name}", body=clip(bullets(f.text for f in rest), 3000),
                  sources=sources(eng.kb, (f.source for f in rest)),
                  context=Context(entities=(member.id,), shown=(*seen, *(f.text[:SHOWN] for f in rest))))


MORE_FACTS = 4  # facts a "what else?" adds


def _things_in(eng: Engine, doc: Doc) -> list[str]:
    """The people and organisations an answer's passage is about, most specific first: what "he" or "it" may
    mean next."""
    about = doc.record.about if doc.kind == "fact" else sorted(doc.entities)
    return [e for e in about if (e in eng.kb.organizations and e not in eng.everywhere) or e in eng.kb.people]


ASKING = ("who", "what", "where", "when", "how_many", "which", "why", "refer", "follow_on")  # question words


def _was_seen(hit: Hit, seen: tuple[str, ...]) -> bool:
    """True when an earlier answer showed this passage (by its opening words, or whole inside an answer)."""
    opening = hit.doc.text[:SHOWN]
    return any(opening == s or hit.doc.text in s for s in seen)


def _without(hits: list[Hit], excluded: tuple[str, ...], wanted: list[tuple[str, ...]]) -> list[Hit]:
    """The hits that are about more than what the question sets aside ("besides test kits"): they have a word
    of the question beyond it."""
    gone = {stem(t) for t in excluded}
    rest = [slot for slot in wanted if not gone & set(slot)]
    return [h for h in hits if not gone <= set(h.doc.terms) or any(matches(h, slot) for slot in rest)]


def _typed(hits: list[Hit], holds: Callable[[Hit], bool]) -> list[Hit]:
    """The hits whose text holds an answer of the asked type, if any of them is nearly as good as the best."""
    if not hits or (hits[0].doc.kind == "event" and hits[0].coverage == 1.0):
        return []  # the event items the question asks for stand first already
    typed = [h for h in hits if holds(h)]
    if typed and typed[0].coverage >= CLOSEST and typed[0].score >= 0.5 * hits[0].score:
        return typed + [h for h in hits if h not in typed]
    return []


LABELLED_TYPES = {"date", "place"}  # answer types an event item can be asked for by its own word


def _prefer_labelled(eng: Engine, q: Question, hits: list[Hit], about_event: bool) -> list[Hit]:
    """Put the event items first that the question asks for ("who hosted" -> Host, "when and where" -> Date,
    Place), when it is about the event itself (or about the envoys, with no one else named)."""
    gatherings = eng.lexicon.concept_words.get("gathering", frozenset())
    other_event = any(set(words(eng.kb.organizations[e.id].kind)) & gatherings for e in q.of_kind("organization"))
    beyond = [t for t in _beyond_labels(eng, q) if t in eng.names.vocabulary]  # words that can pick a passage
    if not about_event or other_event or len(beyond) > 1 or any(t.isdigit() for t in beyond):
        return hits  # "who hosted the may 29 meeting" is about another meeting: the passages tell
    toks = (*q.tokens, *q.english)  # "사회자" asks for the mediator as "mediated" does
    stems = {stem(t) for t in toks}
    # "when did they meet before this": "when" asks a date of the item the question's other words name, when that
    # item gives one (the earlier meeting's), rather than naming the Date item itself
    asking = eng.lexicon.words_of("when") if q.asks == ("date",) else frozenset()
    wanted = set(terms(" ".join(t for t in toks if t not in STOPWORDS)))
    ranked: list[tuple[int, int, int, int, Doc]] = []
    for (doc, label, asks), said_terms in zip(eng.event_asks, eng.event_terms, strict=True):
        found = [i for i in range(len(toks)) for a in asks if toks[i : i + len(a)] == a]
        # "bilakah" asks what "when" asks
        found += [a for c in ANSWER_TYPES if (c,) in asks and c not in toks for a, _ in q.concepts.get(c, ())]
        if not found and label not in stems:
            continue
        named = sum(toks[i] not in asking for i in found) if asking and _DATE.search(doc.text) else 0
        said = len(wanted & said_terms)  # "who hosted the earlier one": the earlier meeting's host
        ranked.append((-named, -len(found), -said, min(found, default=len(toks)), doc))
    if not ranked:
        return hits
    ranked.sort(key=lambda r: r[:4])  # the item the question's own words ask for most, then the first
    types = {t for t in q.asks if t in LABELLED_TYPES}
    chosen = [d for *_, d in ranked[: max(1, len(types))]]
    score = hits[0].score if hits else 1.0
    return [*(Hit(d, score, 1.0) for d in chosen), *(h for h in hits if h.doc not in chosen)]


def _figured(eng: Engine, hits: list[Hit], rarest: list[tuple[str, ...]],
             holds: Callable[[str], object]) -> list[Hit]:
    """The hits stating a figure (an amount of money, when asked for one) and having the question's rarest word,
    else its second rarest: what the figure is of."""
    with_figures = [h for h in hits if holds(_unnamed(eng, h.doc))]
    for slot in rarest[:2] or [()]:
        found = [h for h in with_figures if matches(h, slot)]
        if found:
            return found
    return []


def _only_event_asks(eng: Engine, q: Question) -> bool:
    """True when every word of the question beyond its question words asks for an event item ("where did they hold
    it": the place it was held), so it is about the event though it does not name it."""
    toks = q.tokens
    if any(m.entity.id not in eng.event_entities for m in q.mentions):  # only the host, the sponsor ... named
        return False
    asked = any(toks[i : i + len(a)] == a for i, t in enumerate(toks) for a in eng.event_ask_starts.get(t, ()))
    return asked and not _beyond_labels(eng, q)


def _grammar(eng: Engine, q: Question) -> set[int]:
    """Positions of a question in another language (some of its words translated) holding its own words the article
    never uses: its grammar ("da", "lam", "itu"), not what it asks."""
    return {i for i, t in enumerate(q.tokens) if not eng.in_article(t)} if q.translated else set()


def _beyond_labels(eng: Engine, q: Question) -> list[str]:
    """The question's words beyond those asking for an event item, the event's own words and its date."""
    asked = {t for _, _, asks in eng.event_asks for a in asks for t in a} | eng.event_words
    concepts = {"event", "envoy", "envoy_weak", "theme", "refer", *ANSWER_TYPES}
    spans = {i for c in concepts for a, b in q.concepts.get(c, ()) for i in range(a, b)}
    spans |= {i for m in q.mentions for i in range(m.start, m.end)}
    asked |= eng.lexicon.words_of("event")
    spans |= q.translated | _grammar(eng, q)  # another language's words count as their English ones
    return [t for i, t in (*enumerate(q.tokens), *((-1, e) for e in q.english)) if i not in spans
            and t not in STOPWORDS and t not in asked and t not in eng.lexicon.filler_words
            and t not in {"thing", "one", "it"}]


def _lead_sentence(text: str, answers: Callable[[str], object], slots: list[tuple[str, ...]]) -> str:
    """The sentence of a paragraph that holds the asked type of answer and most of the question's words (the
    whole paragraph when no one sentence does)."""
    parts = _SENTENCE_END.split(text)
    if len(parts) < 2:
        return text
    scored = [(sum(1 for slot in slots if set(slot) & set(stems)), -i, part) for i, part in enumerate(parts)
              if answers(part) and (stems := terms(part))]
    best = max(scored, default=None)
    return best[2] if best and best[0] > 0 else text  # a sentence sharing none of the question's words: all of it


def _unnamed(eng: Engine, doc: Doc) -> str:
    """A passage's text without the names of the organisations it is about: the "three" of a name states no
    figure."""
    text = doc.text
    for e in doc.entities:
        for name in eng.org_names.get(e, ()):
            text = text.replace(name, "")
    return text


def _has_figure(text: str) -> bool:
    """True when the text states a number (the 19 of a name such as "COVID-19" does not count)."""
    return bool(_FIGURE.search(_NAMED_NUMBER.sub("", text)))


def _counted(eng: Engine, q: Question) -> tuple[str, ...]:
    """What a "how many X" question counts (X with its synonyms), when it names it: the figure must be of it."""
    spans = q.concepts.get("how_many", [])
    if not spans:
        return ()
    end = spans[0][1]
    theme = eng.lexicon.concept_words.get("theme", frozenset())
    for tok in q.tokens[end : end + 3]:
        if tok in STOPWORDS or tok in eng.lexicon.filler_words or tok in theme or tok.isdigit():
            continue
        slots = eng.index.query_terms(tok)
        return slots[0] if slots and eng.index.idf(slots[0][0]) > 0 and not q.has("money") else ()
    return ()


def rarest_slots(eng: Engine, query: str) -> list[tuple[str, ...]]:
    """The query words (with their synonyms) that the fewest documents use, rarest first: what it is about."""
    known = [slot for slot in eng.index.query_terms(query) if eng.index.idf(slot[0]) > 0]
    return sorted(known, key=lambda slot: -eng.index.idf(slot[0]))


def matches(hit: Hit, slot: tuple[str, ...]) -> bool:
    """True when the hit's document has the slot's word or one of its synonyms (or there is no slot)."""
    return not slot or any(t in hit.doc.terms for t in slot)


def _no_date(eng: Engine, q: Question, top: Hit) -> Answer:
    """A "when" question the passages give no date for: say so, and what the best of them says."""
    if top.coverage < CLOSEST:
        return voice.not_found(eng, q.text)
    return Answer(title="No date in the article",
                  body="The article gives no date for that. What it does say:\n" + top.doc.text,
                  sources=sources(eng.kb, [Source(section=top.doc.section, paragraphs=list(top.doc.paragraphs))]),
                  kind="not_covered")


def _no_figure(eng: Engine, q: Question, member: Country | None, outsiders: list[Entity], hits: list[Hit]) -> Answer:
    """A "how many" question the article gives no number for: say so, and what it does say."""
    if not hits or hits[0].coverage < CONFIDENT:
        return nothing(eng, q, member, outsiders)
    top = hits[0]
    return Answer(title="No figure in the article",
                  body="The article gives no figure for that. What it does say:\n" + top.doc.text,
                  sources=sources(eng.kb, [Source(section=top.doc.section, paragraphs=list(top.doc.paragraphs))]),
                  kind="not_covered")


def _not_said_of(eng: Engine, org_id: str, what: str = "that") -> Answer:
    """The article does not say `what` of an organisation: what it does say of it."""
    card = lookup.organization(eng, eng.kb.organizations[org_id])
    return replace(card, title="Not in the article", kind="not_covered",
                   body=f"{voice.not_said(what, card.title)} What it says of it:\n{card.body}")


def nothing(eng: Engine, q: Question, member: Country | None, outsiders: list[Entity],
            what: str = "that") -> Answer:
    """The article does not say (`what`): offer what it covers about the subject."""
    carried = [e for e in q.of_kind("organization") if e.id in q.carried and e.id in eng.kb.organizations]
    if carried and not member:  # "who runs it": not said; what is said of it
        return _not_said_of(eng, carried[0].id, what)
    people = [eng.kb.people[e.id] for e in q.of_kind("person")]
    named = [e for e in q.of_kind("organization") if e.id in eng.kb.organizations and e.id not in eng.everywhere]
    if named and not member and not people:  # "how many cases did seoul have"
        return _not_said_of(eng, named[0].id, what)
    if people and (member is None or eng.kb.country_of_envoy(people[0].id) is None or q.has("quote")):
        return voice.not_about_person(eng, people[0], what=what)
    if member:
        return voice.not_about(eng, member, what)
    if outsiders:
        return lookup.outside(eng, outsiders[0], "answer to that")
    return voice.not_found(eng, q.text)
