"""Load the knowledge directory, validate every file and every cross-reference."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Container
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
from bot.typed import DataError, convert

ARTICLE_FILE = "article.md"
T = TypeVar("T")
# What one record of each list is called in an error message ("fact 'x' (line 12)"), by the list's key.
RECORD_NOUNS = {"countries": "country", "people": "person", "organizations": "organization", "topics": "topic",
                "facts": "fact", "quotes": "quote", "languages": "language", "figures": "figure",
                "items": "event item"}
_SEGMENT = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")


class _Parsed(msgspec.Struct):
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
    from importlib import resources  # only for an installed package: the source tree needs no look-up

    return Path(str(resources.files("bot") / "knowledge"))


class KnowledgeBase(msgspec.Struct):
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
    synonyms: list[list[str]] = msgspec.field(default_factory=list)
    vocabulary: Vocabulary = msgspec.field(default_factory=Vocabulary)
    languages: list[Language] = msgspec.field(default_factory=list)
    section_country: dict[str, str] = msgspec.field(default_factory=dict)
    envoy_country: dict[str, str] = msgspec.field(default_factory=dict)  # person id -> the country they represented

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

    def about_quote(self, quote: Quote) -> tuple[str, ...]:
        """Who a quote is about, for the conversation: its speaker, and the country whose envoy or section it is."""
        country = self.country_of_envoy(quote.speaker) if quote.speaker else None
        country = country or next((c for c in self.members if c.section == quote.source.section), None)
        return tuple(dict.fromkeys(i for i in (quote.speaker, country.id if country else None) if i))

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
    """`data` (the value at key path `where` of `file`) as a `kind`; raises `KnowledgeError`."""
    try:
        return convert(data, kind)
    except DataError as exc:
        path = ".".join(p for p in (where, exc.where) if p).replace(".[", "[")
        raise KnowledgeError(file, path, exc.problem) from None


def _section(root: Path, name: str, key: str, kind: type[T], docs: dict[str, _Parsed]) -> T:
    file, data = _load(root, name, key, docs)
    return _convert(data, kind, file, key)


def _load(root: Path, name: str, key: str, docs: dict[str, _Parsed]) -> tuple[str, Any]:
    """(file, the value of its top-level key), parsed but not yet validated; the parsed file goes in `docs`."""
    from bot.kb.yamlio import load_yaml_lines  # here, not at the top: an engine from the cache starts without YAML

    file, text = _read(root, name)
    try:
        data, lines = load_yaml_lines(text)
    except DataError as exc:
        raise KnowledgeError(file, exc.where, exc.problem) from None
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


class Reference(msgspec.Struct, frozen=True):
    """One kind of cross-reference: the records of a list (`facts`, `event.items`, or a single record such as
    `event.photo`), the field of each (an attribute path, `stats.source`), and the kind of thing it names."""

    records: str
    field: str
    target: str


# Every cross-reference the knowledge base makes: a new kind of record, or a new field naming something, is one row.
# A field may hold one reference or a list (or mapping) of them; a None or empty field names nothing.
REFERENCES: tuple[Reference, ...] = (
    Reference("countries", "envoy", "person"),
    Reference("countries", "section", "section"),
    Reference("countries", "stats.source", "source"),
    Reference("people", "country", "country"),
    Reference("people", "organization", "organization"),
    Reference("people", "source", "source"),
    Reference("organizations", "source", "source"),
    Reference("event.items", "source", "source"),
    Reference("event.photo", "source", "source"),
    Reference("event.photo", "from_left", "person"),
    Reference("event.photo", "credit", "person"),
    Reference("facts", "about", "entity"),
    Reference("facts", "topics", "topic"),
    Reference("facts", "source", "source"),
    Reference("languages", "countries", "country"),
    Reference("languages", "words", "concept"),
    Reference("quotes", "speaker", "person"),
    Reference("quotes", "topics", "topic"),
    Reference("quotes", "source", "source"),
)
# How an error names each kind of target: "unknown person 'x'".
TARGET_NOUNS = {"entity": "country, person or organization"}


def _records(kb: KnowledgeBase, key: str) -> list[tuple[str, Any]]:
    """(key path, record) for every record under `key`: `facts[3]` for a list, `event.photo` for a single one."""
    node: Any = kb
    for part in key.split("."):
        node = getattr(node, part)
    if node is None:
        return []
    if isinstance(node, dict):
        node = list(node.values())
    if isinstance(node, list):
        return [(f"{key}[{i}]", item) for i, item in enumerate(node)]
    return [(key, node)]


def _targets(kb: KnowledgeBase, kind: str) -> Container[str]:
    """The ids a reference of this kind may name."""
    tables: dict[str, Callable[[], Container[str]]] = {
        "person": lambda: kb.people,
        "country": lambda: kb.countries,
        "organization": lambda: kb.organizations,
        "entity": lambda: {**kb.countries, **kb.people, **kb.organizations},
        "topic": lambda: kb.topics,
        "concept": lambda: kb.vocabulary.concepts,
        "section": lambda: {s.id for s in kb.article.sections},
    }
    return tables[kind]()


def _check_source(kb: KnowledgeBase, src: Source, file: str, where: str) -> None:
    """A citation names a section of the article and paragraphs that section has."""
    try:
        section = kb.article.section(src.section)
    except KeyError:
        raise KnowledgeError(file, f"{where}.section", f"unknown section {src.section!r}") from None
    if not src.paragraphs:
        raise KnowledgeError(file, f"{where}.paragraphs", "must list at least one paragraph")
    for n in src.paragraphs:
        if not 1 <= n <= len(section.paragraphs):
            raise KnowledgeError(
                file, f"{where}.paragraphs",
                f"paragraph {n} out of range (section {src.section!r} has {len(section.paragraphs)})",
            )


def _check_reference(kb: KnowledgeBase, ref: Reference) -> None:
    """Every record's `ref.field` names a `ref.target` that exists; raises `KnowledgeError` at the first that
    does not, naming the file, the record's key path and field, and the missing target."""
    file = str(kb.root / f"{ref.records.split('.')[0]}.yaml")
    targets = None if ref.target == "source" else _targets(kb, ref.target)
    noun = TARGET_NOUNS.get(ref.target, ref.target)
    for where, item in _records(kb, ref.records):
        value: Any = item
        for part in ref.field.split("."):
            value = getattr(value, part) if value is not None else None
        where = f"{where}.{ref.field}"
        if value is None:
            continue
        if targets is None:
            _check_source(kb, value, file, where)
            continue
        for name in [value] if isinstance(value, str) else value:
            if name not in targets:
                raise KnowledgeError(file, where, f"unknown {noun} {name!r}")


def _check_ids(kb: KnowledgeBase) -> None:
    """Ids are unique within facts and quotes, and across countries, people and organizations (which a fact's
    `about` names alike)."""
    _by_id(kb.facts, str(kb.root / "facts.yaml"), "facts")
    _by_id(kb.quotes, str(kb.root / "quotes.yaml"), "quotes")
    owners: dict[str, str] = {}
    for table, name in ((kb.countries, "countries"), (kb.people, "people"), (kb.organizations, "organizations")):
        for eid in table:
            if eid in owners:
                raise KnowledgeError(str(kb.root / f"{name}.yaml"), f"{name}.{eid}",
                                     f"id {eid!r} is also used in {owners[eid]}.yaml")
            owners[eid] = name


def _check_envoys(kb: KnowledgeBase) -> None:
    """Each person is the envoy of one country at most, agrees with it on their country, and every member state
    has an envoy and stats; fills `envoy_country` and `section_country`."""
    file = str(kb.root / "countries.yaml")
    envoys = kb.envoy_country
    for i, c in enumerate(kb.countries.values()):
        if c.envoy:
            if c.envoy in envoys:
                raise KnowledgeError(file, f"countries[{i}].envoy",
                                     f"{c.envoy!r} is already the envoy of {envoys[c.envoy]!r}")
            envoys[c.envoy] = c.id
        if c.section:
            kb.section_country[c.section] = c.id
        if c.member and (c.envoy is None or c.stats is None):
            raise KnowledgeError(file, f"countries[{i}]", "a member state needs an envoy and stats")
    file = str(kb.root / "people.yaml")
    for i, p in enumerate(kb.people.values()):
        if p.country and envoys.get(p.id, p.country) != p.country:
            raise KnowledgeError(file, f"people[{i}].country",
                                 f"says {p.country!r} but countries.yaml makes them envoy of {envoys[p.id]!r}")


def _link(kb: KnowledgeBase) -> None:
    """Check every cross-reference (the `REFERENCES` table and the few rules no table row says) and fill the
    derived tables."""
    _check_ids(kb)
    _check_profile(kb)
    for ref in REFERENCES:
        _check_reference(kb, ref)
    _check_envoys(kb)
