"""A broken knowledge base gives ONE clear `KnowledgeError` naming the file, the record (by id and line),
the key path in it and the problem.

Every test copies knowledge/ to a temporary directory and breaks one thing. facts.yaml and
quotes.yaml in the copy are replaced by the small files below, so the breakages hit known lines
whatever state the shipped files are in.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.kb.errors import KnowledgeError
from bot.kb.loader import REFERENCES, KnowledgeBase, load_knowledge

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = ROOT / "knowledge"

FACTS = """\
facts:
  - id: philippines-rice-donation
    text: Korea donated 950 metric tons of rice to the Philippines under the APT Emergency Rice Reserve (APTERR).
    about: [philippines, korea, apterr]
    keywords: [rice, donation, food security]
    source: {section: vaccine-cooperation-can-bring-region-world-closer, paragraphs: [5]}
"""

QUOTES = """\
quotes:
  - id: lee-timely-meaningful
    text: In that regard, the roundtable is both timely and meaningful
    speaker: lee-hyuk
    source: {section: lead, paragraphs: [13]}
"""


# --- helpers ------------------------------------------------------------------------------------
def _copy(tmp: Path) -> Path:
    """knowledge/ copied under `tmp`, with the small facts and quotes files above."""
    root = tmp / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    (root / "facts.yaml").write_text(FACTS, encoding="utf-8")
    (root / "quotes.yaml").write_text(QUOTES, encoding="utf-8")
    return root


@pytest.fixture
def kbdir(tmp_path: Path) -> Path:
    return _copy(tmp_path)


def edit(root: Path, name: str, old: str, new: str) -> None:
    """Replace `old` (which must occur exactly once) by `new` in one file of the copy."""
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{name}: expected one {old!r}, found {text.count(old)}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def record(root: Path, name: str, noun: str, record_id: str, nth: int = 1) -> str:
    """How a message names a record: `fact 'x' (line N)`, N the line of its nth `- id: x` in the copy."""
    lines = (root / name).read_text(encoding="utf-8").splitlines()
    found = [n for n, line in enumerate(lines, 1) if re.fullmatch(rf"\s*- id: {re.escape(record_id)}\s*", line)]
    return f"{noun} {record_id!r} (line {found[nth - 1]})"


def fact(root: Path, nth: int = 1) -> str:
    return record(root, "facts.yaml", "fact", "philippines-rice-donation", nth)


def quote(root: Path, nth: int = 1) -> str:
    return record(root, "quotes.yaml", "quote", "lee-timely-meaningful", nth)


def country(root: Path, record_id: str) -> str:
    return record(root, "countries.yaml", "country", record_id)


def error_of(root: Path) -> KnowledgeError:
    """Load `root`, expect exactly one KnowledgeError, and check it reads as one clean line."""
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(root)
    exc = info.value
    message = str(exc)
    assert "\n" not in message, message
    assert exc.problem, message
    assert message == (f"{exc.file}: {exc.where}: {exc.problem}" if exc.where else f"{exc.file}: {exc.problem}")
    # Raised on its own (`from None`): no chained YAML/msgspec traceback behind it.
    assert exc.__cause__ is None
    assert exc.__context__ is None or exc.__suppress_context__
    return exc


def expect(root: Path, file: str, where: str, *problem: str) -> KnowledgeError:
    exc = error_of(root)
    assert exc.file == str(root / file), str(exc)
    assert exc.where == where, str(exc)
    for part in problem:
        assert part in exc.problem, str(exc)
    return exc


# --- the copy itself is sound -------------------------------------------------------------------
def test_unbroken_copy_loads(kbdir):
    kb = load_knowledge(kbdir)
    assert isinstance(kb, KnowledgeBase)
    assert [f.id for f in kb.facts] == ["philippines-rice-donation"]
    assert kb.quotes[0].speaker == "lee-hyuk"


# --- YAML syntax ----------------------------------------------------------------------------------
def test_invalid_yaml_syntax_names_line_and_column(kbdir):
    edit(kbdir, "facts.yaml", "    text: Korea donated 950", "    text: Korea donated: 950")
    exc = expect(kbdir, "facts.yaml", "line 3, column 24", "invalid YAML", "mapping values are not allowed")
    assert "facts.yaml: line 3, column 24: invalid YAML" in str(exc)


def test_unclosed_bracket(kbdir):
    edit(kbdir, "facts.yaml", "keywords: [rice, donation, food security]", "keywords: [rice, donation")
    exc = error_of(kbdir)
    assert exc.file == str(kbdir / "facts.yaml")
    assert re.fullmatch(r"line \d+, column \d+", exc.where), str(exc)
    assert exc.problem.startswith("invalid YAML: ")


def test_tab_indentation(kbdir):
    edit(kbdir, "quotes.yaml", "    speaker: lee-hyuk", "\tspeaker: lee-hyuk")
    exc = expect(kbdir, "quotes.yaml", "line 4, column 1", "invalid YAML")
    assert "tab" in exc.problem or "'\\t'" in exc.problem  # libyaml / pure-Python wording


def test_duplicate_yaml_key_is_an_error_not_last_wins(kbdir):
    edit(kbdir, "facts.yaml", "    about: [philippines", "    text: Another text.\n    about: [philippines")
    expect(kbdir, "facts.yaml", "line 4, column 5", "invalid YAML", "duplicate key 'text'")


def test_duplicate_top_level_key(kbdir):
    (kbdir / "quotes.yaml").write_text(QUOTES + "quotes: []\n", encoding="utf-8")
    expect(kbdir, "quotes.yaml", "line 6, column 1", "duplicate key 'quotes'")


def test_arbitrary_python_objects_are_refused(kbdir):
    edit(kbdir, "facts.yaml", "    keywords: [rice", "    keywords: !!python/object/apply:os.system [rice")
    expect(kbdir, "facts.yaml", "line 5, column 15", "invalid YAML", "python/object/apply:os.system")


def test_unhashable_mapping_key(kbdir):
    edit(kbdir, "facts.yaml", "    about: [philippines", "    ? [a, b]\n    : c\n    about: [philippines")
    expect(kbdir, "facts.yaml", "line 4, column 7", "invalid YAML", "unhashable")


# --- schema: unknown, missing, wrong type ---------------------------------------------------------
def test_unknown_key(kbdir):
    edit(kbdir, "facts.yaml", "    about: [philippines", "    colour: blue\n    about: [philippines")
    exc = expect(kbdir, "facts.yaml", "fact 'philippines-rice-donation' (line 2)", "unknown field 'colour'")
    assert str(exc) == f"{kbdir / 'facts.yaml'}: fact 'philippines-rice-donation' (line 2): unknown field 'colour'"


def test_unknown_key_in_nested_source(kbdir):
    edit(kbdir, "quotes.yaml", "paragraphs: [13]}", "paragraphs: [13], page: 2}")
    expect(kbdir, "quotes.yaml", f"{quote(kbdir)}: source", "unknown field 'page'")


def test_wrong_type_deaths_many(kbdir):
    edit(kbdir, "countries.yaml", "deaths: 3}", 'deaths: "many"}')
    expect(kbdir, "countries.yaml", f"{country(kbdir, 'brunei')}: stats.values.deaths", "expected int, got str")


def test_wrong_type_float_is_not_an_int(kbdir):
    edit(kbdir, "countries.yaml", "confirmed: 141,", "confirmed: 141.5,")
    expect(kbdir, "countries.yaml", f"{country(kbdir, 'brunei')}: stats.values.confirmed", "expected int, got float")


def test_a_figure_is_never_negative(kbdir):
    edit(kbdir, "countries.yaml", "confirmed: 141,", "confirmed: -1,")
    expect(kbdir, "countries.yaml", f"{country(kbdir, 'brunei')}: stats.values.confirmed", ">= 0")


def test_a_figure_is_not_a_boolean(kbdir):
    edit(kbdir, "countries.yaml", "deaths: 3}", "deaths: true}")
    expect(kbdir, "countries.yaml", f"{country(kbdir, 'brunei')}: stats.values.deaths", "expected int, got bool")


def test_unknown_figure_id(kbdir):
    edit(kbdir, "countries.yaml", "deaths: 3}", "deaths: 3, recovered: 138}")
    expect(kbdir, "countries.yaml", f"{country(kbdir, 'brunei')}: stats.values.recovered", "unknown figure 'recovered'")


def test_duplicate_figure_id(kbdir):
    edit(kbdir, "profile.yaml", "    - id: active\n", "    - id: confirmed\n")
    where = record(kbdir, "profile.yaml", "figure", "confirmed", nth=2)
    expect(kbdir, "profile.yaml", f"{where}: id", "duplicate id 'confirmed'")


def test_profile_headline_must_be_the_article_title(kbdir):
    edit(kbdir, "profile.yaml", "  article:\n    headline: ASEAN", "  article:\n    headline: Other")
    expect(kbdir, "profile.yaml", "profile.article.headline", "is not the title of article.md")


def test_profile_author_must_be_in_the_article(kbdir):
    edit(kbdir, "profile.yaml", "author: Yi Whan-woo", "author: Someone Else")
    expect(kbdir, "profile.yaml", "profile.article.author", "does not appear in article.md")


def test_unknown_key_in_profile(kbdir):
    edit(kbdir, "profile.yaml", "    publisher:", "    url_guess: x\n    publisher:")
    expect(kbdir, "profile.yaml", "profile.article", "unknown field 'url_guess'")


def test_shipped_profile_records_no_url_and_no_date(kb):
    assert kb.profile.article.url is None and kb.profile.article.date is None
    assert kb.profile.article.headline == kb.article.title
    assert [f.id for f in kb.figures] == ["confirmed", "active", "deaths"]
    assert kb.countries["brunei"].stats.value("deaths") == 3 and kb.countries["brunei"].stats.value("x") is None


def test_wrong_type_number_where_text_is_expected(kbdir):
    edit(kbdir, "facts.yaml", "keywords: [rice,", "keywords: [2019,")
    expect(kbdir, "facts.yaml", f"{fact(kbdir)}: keywords[0]", "expected str, got int")


def test_wrong_type_paragraphs_not_a_list(kbdir):
    edit(kbdir, "quotes.yaml", "paragraphs: [13]", "paragraphs: 13")
    expect(kbdir, "quotes.yaml", f"{quote(kbdir)}: source.paragraphs", "expected array, got int")


def test_missing_required_key(kbdir):
    edit(kbdir, "countries.yaml", "    official_name: Brunei Darussalam\n", "")
    expect(kbdir, "countries.yaml", country(kbdir, "brunei"), "missing required field 'official_name'")


def test_missing_source(kbdir):
    edit(kbdir, "quotes.yaml", "    source: {section: lead, paragraphs: [13]}\n", "")
    expect(kbdir, "quotes.yaml", quote(kbdir), "missing required field 'source'")


def test_record_that_is_not_a_mapping(kbdir):
    (kbdir / "quotes.yaml").write_text("quotes:\n  - just a string\n", encoding="utf-8")
    expect(kbdir, "quotes.yaml", "quotes[0]", "expected object, got str")  # no record to name: the key path


# --- YAML 1.1 traps: no/yes/on/off and dates stay text ------------------------------------------
def test_no_yes_on_off_stay_strings(kbdir):
    edit(kbdir, "countries.yaml", "aliases: [Brunei Darussalam, Negara Brunei Darussalam, BN, Bandar Seri Begawan]",
         "aliases: [Brunei Darussalam, no, NO, No, yes, on, OFF, y, n]")
    edit(kbdir, "facts.yaml", "keywords: [rice,", "keywords: [no, Yes, off,")
    kb = load_knowledge(kbdir)
    assert kb.countries["brunei"].aliases == ["Brunei Darussalam", "no", "NO", "No", "yes", "on", "OFF", "y", "n"]
    assert kb.facts[0].keywords[:3] == ["no", "Yes", "off"]


def test_no_is_not_a_boolean(kbdir):
    edit(kbdir, "countries.yaml", "    official_name: Brunei Darussalam\n",
         "    official_name: Brunei Darussalam\n    member: no\n")
    expect(kbdir, "countries.yaml", f"{country(kbdir, 'brunei')}: member", "expected bool, got str")


def test_yes_is_not_a_boolean(kbdir):
    edit(kbdir, "facts.yaml", "    keywords:", "    key: yes\n    keywords:")
    expect(kbdir, "facts.yaml", f"{fact(kbdir)}: key", "expected bool, got str")


def test_true_and_false_are_booleans(kbdir):
    edit(kbdir, "facts.yaml", "    keywords:", "    key: true\n    keywords:")
    assert load_knowledge(kbdir).facts[0].key is True


def test_dates_stay_strings(kbdir):
    edit(kbdir, "countries.yaml", '      as_of: "June 22, 2020"\n      values: {confirmed: 141,',
         "      as_of: 2020-06-22\n      values: {confirmed: 141,")
    edit(kbdir, "facts.yaml", "keywords: [rice,", "keywords: [2020-06-15, 2020-06-15 10:00:00,")
    kb = load_knowledge(kbdir)
    assert kb.countries["brunei"].stats.as_of == "2020-06-22"
    assert kb.facts[0].keywords[:2] == ["2020-06-15", "2020-06-15 10:00:00"]


def test_norway_code_as_a_gazetteer_place_stays_text(kbdir):
    edit(kbdir, "gazetteer.yaml", "  places:\n", "  places:\n    - NO\n    - no\n")
    assert load_knowledge(kbdir).gazetteer.places[:2] == ["NO", "no"]


# --- ids and cross-references -----------------------------------------------------------------
def test_duplicate_fact_id(kbdir):
    (kbdir / "facts.yaml").write_text(FACTS + FACTS.split("\n", 1)[1], encoding="utf-8")
    assert fact(kbdir, nth=2) == "fact 'philippines-rice-donation' (line 7)"
    expect(kbdir, "facts.yaml", f"{fact(kbdir, nth=2)}: id", "duplicate id 'philippines-rice-donation'")


def test_duplicate_quote_id(kbdir):
    (kbdir / "quotes.yaml").write_text(QUOTES + QUOTES.split("\n", 1)[1], encoding="utf-8")
    expect(kbdir, "quotes.yaml", f"{quote(kbdir, nth=2)}: id", "duplicate id 'lee-timely-meaningful'")


def test_duplicate_country_id(kbdir):
    edit(kbdir, "countries.yaml", "  - id: cambodia\n", "  - id: brunei\n")
    second = record(kbdir, "countries.yaml", "country", "brunei", nth=2)
    expect(kbdir, "countries.yaml", f"{second}: id", "duplicate id 'brunei'")


def test_id_shared_by_a_person_and_an_organization(kbdir):
    edit(kbdir, "organizations.yaml", "  - id: mckinsey\n", "  - id: umar-hadi\n")
    expect(kbdir, "organizations.yaml", "organizations.umar-hadi", "'umar-hadi'", "people.yaml")


def test_quote_speaker_that_does_not_exist(kbdir):
    edit(kbdir, "quotes.yaml", "speaker: lee-hyuk", "speaker: lee-hyuck")
    expect(kbdir, "quotes.yaml", f"{quote(kbdir)}: speaker", "unknown person 'lee-hyuck'")


def test_fact_about_unknown_entity(kbdir):
    edit(kbdir, "facts.yaml", "about: [philippines, korea, apterr]", "about: [philippines, koreа]")  # Cyrillic a
    expect(kbdir, "facts.yaml", f"{fact(kbdir)}: about", "unknown country, person or organization 'koreа'")


def test_fact_with_unknown_topic(kbdir):
    edit(kbdir, "facts.yaml", "    keywords:", "    topics: [no-such-topic]\n    keywords:")
    expect(kbdir, "facts.yaml", f"{fact(kbdir)}: topics", "unknown topic 'no-such-topic'")


def test_envoy_that_does_not_exist(kbdir):
    edit(kbdir, "countries.yaml", "envoy: nouriyah-yusoff", "envoy: nobody")
    expect(kbdir, "countries.yaml", f"{country(kbdir, 'brunei')}: envoy", "unknown person 'nobody'")


def test_one_envoy_for_two_countries(kbdir):
    edit(kbdir, "countries.yaml", "envoy: long-dimanche", "envoy: nouriyah-yusoff")
    expect(kbdir, "countries.yaml", f"{country(kbdir, 'cambodia')}: envoy",
           "'nouriyah-yusoff' is already the envoy of 'brunei'")


def test_member_state_without_stats(kbdir):
    text = (kbdir / "countries.yaml").read_text(encoding="utf-8")
    block = re.search(r"\n    stats:\n(?:      .*\n)+", text[text.index("  - id: laos"):])
    assert block
    edit(kbdir, "countries.yaml", "    section: health-ministers-dialogue-can-help-in-tackling-virus" + block.group(0),
         "    section: health-ministers-dialogue-can-help-in-tackling-virus\n")
    expect(kbdir, "countries.yaml", country(kbdir, "laos"), "member state needs an envoy and stats")


def test_person_country_disagrees_with_envoy(kbdir):
    edit(kbdir, "people.yaml", "    country: indonesia\n", "    country: cambodia\n")
    where = record(kbdir, "people.yaml", "person", "umar-hadi")
    expect(kbdir, "people.yaml", f"{where}: country", "'cambodia'", "'indonesia'")


@pytest.mark.parametrize("ref", REFERENCES, ids=lambda r: f"{r.records}.{r.field}")
def test_every_kind_of_reference_names_the_file_the_record_and_the_missing_target(kbdir, ref):
    """Each row of the loader's table: its field pointed at something that does not exist, in the first record
    (one that fills the field, if any does), gives an error naming the file, that record (by id, label or name,
    and line) and the missing target."""
    kb: object = load_knowledge(kbdir)
    file = f"{ref.records.split('.')[0]}.yaml"
    data = yaml.safe_load((kbdir / file).read_text(encoding="utf-8"))
    node = data
    for part in ref.records.split("."):
        node, kb = node[part], getattr(kb, part)
    objects = list(kb.values()) if isinstance(kb, dict) else kb if isinstance(kb, list) else [kb]
    records = node if isinstance(node, list) else [node]
    *path, last = ref.field.split(".")

    def holder(rec: dict) -> dict:
        for part in path:
            rec = rec.get(part) or {}
        return rec

    filled = [i for i, r in enumerate(records) if holder(r).get(last)]
    assert filled or not path, f"no record fills {ref.field}: give the copy one"
    i = filled[0] if filled else 0
    rec, parent = records[i], holder(records[i])
    value = objects[i]
    for part in ref.field.split("."):
        value = getattr(value, part)
    missing = "no-such-target"
    if ref.target == "source":
        parent[last]["section"] = missing
    elif isinstance(value, list):
        parent[last] = [*parent.get(last, []), missing]
    elif isinstance(value, dict):
        parent[last] = {**parent.get(last, {}), missing: ["x"]}
    else:
        parent[last] = missing
    (kbdir / file).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    exc = error_of(kbdir)
    assert exc.file == str(kbdir / file), str(exc)
    name = next((rec[k] for k in ("id", "label", "name") if isinstance(rec.get(k), str)), None)
    named = f"{name!r} (line " if name is not None and node is records else ref.records
    assert named in exc.where, str(exc)
    assert exc.where.endswith(ref.field + (".section" if ref.target == "source" else "")), str(exc)
    assert f"{missing!r}" in exc.problem and exc.problem.startswith("unknown "), str(exc)


# --- citations ------------------------------------------------------------------------------------
def test_source_paragraph_out_of_range(kbdir):
    edit(kbdir, "facts.yaml", "paragraphs: [5]", "paragraphs: [5, 99]")
    exc = expect(kbdir, "facts.yaml", f"{fact(kbdir)}: source.paragraphs", "paragraph 99 out of range")
    assert "vaccine-cooperation-can-bring-region-world-closer" in exc.problem


@pytest.mark.parametrize("n", [0, -1])
def test_source_paragraph_zero_or_negative(kbdir, n):
    edit(kbdir, "quotes.yaml", "paragraphs: [13]", f"paragraphs: [{n}]")
    expect(kbdir, "quotes.yaml", f"{quote(kbdir)}: source.paragraphs", f"paragraph {n} out of range")


def test_source_without_paragraphs(kbdir):
    edit(kbdir, "quotes.yaml", "paragraphs: [13]", "paragraphs: []")
    expect(kbdir, "quotes.yaml", f"{quote(kbdir)}: source.paragraphs", "at least one paragraph")


def test_unknown_section(kbdir):
    edit(kbdir, "facts.yaml", "section: vaccine-cooperation-can-bring-region-world-closer",
         "section: vaccine-cooperation")
    expect(kbdir, "facts.yaml", f"{fact(kbdir)}: source.section", "unknown section 'vaccine-cooperation'")


def test_unknown_section_in_event(kbdir):
    edit(kbdir, "event.yaml", "      source: {section: lead, paragraphs: [2]}",
         "      source: {section: byline, paragraphs: [2]}")
    exc = error_of(kbdir)
    assert exc.file == str(kbdir / "event.yaml")
    assert re.fullmatch(r"event item '[^']+' \(line \d+\): source\.section", exc.where), str(exc)
    assert "unknown section 'byline'" in exc.problem


# --- files ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["topics.yaml", "quotes.yaml", "article.md"])
def test_missing_file(kbdir, name):
    (kbdir / name).unlink()
    expect(kbdir, name, "", "file not found")


def test_missing_directory(tmp_path):
    exc = error_of(tmp_path / "nowhere")
    assert exc.file == str(tmp_path / "nowhere")
    assert "not found" in exc.problem


@pytest.mark.parametrize("content", ["", "\n", "# only a comment\n", "---\n"])
def test_empty_file(kbdir, content):
    (kbdir / "facts.yaml").write_text(content, encoding="utf-8")
    expect(kbdir, "facts.yaml", "", "expected a mapping with a top-level `facts` key")


def test_top_level_list_instead_of_mapping(kbdir):
    (kbdir / "quotes.yaml").write_text("- id: x\n  text: y\n", encoding="utf-8")
    expect(kbdir, "quotes.yaml", "", "expected a mapping with a top-level `quotes` key")


def test_wrong_top_level_key(kbdir):
    edit(kbdir, "facts.yaml", "facts:\n", "fact:\n")
    expect(kbdir, "facts.yaml", "", "top-level `facts` key")


def test_extra_top_level_key(kbdir):
    (kbdir / "facts.yaml").write_text(FACTS + "notes: draft\n", encoding="utf-8")
    expect(kbdir, "facts.yaml", "", "unknown top-level key(s): notes")


def test_extra_top_level_keys_of_mixed_types(kbdir):
    (kbdir / "facts.yaml").write_text(FACTS + "1: one\nnotes: draft\n", encoding="utf-8")
    expect(kbdir, "facts.yaml", "", "unknown top-level key(s):", "1", "notes")


def test_file_that_is_not_utf8(kbdir):
    (kbdir / "quotes.yaml").write_bytes(QUOTES.encode("utf-8").replace(b"regard", b"r\xe9gard"))
    expect(kbdir, "quotes.yaml", "", "cannot read")


# --- anything at all in a file: a KnowledgeError or a clean load, never another exception -------
_scalars = st.none() | st.booleans() | st.integers(-5, 5) | st.text("abno:-[]{}#'\" ", max_size=6)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text("abcdeinot_", max_size=6) | st.integers(0, 3),
                                                                inner, max_size=3),
    max_leaves=8,
)
_documents = (
    _values.map(lambda v: yaml.safe_dump(v, allow_unicode=True))
    | _values.map(lambda v: yaml.safe_dump({"countries": v}))
    | st.builds(lambda v, extra: yaml.safe_dump({"countries": [v], **extra}),
                _values, st.dictionaries(st.integers(0, 3) | st.just("x"), _scalars, max_size=2))
    | st.text(":-[]{}?!&*|>'\"#%@ ,\n\tabno01", max_size=40)
)


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz") / "knowledge"
    shutil.copytree(KNOWLEDGE, root)
    return root


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=_documents)
def test_any_countries_file_gives_a_knowledge_error_or_loads(fuzz_dir, document):
    (fuzz_dir / "countries.yaml").write_text(document, encoding="utf-8")
    try:
        load_knowledge(fuzz_dir)
    except KnowledgeError as exc:
        assert "\n" not in str(exc)
        assert exc.file.startswith(str(fuzz_dir))


# --- the command line: exit 2, one line on stderr, no traceback ---------------------------------
@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A copy whose countries.yaml has `deaths: "many"`, and the line the CLI must print for it."""
    root = _copy(tmp_path_factory.mktemp("broken"))
    edit(root, "countries.yaml", "deaths: 3}", 'deaths: "many"}')
    where = f"{country(root, 'brunei')}: stats.values.deaths"
    return root, f"error: knowledge base: {root / 'countries.yaml'}: {where}: expected int, got str"


@pytest.fixture(scope="module")
def subprocess_runs(broken: tuple[Path, str]) -> dict[str, subprocess.CompletedProcess[str]]:
    """`python -m bot --knowledge BROKEN check` and `... ask`, started together."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "BOT_KNOWLEDGE_DIR")}
    env["BOT_CACHE_DIR"] = str(broken[0].parent / "cache")  # never the user's engine cache
    cases = {"check": ["check"], "ask": ["ask", "!ambassador Thailand"]}

    def run(args: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", "--knowledge", str(broken[0]), *args], cwd=ROOT,
                              env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(cases, pool.map(run, cases.values()), strict=True))


@pytest.mark.parametrize("command", ["check", "ask"])
def test_cli_with_broken_knowledge_exits_2_with_one_line(subprocess_runs, broken, command):
    proc = subprocess_runs[command]
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [broken[1]]


@pytest.fixture
def main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path):
    """bot.cli.main in this process: (exit code, stdout, stderr) for argv and stdin."""
    from bot.cli import main as cli_main

    monkeypatch.setenv("BOT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("BOT_KNOWLEDGE_DIR", raising=False)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)

    def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = cli_main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.mark.parametrize(("argv", "stdin"), [
    (["check", "--sections"], ""),
    (["ask", "--jsonl"], "!stats\n!ambassador Thailand\n"),
    (["console"], "!stats\n"),
], ids=["check-sections", "ask-jsonl", "console"])
def test_every_command_reports_broken_knowledge_the_same_way(main, broken, argv, stdin):
    assert main("--knowledge", str(broken[0]), *argv, stdin=stdin) == (2, "", broken[1] + "\n")


def test_cli_reads_broken_knowledge_from_the_environment(main, broken, monkeypatch):
    monkeypatch.setenv("BOT_KNOWLEDGE_DIR", str(broken[0]))
    assert main("check") == (2, "", broken[1] + "\n")


def test_cli_with_invalid_yaml_exits_2(main, kbdir):
    edit(kbdir, "facts.yaml", "    text: Korea donated 950", "    text: Korea donated: 950")
    code, out, err = main("--knowledge", str(kbdir), "ask", "!help")
    assert (code, out) == (2, "")
    [line] = err.splitlines()
    assert line.startswith(f"error: knowledge base: {kbdir / 'facts.yaml'}: line 3, column 24: "
                           "invalid YAML: mapping values are not allowed"), line


def test_cli_with_missing_knowledge_directory_exits_2(main, tmp_path):
    nowhere = tmp_path / "nowhere"
    assert main("--knowledge", str(nowhere), "check") == (
        2, "", f"error: knowledge base: {nowhere}: knowledge directory not found\n")
