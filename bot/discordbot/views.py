"""Buttons under an answer: "Source" (the cited paragraphs, shown only to whoever pressed it) and a pager."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

import discord

from bot.answer import SourceRef
from bot.discordbot.render import Page, render_sources
from bot.kb.article import Article

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
VIEW_TIMEOUT = 15 * 60.0
CUSTOM_ID_LIMIT = 100


def encode_sources(sources: Sequence[SourceRef]) -> str:
    """`lead.1.3;vietnam.2`: the section ids and paragraph numbers a Source button needs (no headings)."""
    return ";".join(".".join([ref.section, *map(str, ref.paragraphs)]) for ref in sources)


def decode_sources(text: str) -> tuple[SourceRef, ...]:
    """The citations `encode_sources` wrote (headings come from the article on press)."""
    refs = []
    for part in filter(None, text.split(";")):
        section, *numbers = part.split(".")
        refs.append(SourceRef(section, "", tuple(int(n) for n in numbers if n.isdigit())))
    return tuple(refs)


async def show_sources(interaction: discord.Interaction, article: Article, sources: Sequence[SourceRef]) -> None:
    """The cited paragraphs of the article, only to whoever pressed the button."""
    messages = render_sources(article, sources)
    if not messages:
        await interaction.response.send_message(
            "The cited passage is no longer in the knowledge base.", ephemeral=True, allowed_mentions=NO_MENTIONS
        )
        return
    await interaction.response.send_message(embeds=messages[0], ephemeral=True, allowed_mentions=NO_MENTIONS)
    for embeds in messages[1:]:
        await interaction.followup.send(embeds=embeds, ephemeral=True, allowed_mentions=NO_MENTIONS)


class SourceButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"rt:src:(?P<refs>[\w.;-]+)"):
    """The Source button with its citations in the custom id: no memory per answer, and it works after a restart.

    Register it with `bot.add_dynamic_items(SourceButton)`. Citations too long for a custom id
    (`CUSTOM_ID_LIMIT`, see `fits`) keep the in-memory Source button of `AnswerView` instead, which stops
    working after `VIEW_TIMEOUT` or a restart.
    """

    def __init__(self, sources: Sequence[SourceRef]) -> None:
        self.sources = tuple(sources)
        super().__init__(discord.ui.Button(label="Source", emoji="\U0001f4f0", style=discord.ButtonStyle.primary,
                                           custom_id=self.custom_id_for(self.sources)))

    @staticmethod
    def custom_id_for(sources: Sequence[SourceRef]) -> str:
        """The button's custom id for these citations."""
        return f"rt:src:{encode_sources(sources)}"

    @classmethod
    def fits(cls, sources: Sequence[SourceRef]) -> bool:
        """True when the citations fit in a custom id (and its template)."""
        custom_id = cls.custom_id_for(sources)
        return bool(sources) and len(custom_id) <= CUSTOM_ID_LIMIT and cls.__discord_ui_compiled_template__.fullmatch(
            custom_id) is not None

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> SourceButton:
        """Rebuild the button from a press."""
        return cls(decode_sources(match["refs"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        """Show the cited paragraphs, from the knowledge base in service now."""
        await show_sources(interaction, interaction.client.engine.kb.article, self.sources)  # type: ignore[attr-defined]


class AnswerView(discord.ui.View):
    """Pager buttons (only with more than one page) and a Source button (only with sources)."""

    def __init__(
        self,
        pages: Sequence[Page],
        sources: Sequence[SourceRef],
        article: Callable[[], Article],
        author_id: int,
        *,
        timeout: float | None = VIEW_TIMEOUT,
    ) -> None:
        super().__init__(timeout=timeout)
        self.pages = list(pages)
        self.sources = tuple(sources)
        self.article = article  # called on press, so a reloaded knowledge base is used
        self.author_id = author_id
        self.index = 0
        self.message: discord.Message | None = None
        if len(self.pages) < 2:
            self.remove_item(self.previous_page)
            self.remove_item(self.next_page)
            self.pages = []  # no pager: nothing to keep
        if not self.sources or SourceButton.fits(self.sources):
            self.remove_item(self.source)
        if SourceButton.fits(self.sources):
            self.add_item(SourceButton(self.sources))
        if all(isinstance(item, SourceButton) for item in self.children):
            # only stateless buttons: discord.py keeps no view and no timer for the message
            self.timeout = None
        self._update_buttons()

    @property
    def empty(self) -> bool:
        """True when there is no button to show."""
        return not self.children

    def _update_buttons(self) -> None:
        """Grey out the buttons that cannot move further."""
        self.previous_page.disabled = self.index == 0
        self.next_page.disabled = self.index >= len(self.pages) - 1

    async def _show(self, interaction: discord.Interaction, index: int) -> None:
        if interaction.user.id != self.author_id:
            await interaction.response.send_message(
                "Only the person who asked can turn these pages; ask the bot yourself to get your own copy.",
                ephemeral=True, allowed_mentions=NO_MENTIONS,
            )
            return
        self.index = max(0, min(index, len(self.pages) - 1))
        self._update_buttons()
        page = self.pages[self.index]
        await interaction.response.edit_message(
            content=page.content, embed=page.embed, view=self, allowed_mentions=NO_MENTIONS
        )

    @discord.ui.button(label="Previous", emoji="\u25c0", style=discord.ButtonStyle.secondary)
    async def previous_page(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        """Show the previous page."""
        await self._show(interaction, self.index - 1)

    @discord.ui.button(label="Next", emoji="\u25b6", style=discord.ButtonStyle.secondary)
    async def next_page(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        """Show the next page."""
        await self._show(interaction, self.index + 1)

    @discord.ui.button(label="Source", emoji="\U0001f4f0", style=discord.ButtonStyle.primary)
    async def source(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        """Show the cited paragraphs of the article to whoever pressed the button."""
        await show_sources(interaction, self.article(), self.sources)

    async def on_timeout(self) -> None:
        """Take the buttons away once they stop working."""
        if self.message is None:
            return
        try:
            await self.message.edit(view=None, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            log.debug("could not remove the buttons of message %s", self.message.id)

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item) -> None:
        """Log the traceback; tell the user in one short line."""
        log.exception("button %r failed", getattr(item, "label", item), exc_info=error)
        send = interaction.followup.send if interaction.response.is_done() else interaction.response.send_message
        await send("Sorry, that button failed. Please try again.", ephemeral=True, allowed_mentions=NO_MENTIONS)
