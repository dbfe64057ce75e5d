"""Buttons under an answer: "Source" (the cited paragraphs, shown only to whoever pressed it) and a pager."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import discord

from bot.answer import SourceRef
from bot.discordbot.render import Page, render_sources
from bot.kb.article import Article

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
VIEW_TIMEOUT = 15 * 60.0


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
        if not self.sources:
            self.remove_item(self.source)
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
        messages = render_sources(self.article(), self.sources)
        if not messages:
            await interaction.response.send_message(
                "The cited passage is no longer in the knowledge base.", ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        await interaction.response.send_message(embeds=messages[0], ephemeral=True, allowed_mentions=NO_MENTIONS)
        for embeds in messages[1:]:
            await interaction.followup.send(embeds=embeds, ephemeral=True, allowed_mentions=NO_MENTIONS)

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
