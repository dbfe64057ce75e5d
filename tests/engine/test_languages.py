"""knowledge/languages.yaml: country names, question words and glossaries in the region's languages.

The file is pure data read by the question matcher, so these checks keep it to the known languages'
fields, concept keys and country ids of countries.yaml, and make sure no entry can fire on plain
English text. A glossary maps the language's words to the English words the article uses, so its
values must be ASCII words of the article (or of synonyms.yaml) and its keys never English.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.engine.text import STOPWORDS, normalize

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES_FILE = ROOT / "knowledge" / "languages.yaml"
COUNTRIES_FILE = ROOT / "knowledge" / "countries.yaml"
ARTICLE_FILE = ROOT / "knowledge" / "article.md"
SYNONYMS_FILE = ROOT / "knowledge" / "synonyms.yaml"

FIELDS = {"code", "name", "countries", "words", "glossary"}
REQUIRED_FIELDS = {"code", "name", "countries"}
CONCEPTS = {
    "who", "what", "where", "when", "how_many", "envoy", "confirmed", "active", "deaths",
    "quote", "event", "theme", "hello", "thanks", "help", "refer", "follow_on",
}
# Languages whose question words are complete, and the concepts each has no word of its own for.
QUESTION_LANGUAGES = {"vi": set(), "id": set(), "ms": set(), "th": {"follow_on"}, "ko": {"refer", "follow_on"},
                      "tl": {"event"}}
# (Korean pronouns such as 그 stand inside too many other words to be matched inside text.)
# Languages with a glossary of the article's words, and the fewest entries each must have.
GLOSSARY_LANGUAGES = {"vi": 120, "id": 120, "ms": 120, "th": 120, "ko": 120, "tl": 120}
# Concepts whose words a glossary key must not repeat: they steer the reply, not the search.
NON_SEARCH_CONCEPTS = {"who", "what", "where", "when", "how_many", "hello", "thanks", "help", "refer", "follow_on"}
# Languages that name only the countries they have settled names for.
PARTIAL_COUNTRY_LANGUAGES = {"ta"}
EXPECTED_CODES = {"vi", "id", "ms", "th", "ko", "tl", "lo", "km", "my", "zh", "ta"}
# English words an entry must never equal, beyond the engine's stop words.
ENGLISH = STOPWORDS | {
    "may", "might", "must", "shall", "hi", "hey", "ok", "okay", "yes", "us", "one", "two", "per",
    "via", "vs", "go", "let", "like", "new", "see", "use", "make", "man", "men", "also", "ask",
}


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


DATA = _load(LANGUAGES_FILE)
LANGUAGES: list[dict[str, Any]] = DATA["languages"]
COUNTRY_RECORDS = _load(COUNTRIES_FILE)["countries"]
MEMBER_IDS = {c["id"] for c in COUNTRY_RECORDS if c.get("member", True) is not False}
ALL_IDS = {c["id"] for c in COUNTRY_RECORDS}
KOREA = "korea"
COUNTRY_IDS = MEMBER_IDS | {KOREA}


def _lists(lang: dict[str, Any]) -> list[tuple[str, Any]]:
    """Every (label, list) pair of a language: its countries' names and its concepts' words."""
    out = [(f"countries.{k}", v) for k, v in (lang.get("countries") or {}).items()]
    out += [(f"words.{k}", v) for k, v in (lang.get("words") or {}).items()]
    return out


def _entries(lang: dict[str, Any]) -> list[tuple[str, str]]:
    return [(label, entry) for label, values in _lists(lang) for entry in values]


def _duplicate_keys(node: yaml.Node, where: str = "") -> list[str]:
    """Keys that occur twice in one mapping anywhere under `node` (safe_load would keep only the last)."""
    found: list[str] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            label = f"{where}.{key.value}" if where else str(key.value)
            if key.value in seen:
                found.append(label)
            seen.add(key.value)
            found += _duplicate_keys(value, label)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            found += _duplicate_keys(item, f"{where}[{i}]")
    return found


def _english_words(*paths: Path) -> set[str]:
    return {w for path in paths for w in re.findall(r"[a-z0-9]+", path.read_text(encoding="utf-8").lower())}


ARTICLE_WORDS = _english_words(ARTICLE_FILE, SYNONYMS_FILE)
GLOSSARIES = [lang for lang in LANGUAGES if "glossary" in lang]


def _ids(langs: list[dict[str, Any]]) -> list[str]:
    return [str(lang.get("code")) for lang in langs]


def test_file_has_only_a_list_of_languages():
    assert set(DATA) == {"languages"}
    assert isinstance(LANGUAGES, list) and LANGUAGES


def test_countries_file_has_the_ten_members_and_korea():
    assert len(MEMBER_IDS) == 10
    assert KOREA in ALL_IDS and KOREA not in MEMBER_IDS


def test_languages_are_the_expected_ones_once_each():
    codes = _ids(LANGUAGES)
    assert len(codes) == len(set(codes)), codes
    assert set(codes) == EXPECTED_CODES


@pytest.mark.parametrize("lang", LANGUAGES, ids=_ids(LANGUAGES))
def test_language_has_only_known_fields(lang):
    assert isinstance(lang, dict)
    assert set(lang) <= FIELDS, set(lang) - FIELDS
    assert set(lang) >= REQUIRED_FIELDS, REQUIRED_FIELDS - set(lang)
    assert isinstance(lang["code"], str) and lang["code"].isascii() and lang["code"].islower()
    assert 2 <= len(lang["code"]) <= 3
    assert isinstance(lang["name"], str) and lang["name"].strip() == lang["name"] and lang["name"]
    assert isinstance(lang["countries"], dict)
    assert isinstance(lang.get("words", {}), dict)


@pytest.mark.parametrize("lang", LANGUAGES, ids=_ids(LANGUAGES))
def test_country_ids_and_concept_keys_are_known(lang):
    assert set(lang["countries"]) <= COUNTRY_IDS, set(lang["countries"]) - COUNTRY_IDS
    assert set(lang.get("words", {})) <= CONCEPTS, set(lang.get("words", {})) - CONCEPTS


@pytest.mark.parametrize("lang", LANGUAGES, ids=_ids(LANGUAGES))
def test_every_language_names_all_eleven_countries(lang):
    if lang["code"] in PARTIAL_COUNTRY_LANGUAGES:
        assert lang["countries"]
    else:
        assert set(lang["countries"]) == COUNTRY_IDS, COUNTRY_IDS - set(lang["countries"])


@pytest.mark.parametrize("code", sorted(QUESTION_LANGUAGES))
def test_question_languages_have_a_word_for_every_concept(code):
    lang = next(lang for lang in LANGUAGES if lang["code"] == code)
    assert set(lang["words"]) == CONCEPTS - QUESTION_LANGUAGES[code]


@pytest.mark.parametrize("lang", LANGUAGES, ids=_ids(LANGUAGES))
def test_lists_are_non_empty_strings_without_duplicates(lang):
    for label, values in _lists(lang):
        assert isinstance(values, list) and values, f"{lang['code']} {label}: not a non-empty list"
        for entry in values:
            assert isinstance(entry, str), f"{lang['code']} {label}: {entry!r} is not a string"
            assert entry.strip(), f"{lang['code']} {label}: empty entry"
            assert entry == entry.strip() and "  " not in entry, f"{lang['code']} {label}: {entry!r} has stray spaces"
            assert unicodedata.normalize("NFC", entry) == entry, f"{lang['code']} {label}: {entry!r} is not NFC"
        folded = [entry.casefold() for entry in values]
        dupes = sorted({f for f in folded if folded.count(f) > 1})
        assert not dupes, f"{lang['code']} {label}: duplicates {dupes}"


@pytest.mark.parametrize("lang", LANGUAGES, ids=_ids(LANGUAGES))
def test_no_entry_is_an_english_stop_word(lang):
    hits = [(label, entry) for label, entry in _entries(lang) if normalize(entry) in ENGLISH]
    assert not hits, f"{lang['code']}: entries equal to English words: {hits}"


@pytest.mark.parametrize("lang", LANGUAGES, ids=_ids(LANGUAGES))
def test_no_entry_means_two_things_in_one_language(lang):
    seen: dict[str, str] = {}
    clashes = []
    for label, entry in _entries(lang):
        key = normalize(entry)
        if key in seen and seen[key] != label:
            clashes.append((entry, seen[key], label))
        seen.setdefault(key, label)
    assert not clashes, f"{lang['code']}: entries under two keys: {clashes}"


@pytest.mark.parametrize("lang", LANGUAGES, ids=_ids(LANGUAGES))
def test_native_script_languages_write_countries_in_their_script(lang):
    if lang["code"] in {"vi", "id", "ms", "tl"}:
        return
    for cid, names in lang["countries"].items():
        assert any(not name.isascii() for name in names), f"{lang['code']} {cid}: no name in the language's script"


def test_no_mapping_in_the_file_repeats_a_key():
    with LANGUAGES_FILE.open(encoding="utf-8") as fh:
        dupes = _duplicate_keys(yaml.compose(fh))
    assert not dupes, f"keys given twice: {dupes}"


@pytest.mark.parametrize("code", sorted(GLOSSARY_LANGUAGES))
def test_glossary_languages_have_a_glossary(code):
    lang = next(lang for lang in LANGUAGES if lang["code"] == code)
    glossary = lang.get("glossary")
    assert isinstance(glossary, dict), f"{code}: no glossary"
    assert len(glossary) >= GLOSSARY_LANGUAGES[code], f"{code}: {len(glossary)} glossary entries"


@pytest.mark.parametrize("lang", GLOSSARIES, ids=_ids(GLOSSARIES))
def test_glossary_maps_strings_to_ascii_english(lang):
    code = lang["code"]
    assert isinstance(lang["glossary"], dict) and lang["glossary"], f"{code}: glossary is not a non-empty mapping"
    for key, value in lang["glossary"].items():
        assert isinstance(key, str) and key.strip(), f"{code} glossary: {key!r} is not a non-empty string"
        assert key == key.strip() and "  " not in key, f"{code} glossary: {key!r} has stray spaces"
        assert unicodedata.normalize("NFC", key) == key, f"{code} glossary: {key!r} is not NFC"
        assert isinstance(value, str) and value.strip(), f"{code} glossary {key}: {value!r} is not a non-empty string"
        assert value == value.strip() and "  " not in value, f"{code} glossary {key}: {value!r} has stray spaces"
        assert value.isascii(), f"{code} glossary {key}: {value!r} is not ASCII English"


@pytest.mark.parametrize("lang", GLOSSARIES, ids=_ids(GLOSSARIES))
def test_glossary_keys_are_not_english(lang):
    stop = [k for k in lang["glossary"] if normalize(k) in ENGLISH]
    assert not stop, f"{lang['code']} glossary: keys equal to English words: {stop}"
    same = [k for k, v in lang["glossary"].items() if normalize(k) == normalize(v)]
    assert not same, f"{lang['code']} glossary: keys that are their own English value: {same}"


@pytest.mark.parametrize("lang", GLOSSARIES, ids=_ids(GLOSSARIES))
def test_glossary_keys_are_distinct_once_normalised(lang):
    # Matching drops accents, so "thị trường" (market) and "thị trưởng" (mayor) would be one key.
    seen: dict[str, str] = {}
    clashes = []
    for key in lang["glossary"]:
        folded = normalize(key)
        if folded in seen:
            clashes.append((seen[folded], key))
        seen.setdefault(folded, key)
    assert not clashes, f"{lang['code']} glossary: keys that match the same text: {clashes}"


@pytest.mark.parametrize("lang", GLOSSARIES, ids=_ids(GLOSSARIES))
def test_glossary_keys_are_not_question_or_small_talk_words(lang):
    words = lang.get("words") or {}
    reserved = {normalize(e): c for c in NON_SEARCH_CONCEPTS for e in words.get(c, [])}
    hits = [(k, reserved[normalize(k)]) for k in lang["glossary"] if normalize(k) in reserved]
    assert not hits, f"{lang['code']} glossary: keys that are words of a non-search concept: {hits}"


@pytest.mark.parametrize("lang", GLOSSARIES, ids=_ids(GLOSSARIES))
def test_glossary_values_are_the_articles_words(lang):
    unknown = [
        (k, v) for k, v in lang["glossary"].items()
        if any(w not in ARTICLE_WORDS for w in re.findall(r"[a-z0-9]+", v.lower()))
    ]
    assert not unknown, (f"{lang['code']} glossary: values with words neither article.md nor synonyms.yaml uses: "
                         f"{unknown}")
