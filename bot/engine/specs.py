"""The commands the engine understands: names, usage and help text shared by every front end."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One user command. `arg` names what its argument is, for help text and autocomplete."""

    name: str
    usage: str
    summary: str
    examples: tuple[str, ...]
    arg: str | None = None  # "country", "person", "country_or_person", "quote", "text"; None: no argument
    required: bool = False
    aliases: tuple[str, ...] = ()


SPECS: tuple[CommandSpec, ...] = (
    CommandSpec("country", "!country <country>", "A country's envoy, COVID-19 figures and key points.",
                ("!country Vietnam", "!country Lao PDR"), "country", True, ("c",)),
    CommandSpec("ambassador", "!ambassador <country or person>",
                "Who represented a country, or which country a person represented.",
                ("!ambassador Thailand", "!ambassador Umar Hadi"), "country_or_person", True,
                ("envoy", "amb")),
    CommandSpec("stats", "!stats [country]", "COVID-19 figures as of June 22, 2020 (all ten without a country).",
                ("!stats", "!stats Indonesia"), "country", False, ("figures", "cases")),
    CommandSpec("quote", "!quote [topic, person or country]",
                "Quotes on a topic, by a person or from a country's section; a random one without an argument.",
                ("!quote vaccine", "!quote Lee Hyuk", "!quote"), "quote", False, ("quotes",)),
    CommandSpec("who", "!who <person>", "Who a person is and what the article says they did or said.",
                ("!who Lee Hyuk", "!who Park Won-soon"), "person", True, ("whois",)),
    CommandSpec("event", "!event", "The roundtable itself: when, where, who hosted, sponsored and attended.",
                ("!event",), None, False, ("roundtable",)),
    CommandSpec("search", "!search <words>", "The article passages that best match your words.",
                ("!search rice donation", "!search testing capacity"), "text", True, ("find",)),
    CommandSpec("summary", "!summary [full | YYYY-MM-DD]",
                "Today's spotlight of the article; `full` for an overview of the whole article.",
                ("!summary", "!summary full", "!summary 2020-06-23"), "text", False, ("spotlight",)),
    CommandSpec("ask", "!ask <question>", "Ask anything about the article in your own words.",
                ("!ask How much rice did Korea donate?", "!ask Which countries reported no deaths?"),
                "text", True, ("q",)),
    CommandSpec("help", "!help [command]", "The command list, or help for one command.",
                ("!help", "!help quote"), "text", False, ("commands",)),
)
