"""Load the knowledge directory, validate every file and every cross-reference."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from bot.kb.article import Article, parse_article
from bot.kb.errors import KnowledgeError
from bot.kb.models import (
    Country,
    Event,
    Fact,
    Figure,
    Gazetteer,
    Language,
    Organization,
    Person,
    Profile,
    Quote,
    Source,
    Topic,
    Vocabulary,
)

ARTICLE_FILE = "article.md"
T = TypeVar("T")
# What one record of each list is called in an error message ("fact 'x' (line 12)"), by the list's key.
RECORD_NOUNS = {"countries": "country", "people": "person", "organizations": "organization", "topics": "topic",
                "facts": "fact", "quotes": "quote", "languages": "language", "figures": "figure",
                "items": "event item"}
_SEGMENT = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")


@dataclass(slots=True)
class _Parsed:
    """One file's YAML as parsed, and the line where each of its mappings and lists starts."""

    data: Any
    lines: dict[int, int]


def default_knowledge_dir() -> Path:
    """`$BOT_KNOWLEDGE_DIR`, else the knowledge base the bot comes with (`bundled_knowledge_dir`)."""
    env = os.environ.get("BOT_KNOWLEDGE_DIR")
    return Path(env) if env else bundled_knowledge_dir()


def bundled_knowledge_dir() -> Path:
    """The checkout's `knowledge/` when the code runs from a source tree (an editable install too), else the
    copy installed inside the package, `bot/knowledge`."""
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "knowledge").is_dir():
        return checkout / "knowledge"
    return Path(str(resources.files("bot") / "knowledge"))


@dataclass(slots=True)
class KnowledgeBase:
    """Everything the bot knows, validated and cross-linked."""

    root: Path
    article: Article
    countries: dict[str, Country]
    people: dict[str, Person]
    organizations: dict[str, Organization]
    event: Event
    topics: dict[str, Topic]
    facts: list[Fact]
    quotes: list[Quote]
    gazetteer: Gazetteer
    profile: Profile
    synonyms: list[list[str]] = field(default_factory=list)
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    languages: list[Language] = field(default_factory=list)
    section_country: dict[str, str] = field(default_factory=dict)
    envoy_country: dict[str, str] = field(default_factory=dict)  # person id -> the country they represented

    @property
    def members(self) -> list[Country]:
        """The member states (`member: true`), in the order the files list them."""
        return [c for c in self.countries.values() if c.member]

    @property
    def figures(self) -> list[Figure]:
        """The kinds of figure the countries' stats give, in the order profile.yaml declares them."""
        return self.profile.figures

    def figure(self, figure_id: str) -> Figure | None:
        """The declared figure with this id."""
        return next((f for f in self.profile.figures if f.id == figure_id), None)

    def name_of(self, entity_id: str) -> str:
        """Display name of a country, person or organization id."""
        for table in (self.countries, self.people, self.organizations):
            if entity_id in table:
                return table[entity_id].name
        return entity_id

    def country_of_envoy(self, person_id: str) -> Country | None:
        """The country a person represented, if they are an envoy."""
        country = self.envoy_country.get(person_id)
        return self.countries[country] if country else None

    def summary_line(self) -> str:
        """One line saying how much was loaded."""
        paras = len(self.article.paragraphs())
        return (
            f"{len(self.members)} member states, {len(self.people)} people, "
            f"{len(self.organizations)} organisations, {len(self.facts)} facts, "
            f"{len(self.quotes)} quotes, {len(self.topics)} topics, "
            f"{len(self.article.sections)} sections / {paras} paragraphs"
        )


def _read(root: Path, name: str) -> tuple[str, str]:
    path = root / name
    try:
        return str(path), path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KnowledgeError(str(path), "", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeError(str(path), "", f"cannot read: {exc}") from None


def _path_of(message: str) -> tuple[str, str]:
    """Split msgspec's "... - at `$.a[0].b`" into (key path, problem), the problem in plain words:
    "Object contains unknown field `colour`" becomes "unknown field 'colour'"."""
    m = re.search(r" - at `\$\.?(.*)`$", message, re.S)
    path, problem = (m.group(1), message[: m.start()]) if m else ("", message)
    problem = re.sub(r"^Object contains ", "", problem).replace("Object missing ", "missing ", 1)
    problem = re.sub(r"field `(.*)`", r"field '\1'", problem, flags=re.S).replace("`", "")
    if not problem.isprintable():  # e.g. an unknown key with a line break in it: keep the message one line
        problem = problem.encode("unicode_escape").decode("ascii")
    return (path if path.isprintable() else repr(path)), problem


def _name_record(doc: _Parsed, path: str) -> str:
    """`facts[80].source` -> `fact 'cambodia-visa-suspension' (line 212): source`: the first record on the key
    path is named by its id (or label, or name) and line; a path that does not lead into a record is kept."""
    node, pos, list_key = doc.data, 0, ""
    for m in _SEGMENT.finditer(path):
        if m.start() != pos:
            break
        pos = m.end()
        key, index = m.group(1), m.group(2)
        if key is not None:
            if not isinstance(node, dict) or key not in node:
                break
            node, list_key = node[key], key
            continue
        if not isinstance(node, list) or int(index) >= len(node):
            break
        node = node[int(index)]
        line = doc.lines.get(id(node)) if isinstance(node, dict | list) else None
        if line is None:
            break
        names = [node.get(k) for k in ("id", "label", "name")] if isinstance(node, dict) else []
        name = next((n for n in names if isinstance(n, str)), None)
        label = f"{RECORD_NOUNS.get(list_key, list_key)} {name!r}" if name else path[:pos]
        rest = path[pos:].lstrip(".")
        return f"{label} (line {line})" + (f": {rest}" if rest else "")
    return path


def _convert(data: Any, kind: type[T], file: str, where: str) -> T:
    try:
        return msgspec.convert(data, kind, strict=True)
    except msgspec.ValidationError as exc:
        sub, problem = _path_of(str(exc))
        path = ".".join(p for p in (where, sub) if p).replace(".[", "[")
        raise KnowledgeError(file, path, problem[:1].lower() + problem[1:]) from None


def _section(root: Path, name: str, key: str, kind: type[T], docs: dict[str, _Parsed]) -> T:
    file, data = _load(root, name, key, docs)
    return _convert(data, kind, file, key)


def _load(root: Path, name: str, key: str, docs: dict[str, _Parsed]) -> tuple[str, Any]:
    """(file, the value of its top-level key), parsed but not yet validated; the parsed file goes in `docs`."""
    import yaml  # here, not at the top: an engine from the cache starts without the YAML parser

    from bot.kb.yamlio import load_yaml_lines

    file, text = _read(root, name)
    try:
        data, lines = load_yaml_lines(text)
    except yaml.YAMLError as exc:
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f"line {mark.line + 1}, column {mark.column + 1}"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise KnowledgeError(file, where, f"invalid YAML: {problem}") from None
    if not isinstance(data, dict) or key not in data:
        raise KnowledgeError(file, "", f"expected a mapping with a top-level `{key}` key")
    extra = sorted(str(k) for k in data if k != key)  # keys may be numbers as well as text
    if extra:
        raise KnowledgeError(file, "", f"unknown top-level key(s): {', '.join(extra)}")
    docs[file] = _Parsed(data, lines)
    return file, data[key]


def _countries(root: Path, profile: Profile, docs: dict[str, _Parsed]) -> list[Country]:
    """countries.yaml, with every stats value checked first: a declared figure id, an integer >= 0
    (msgspec would not name the key of a bad value)."""
    file, data = _load(root, "countries.yaml", "countries", docs)
    ids = [f.id for f in profile.figures]
    for i, c in enumerate(data if isinstance(data, list) else []):
        stats = c.get("stats") if isinstance(c, dict) else None
        values = stats.get("values") if isinstance(stats, dict) else None
        for fid, v in values.items() if isinstance(values, dict) else ():
            where = f"countries[{i}].stats.values.{fid}"
            if fid not in ids:
                raise KnowledgeError(file, where, f"unknown figure {fid!r} (profile.yaml figures: "
                                                  f"{', '.join(ids) or 'none'})")
            if not isinstance(v, int) or isinstance(v, bool):
                raise KnowledgeError(file, where, f"expected int, got {type(v).__name__}")
            if v < 0:
                raise KnowledgeError(file, where, f"expected int >= 0, got {v}")
    return _convert(data, list[Country], file, "countries")


def _optional(root: Path, name: str, key: str, kind: type[T], default: T, docs: dict[str, _Parsed]) -> T:
    """A file a knowledge base may leave out (the default stands in for it), validated when present."""
    return _section(root, name, key, kind, docs) if (root / name).is_file() else default


def _by_id(items: list[Any], file: str, key: str) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for i, item in enumerate(items):
        if item.id in table:
            raise KnowledgeError(file, f"{key}[{i}].id", f"duplicate id {item.id!r}")
        table[item.id] = item
    return table


def load_knowledge(root: Path | None = None) -> KnowledgeBase:
    """Load and validate every file under `root`; raises `KnowledgeError` naming what is wrong, and the
    record by its id and line (`fact 'x' (line 12): source.section`) where there is one."""
    docs: dict[str, _Parsed] = {}
    try:
        return _load_knowledge(root or default_knowledge_dir(), docs)
    except KnowledgeError as exc:
        doc = docs.get(exc.file)
        where = _name_record(doc, exc.where) if doc is not None and exc.where else exc.where
        if where == exc.where:
            raise
        raise KnowledgeError(exc.file, where, exc.problem) from None


def _load_knowledge(root: Path, docs: dict[str, _Parsed]) -> KnowledgeBase:
    if not root.is_dir():
        raise KnowledgeError(str(root), "", "knowledge directory not found")
    _, md = _read(root, ARTICLE_FILE)
    article = parse_article(md)
    profile = _section(root, "profile.yaml", "profile", Profile, docs)
    _by_id(profile.figures, str(root / "profile.yaml"), "profile.figures")  # each figure declared once
    kb = KnowledgeBase(
        root=root,
        article=article,
        countries=_by_id(_countries(root, profile, docs), str(root / "countries.yaml"), "countries"),
        people=_by_id(_section(root, "people.yaml", "people", list[Person], docs),
                      str(root / "people.yaml"), "people"),
        organizations=_by_id(_section(root, "organizations.yaml", "organizations", list[Organization], docs),
                             str(root / "organizations.yaml"), "organizations"),
        event=_section(root, "event.yaml", "event", Event, docs),
        topics=_by_id(_section(root, "topics.yaml", "topics", list[Topic], docs),
                      str(root / "topics.yaml"), "topics"),
        facts=_section(root, "facts.yaml", "facts", list[Fact], docs),
        quotes=_section(root, "quotes.yaml", "quotes", list[Quote], docs),
        gazetteer=_section(root, "gazetteer.yaml", "gazetteer", Gazetteer, docs),
        profile=profile,
        synonyms=_section(root, "synonyms.yaml", "synonyms", list[list[str]], docs),
        vocabulary=_optional(root, "vocabulary.yaml", "vocabulary", Vocabulary, Vocabulary(), docs),
        languages=_optional(root, "languages.yaml", "languages", list[Language], [], docs),
    )
    _link(kb)
    return kb


def _check_profile(kb: KnowledgeBase) -> None:
    """The profile names the article as article.md does, and names the member group when there are member
    states."""
    file, p = str(kb.root / "profile.yaml"), kb.profile
    if p.article.headline != kb.article.title:
        raise KnowledgeError(file, "profile.article.headline",
                             f"{p.article.headline!r} is not the title of {ARTICLE_FILE} ({kb.article.title!r})")
    if p.article.author and not any(p.article.author in para.text for para in kb.article.paragraphs()):
        raise KnowledgeError(file, "profile.article.author", f"{p.article.author!r} does not appear in {ARTICLE_FILE}")
    if p.members is None and any(c.member for c in kb.countries.values()):
        raise KnowledgeError(file, "profile.members", "countries.yaml lists member states: name their group here")


def _link(kb: KnowledgeBase) -> None:
    """Check every cross-reference and fill the derived tables."""
    root = kb.root

    def check_source(src: Source, file: str, where: str) -> None:
        try:
            section = kb.article.section(src.section)
        except KeyError:
            raise KnowledgeError(file, f"{where}.source.section", f"unknown section {src.section!r}") from None
        if not src.paragraphs:
            raise KnowledgeError(file, f"{where}.source.paragraphs", "must list at least one paragraph")
        for n in src.paragraphs:
            if not 1 <= n <= len(section.paragraphs):
                raise KnowledgeError(
                    file, f"{where}.source.paragraphs",
                    f"paragraph {n} out of range (section {src.section!r} has {len(section.paragraphs)})",
                )

    def need(table: dict[str, Any], ref: str | None, file: str, where: str, what: str) -> None:
        if ref is not None and ref not in table:
            raise KnowledgeError(file, where, f"unknown {what} {ref!r}")

    owners: dict[str, str] = {}
    for table, name in ((kb.countries, "countries"), (kb.people, "people"), (kb.organizations, "organizations")):
        for eid in table:
            if eid in owners:
                raise KnowledgeError(str(root / f"{name}.yaml"), f"{name}.{eid}",
                                     f"id {eid!r} is also used in {owners[eid]}.yaml")
            owners[eid] = name
    entities = {**kb.countries, **kb.people, **kb.organizations}

    _check_profile(kb)
    file = str(root / "countries.yaml")
    envoys = kb.envoy_country
    for i, c in enumerate(kb.countries.values()):
        where = f"countries[{i}]"
        need(kb.people, c.envoy, file, f"{where}.envoy", "person")
        if c.envoy:
            if c.envoy in envoys:
                raise KnowledgeError(file, f"{where}.envoy",
                                     f"{c.envoy!r} is already the envoy of {envoys[c.envoy]!r}")
            envoys[c.envoy] = c.id
        if c.section:
            try:
                kb.article.section(c.section)
            except KeyError:
                raise KnowledgeError(file, f"{where}.section", f"unknown section {c.section!r}") from None
            kb.section_country[c.section] = c.id
        if c.stats:
            check_source(c.stats.source, file, f"{where}.stats")
        if c.member and (c.envoy is None or c.stats is None):
            raise KnowledgeError(file, where, "a member state needs an envoy and stats")

    file = str(root / "people.yaml")
    for i, p in enumerate(kb.people.values()):
        need(kb.countries, p.country, file, f"people[{i}].country", "country")
        need(kb.organizations, p.organization, file, f"people[{i}].organization", "organization")
        check_source(p.source, file, f"people[{i}]")
        if p.country and envoys.get(p.id, p.country) != p.country:
            raise KnowledgeError(file, f"people[{i}].country",
                                 f"says {p.country!r} but countries.yaml makes them envoy of {envoys[p.id]!r}")

    file = str(root / "organizations.yaml")
    for i, o in enumerate(kb.organizations.values()):
        check_source(o.source, file, f"organizations[{i}]")

    file = str(root / "event.yaml")
    for i, item in enumerate(kb.event.items):
        check_source(item.source, file, f"event.items[{i}]")
    if kb.event.photo is not None:
        check_source(kb.event.photo.source, file, "event.photo")
        for i, pid in enumerate(kb.event.photo.from_left):
            need(kb.people, pid, file, f"event.photo.from_left[{i}]", "person")
        need(kb.people, kb.event.photo.credit, file, "event.photo.credit", "person")

    file = str(root / "facts.yaml")
    seen: set[str] = set()
    for i, f in enumerate(kb.facts):
        where = f"facts[{i}]"
        if f.id in seen:
            raise KnowledgeError(file, f"{where}.id", f"duplicate id {f.id!r}")
        seen.add(f.id)
        for ref in f.about:
            need(entities, ref, file, f"{where}.about", "country, person or organization")
        for ref in f.topics:
            need(kb.topics, ref, file, f"{where}.topics", "topic")
        check_source(f.source, file, where)

    file = str(root / "languages.yaml")
    for i, lang in enumerate(kb.languages):
        for cid in lang.countries:
            need(kb.countries, cid, file, f"languages[{i}].countries", "country")
        for concept in lang.words:
            if concept not in kb.vocabulary.concepts:
                raise KnowledgeError(file, f"languages[{i}].words", f"unknown concept {concept!r}")

    file = str(root / "quotes.yaml")
    seen = set()
    for i, q in enumerate(kb.quotes):
        where = f"quotes[{i}]"
        if q.id in seen:
            raise KnowledgeError(file, f"{where}.id", f"duplicate id {q.id!r}")
        seen.add(q.id)
        need(kb.people, q.speaker, file, f"{where}.speaker", "person")
        for ref in q.topics:
            need(kb.topics, ref, file, f"{where}.topics", "topic")
        check_source(q.source, file, where)
