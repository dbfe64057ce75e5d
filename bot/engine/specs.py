"""The commands the engine understands: names, usage and help text shared by every front end.

Summaries and examples are templates: `{country}`, `{figures}` ... are filled from the knowledge base's
profile when the engine is built (`CommandSpec.filled`), so no article's words are written here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import msgspec
from msgspec.structs import replace

_SLOT = re.compile(r"\{(\w+)\}")


def fill(template: str, words: Mapping[str, str | None]) -> str | None:
    """`template` with every `{name}` replaced from `words`; None when one of them is missing."""
    missing = False

    def one(m: re.Match[str]) -> str:
        nonlocal missing
        value = words.get(m.group(1))
        if value is None:
            missing = True
            return ""
        return value

    text = _SLOT.sub(one, template)
    return None if missing else text


class CommandSpec(msgspec.Struct, frozen=True):
    """One user command. `arg` names what its argument is, for help text and autocomplete; `needs` names the
    data it answers from ("countries", "figures"): without it the command is not offered."""

    name: str
    usage: str
    summary: str
    examples: tuple[str, ...]
    arg: str | None = None  # "country", "person", "country_or_person", "quote", "text"; None: no argument
    required: bool = False
    aliases: tuple[str, ...] = ()
    needs: str | None = None

    def filled(self, words: Mapping[str, str | None], aliases: tuple[str, ...] = ()) -> CommandSpec:
        """This spec with its templates filled from `words`: an example naming a missing word is dropped, a
        summary keeps the name of the slot; `aliases` are added to the spec's own."""
        examples = tuple(e for e in (fill(x, words) for x in self.examples) if e is not None)
        summary = fill(self.summary, words) or _SLOT.sub(lambda m: m.group(1), self.summary)
        extra = tuple(a for a in aliases if a != self.name and a not in self.aliases)
        return replace(self, summary=summary, examples=examples, aliases=(*self.aliases, *extra))


SPECS: tuple[CommandSpec, ...] = (
    CommandSpec("country", "!country <country>", "A country's envoy, {figures} and key points.",
                ("!country {country}", "!country {country_other}"), "country", True, ("c",), "countries"),
    CommandSpec("ambassador", "!ambassador <country or person>",
                "Who represented a country, or which country a person represented.",
                ("!ambassador {ambassador}", "!ambassador {envoy}"), "country_or_person", True,
                ("envoy", "amb"), "countries"),
    CommandSpec("stats", "!stats [country]", "{Figures} as of {as_of} (all {count} without a country).",
                ("!stats", "!stats {stats}"), "country", False, ("figures", "cases"), "figures"),
    CommandSpec("quote", "!quote [topic, person or country]",
                "Quotes on a topic, by a person or from a country's section; a random one without an argument.",
                ("!quote {topic}", "!quote {person}", "!quote"), "quote", False, ("quotes",)),
    CommandSpec("who", "!who <person>", "Who a person is and what the article says they did or said.",
                ("!who {person}", "!who {person_other}"), "person", True, ("whois",)),
    CommandSpec("event", "!event", "{Event} itself: when, where, who hosted, sponsored and attended.",
                ("!event",), None, False),
    CommandSpec("search", "!search <words>", "The article passages that best match your words.",
                ("!search {search}", "!search {search_other}"), "text", True, ("find",)),
    CommandSpec("summary", "!summary [today | tomorrow | YYYY-MM-DD]",
                "The article in brief: {event}, who came, the {figures} and a line from each section; "
                "`today` (or a date) for that day's spotlight.",
                ("!summary", "!summary today", "!summary {day}"), "text", False, ("brief", "overview")),
    CommandSpec("spotlight", "!spotlight [tomorrow | YYYY-MM-DD]",
                "Today's spotlight, the daily post: a country or theme of the article, with a quote.",
                ("!spotlight", "!spotlight tomorrow"), "text", False, ("today",)),
    CommandSpec("ask", "!ask <question>", "Ask anything about the article in your own words.",
                ("!ask {question}", "!ask {question_other}"), "text", True, ("q",)),
    CommandSpec("about", "!about", "What this bot is, the article it answers from, and how to use it.",
                ("!about",), None, False, ("info",)),
    CommandSpec("source", "!source", "The article's reference: headline, byline and publisher.",
                ("!source",), None, False, ("article", "reference")),
    CommandSpec("ping", "!ping", "Check that the bot is answering (on Discord: the gateway latency).",
                ("!ping",), None, False),
    CommandSpec("invite", "!invite", "A link to add the bot to another server (on Discord).",
                ("!invite",), None, False),
    CommandSpec("help", "!help [command]", "The command list, or help for one command.",
                ("!help", "!help quote"), "text", False, ("commands",)),
)
