"""Buttons under an answer that hold no memory: everything a press needs is in the button's custom id.

`SourceButton` shows the cited paragraphs (only to whoever pressed it); `PageButton` (Previous, Next) turns
the pages of a long answer, for the asker only; `NotHelpfulButton` records that an answer did not help. All are
`discord.ui.DynamicItem`s registered once with `bot.add_dynamic_items(*DYNAMIC_ITEMS)`: discord.py keeps no
view, no timer and nothing else per answer, and the buttons of any message keep working after a restart.

How a page is rebuilt on a press: the engine is deterministic, so the pager asks again. A page button's
custom id holds the asker's id, the page to show, a digest of the whole answer (`answer_digest`) and the
engine line that gives this answer in a fresh conversation (`!summary`, `what did Vietnam say?`), or `^`
for "the text of the message this answer replies to" when the line is too long for a custom id. The
rebuilt answer is shown only if its digest matches: after a knowledge-base reload or an edit of the question
the asker is told to ask again, never shown a page of another answer. Whether the pages are embeds or plain
text is read from the message being paged. `respond.send_answer` gives a pager only to answers that can be
asked again this way; the others get their further pages as messages of their own.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.answer import Answer, SourceRef
from bot.charts import chart_filename
from bot.daily.feedback import CODES, KINDS, feedback_kind, question_digest
from bot.daily.store import StoreError
from bot.discordbot.addressing import question_text
from bot.discordbot.citations import article_mark, decode_positions, decode_sources, encode_positions, encode_sources
from bot.discordbot.render import render, render_sources
from bot.engine.format import sanitize
from bot.kb.article import Article

if TYPE_CHECKING:
    from bot.discordbot.app import RoundtableBotMixin

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
CUSTOM_ID_LIMIT = 100
REPLIED = "^"  # a page button's line meaning: the question is the message this answer replies to
NOT_YOURS = "Only the person who asked can turn these pages; ask the bot yourself to get your own copy."
CHANGED = "This answer has changed since it was posted; please ask again."
ARTICLE_CHANGED = "The article has changed since this answer was posted; please ask again for its source."
FAILED = "Sorry, that button failed. Please try again."
NOTED = "Thanks — noted."
NOT_NOTED = "Thanks. This bot could not keep your feedback just now."


def _bot(interaction: discord.Interaction) -> RoundtableBotMixin:
    return cast("RoundtableBotMixin", interaction.client)


async def say_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """One short line only the presser sees."""
    send = interaction.followup.send if interaction.response.is_done() else interaction.response.send_message
    await send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


async def _failed(interaction: discord.Interaction, what: str) -> None:
    """Log the traceback of a failed press (called from an `except`); tell the presser in one short line."""
    log.exception("the %s button failed", what)
    try:
        await say_ephemeral(interaction, FAILED)
    except discord.HTTPException:
        log.warning("could not tell the presser that the %s button failed", what)


async def show_sources(interaction: discord.Interaction, article: Article, sources: Sequence[SourceRef]) -> None:
    """The cited paragraphs of the article, only to whoever pressed the button."""
    messages = render_sources(article, sources)
    if not messages:
        await say_ephemeral(interaction, "The cited passage is no longer in the knowledge base.")
        return
    await interaction.response.send_message(embeds=messages[0], ephemeral=True, allowed_mentions=NO_MENTIONS)
    for embeds in messages[1:]:
        await interaction.followup.send(embeds=embeds, ephemeral=True, allowed_mentions=NO_MENTIONS)


class SourceButton(discord.ui.DynamicItem[discord.ui.Button[Any]],
                   template=r"rt:src:(?P<refs>[\w.;-]+)|rt:s:(?P<mark>[\w-]{6}):(?P<pos>[\d.;-]+)"):
    """The Source button, its citations in the custom id (`bot.discordbot.citations`): by section id when that
    fits in 100 characters, else by position in the article; citations that fit neither way are left out,
    the last ones first (an answer cites its main passages first)."""

    def __init__(self, custom_id: str) -> None:
        super().__init__(discord.ui.Button(label="Source", emoji="\U0001f4f0", style=discord.ButtonStyle.primary,
                                           custom_id=custom_id))

    @classmethod
    def custom_id_for(cls, sources: Sequence[SourceRef], article: Article) -> str | None:
        """The custom id citing `sources` of `article`, or None when there is nothing to cite."""
        readable = f"rt:src:{encode_sources(sources)}"
        if sources and len(readable) <= CUSTOM_ID_LIMIT and cls.__discord_ui_compiled_template__.fullmatch(readable):
            return readable
        head = f"rt:s:{article_mark(article)}:"
        parts = encode_positions(article, sources)
        kept = len(parts)
        while parts and len(head) + len(";".join(parts)) > CUSTOM_ID_LIMIT:
            parts.pop()
        if len(parts) < kept:
            log.debug("the Source button cites %d of %d passages", len(parts), kept)
        return head + ";".join(parts) if parts else None

    @classmethod
    def citing(cls, sources: Sequence[SourceRef], article: Article) -> SourceButton | None:
        """The Source button for these citations, or None without any."""
        custom_id = cls.custom_id_for(sources, article)
        return None if custom_id is None else cls(custom_id)

    def sources(self, article: Article) -> tuple[SourceRef, ...] | None:
        """The citations, read against `article`; None when they were written for another layout of it."""
        match = self.template.fullmatch(self.custom_id)
        if match is None:
            return ()
        if match["refs"] is not None:
            return decode_sources(match["refs"])
        if match["mark"] != article_mark(article):
            return None
        return decode_positions(article, match["pos"])

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> SourceButton:
        """Rebuild the button from a press."""
        return cls(match.string)

    async def callback(self, interaction: discord.Interaction) -> None:
        """Show the cited paragraphs, from the knowledge base in service now."""
        try:
            article = _bot(interaction).kb.article
            sources = self.sources(article)
            if sources is None:
                await say_ephemeral(interaction, ARTICLE_CHANGED)
            else:
                await show_sources(interaction, article, sources)
        except Exception:
            await _failed(interaction, "Source")


def answer_digest(answer: Answer) -> str:
    """Eight characters that tell whether an answer asked again is the same answer (its kind and its text)."""
    digest = hashlib.blake2b(f"{answer.kind}\n{answer.to_text()}".encode(), digest_size=6).digest()
    return base64.urlsafe_b64encode(digest).decode()


PAGE_TEMPLATE = re.compile(r"rt:pg:(?P<author>\d+):(?P<step>[pn])(?P<page>\d+):(?P<digest>[\w-]{8}):(?P<line>.+)",
                           re.DOTALL)


async def replied_question(message: discord.Message) -> str | None:
    """The question in the message `message` replies to, as the questions cog read it; None if it is gone."""
    ref = message.reference
    if ref is None or ref.message_id is None:
        return None
    asked = ref.resolved if isinstance(ref.resolved, discord.Message) else ref.cached_message
    if asked is None:
        try:
            asked = await message.channel.fetch_message(ref.message_id)
        except discord.HTTPException:
            return None
    return question_text(asked.content)


@dataclass(frozen=True, slots=True)
class Pager:
    """What the page buttons of one answer carry: who asked, the answer's digest, how to ask it again, and the
    page shown of how many."""

    author_id: int
    digest: str
    line: str  # an engine line, or REPLIED
    page: int
    count: int

    def fits(self) -> bool:
        """True when every page button's custom id is within Discord's 100 characters."""
        return len(PageButton.custom_id_for(self, "n", self.count - 1)) <= CUSTOM_ID_LIMIT

    def buttons(self) -> list[PageButton]:
        """Previous and Next for the page shown, greyed out at either end."""
        last = self.count - 1
        return [PageButton(self, "p", max(self.page - 1, 0), disabled=self.page <= 0),
                PageButton(self, "n", min(self.page + 1, last), disabled=self.page >= last)]


class PageButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=PAGE_TEMPLATE):
    """Previous (`step` "p") or Next ("n"), leading to page `page`; see the module docstring for how a press
    rebuilds that page."""

    def __init__(self, pager: Pager, step: str, page: int, *, disabled: bool = False) -> None:
        self.pager = pager
        self.page = page
        label, emoji = ("Previous", "\u25c0") if step == "p" else ("Next", "\u25b6")
        super().__init__(discord.ui.Button(label=label, emoji=emoji, style=discord.ButtonStyle.secondary,
                                           disabled=disabled, custom_id=self.custom_id_for(pager, step, page)))

    @staticmethod
    def custom_id_for(pager: Pager, step: str, page: int) -> str:
        """The custom id of a page button."""
        return f"rt:pg:{pager.author_id}:{step}{page}:{pager.digest}:{pager.line}"

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> PageButton:
        """Rebuild the button from a press (the page count is known once the answer is asked again)."""
        page = int(match["page"])
        pager = Pager(int(match["author"]), match["digest"], match["line"], page, page + 1)
        return cls(pager, match["step"], page)

    async def callback(self, interaction: discord.Interaction) -> None:
        """Show page `page` to the asker; anyone else is told, privately, to ask for their own copy."""
        try:
            await self._turn(interaction)
        except Exception:
            await _failed(interaction, "page")

    async def _turn(self, interaction: discord.Interaction) -> None:
        pager, message = self.pager, interaction.message
        if interaction.user.id != pager.author_id:
            await say_ephemeral(interaction, NOT_YOURS)
            return
        await interaction.response.defer()  # asking the engine again may wait its turn: answer Discord first
        line = await replied_question(message) if message is not None and pager.line == REPLIED else pager.line
        bot = _bot(interaction)
        answer = await bot.answer_line(line) if line and line != REPLIED else None
        if message is None or answer is None or answer_digest(answer) != pager.digest:
            await say_ephemeral(interaction, CHANGED)
            return
        pages = render(answer, embeds=bool(message.embeds))
        index = max(0, min(self.page, len(pages) - 1))
        page = pages[index]
        if index == 0 and answer.chart is not None and page.embed is not None and message.attachments:
            page.embed.set_image(url=f"attachment://{chart_filename(answer.chart)}")
        turned = Pager(pager.author_id, pager.digest, pager.line, index, len(pages))
        await interaction.edit_original_response(content=page.content, embed=page.embed, allowed_mentions=NO_MENTIONS,
                                                 view=answer_view(answer.sources, bot.kb.article, turned,
                                                                  NotHelpfulButton.for_answer(answer, pager.line)))


class NotHelpfulButton(discord.ui.DynamicItem[discord.ui.Button[Any]],
                       template=re.compile(r"rt:nh:(?P<kind>[a-z]):(?P<digest>[0-9a-f]{8}):(?P<question>.*)",
                                           re.DOTALL)):
    """"Not helpful": records the question, the answer's kind and sources (read from the message's Source
    button), the server and the time, once per user per answer (`bot.daily.feedback`). The custom id holds the
    kind, a digest of the question and the question itself (made inert), or `^` ("the message this answer
    replies to") when it is too long; a question read back whose digest differs (edited since) is not kept."""

    def __init__(self, custom_id: str) -> None:
        super().__init__(discord.ui.Button(label="Not helpful", emoji="\U0001f44e",
                                           style=discord.ButtonStyle.secondary, custom_id=custom_id))

    @classmethod
    def for_answer(cls, answer: Answer, question: str | None) -> NotHelpfulButton:
        """The button under `answer` to `question` (None or REPLIED: read from the replied message on a press)."""
        question = " ".join(question.split()) if question and question != REPLIED else ""
        head = f"rt:nh:{CODES[feedback_kind(answer)]}:{question_digest(question)}:"
        shown = sanitize(question, CUSTOM_ID_LIMIT)  # inert even where a client would show the id
        fits = question and len(head) + len(shown) <= CUSTOM_ID_LIMIT and not shown.endswith("…")
        return cls(head + (shown if fits else REPLIED))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> NotHelpfulButton:
        """Rebuild the button from a press."""
        return cls(match.string)

    async def callback(self, interaction: discord.Interaction) -> None:
        """Record the press and thank the presser privately."""
        try:
            await self._record(interaction)
        except StoreError as exc:
            log.warning("could not record a Not helpful press: %s", exc.cause)
            await say_ephemeral(interaction, NOT_NOTED)
        except Exception:
            await _failed(interaction, "Not helpful")

    async def _record(self, interaction: discord.Interaction) -> None:
        match = self.template.fullmatch(self.custom_id)
        bot, message = _bot(interaction), interaction.message
        if match is None or message is None or bot.feedback is None:
            await say_ephemeral(interaction, NOT_NOTED)
            return
        question: str | None = match["question"]
        if question == REPLIED:
            question = await replied_question(message)
            unknown = match["digest"] == question_digest("")  # posted without its question: take the replied one
            if question is not None and not unknown and question_digest(" ".join(question.split())) != match["digest"]:
                question = None
        await bot.feedback.pressed(interaction.guild_id, question, KINDS[match["kind"]], _cited(message, bot),
                                   interaction.user.id, message.id)
        await say_ephemeral(interaction, NOTED)


def _cited(message: discord.Message, bot: RoundtableBotMixin) -> tuple[SourceRef, ...]:
    """The sources of the answer in `message`, read from its Source button (none without one)."""
    for row in message.components:
        for child in getattr(row, "children", ()):
            custom_id = getattr(child, "custom_id", None)
            if custom_id and SourceButton.__discord_ui_compiled_template__.fullmatch(custom_id):
                return SourceButton(custom_id).sources(bot.kb.article) or ()
    return ()


DYNAMIC_ITEMS = (SourceButton, PageButton, NotHelpfulButton)


def answer_view(sources: Sequence[SourceRef], article: Article, pager: Pager | None = None,
                feedback: NotHelpfulButton | None = None) -> discord.ui.View | None:
    """The buttons under an answer (the pager's, then Source, then Not helpful), or None without any. Every item
    is dynamic, so discord.py stores nothing for the message."""
    items: list[discord.ui.Item[Any]] = [*pager.buttons()] if pager is not None else []
    source = SourceButton.citing(sources, article)
    if source is not None:
        items.append(source)
    if feedback is not None:
        items.append(feedback)
    if not items:
        return None
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    return view


__all__ = ["CUSTOM_ID_LIMIT", "DYNAMIC_ITEMS", "NOTED", "NO_MENTIONS", "REPLIED", "NotHelpfulButton", "PageButton",
           "Pager", "SourceButton", "answer_digest", "answer_view", "replied_question", "say_ephemeral",
           "show_sources"]
