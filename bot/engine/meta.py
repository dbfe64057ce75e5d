"""Commands about the bot itself, answered from the knowledge base's profile: about, source, ping, invite.

On Discord, `ping` and `invite` are answered by the front end instead (it knows the gateway latency and
the application id); these are the console's answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.answer import Answer, Field
from bot.engine.format import capital
from bot.kb.models import ArticleRef

if TYPE_CHECKING:
    from bot.engine.core import Engine

NO_URL = "No URL is recorded: the article's text gives none."
HOW_TO = "Ask a question in your own words, or use a command: !help lists them, !help <command> explains one."


def byline(ref: ArticleRef) -> str:
    """"By AUTHOR, PUBLISHER" or just the publisher when the article has no byline."""
    return f"By {ref.author}, {ref.publisher}" if ref.author else ref.publisher


def reference_fields(ref: ArticleRef) -> tuple[Field, ...]:
    """The article's reference as answer fields: headline, byline, publisher, where published, date and URL."""
    fields = [Field("Headline", ref.headline)]
    if ref.author:
        fields.append(Field("Byline", f"By {ref.author}", True))
    fields.append(Field("Publisher", ref.publisher, True))
    fields.append(Field("Published in", ref.published_in))
    if ref.date:
        fields.append(Field("Date", ref.date, True))
    fields.append(Field("URL", ref.url or NO_URL))
    return tuple(fields)


def about(eng: Engine, arg: str = "") -> Answer:
    """What the bot is, the article it answers from, and how to use it."""
    p = eng.kb.profile
    fields = (
        Field("The article", f"“{p.article.headline}”\n{byline(p.article)}"),
        Field(capital(p.event), p.event_date, True),
        Field("It covers", capital(p.scope)),
        Field("How to use it", HOW_TO),
    )
    return Answer(title=p.name, body=p.description, fields=fields, kind="help",
                  suggestions=("!help", "!source", *eng.examples_of("event")))


def source(eng: Engine, arg: str = "") -> Answer:
    """The article's reference: headline, byline, publisher, where it was published; no URL unless recorded."""
    ref = eng.kb.profile.article
    return Answer(title="The article", body="Every answer comes from this article and cites its section and "
                  "paragraph.", fields=reference_fields(ref), kind="help")


def ping(eng: Engine, arg: str = "") -> Answer:
    """The engine is answering."""
    return Answer(title="Pong!", body="The bot is answering.", kind="help")


def invite(eng: Engine, arg: str = "") -> Answer:
    """The console has no invite link: say where to get one."""
    return Answer(title="Invite the bot", body="!invite works on Discord: there it gives the link that adds the bot "
                  "to a server you manage.", kind="help")
