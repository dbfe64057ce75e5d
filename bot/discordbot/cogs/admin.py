"""Admin commands for server managers and the configured owners: `!reload` and `!sync`."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.discordbot.app import AnyBot, BotContext
from bot.discordbot.cogs.errors import NotAdmin
from bot.discordbot.hybrid import hybrid_command
from bot.discordbot.render import shorten
from bot.discordbot.respond import send_note

log = logging.getLogger(__name__)


async def is_admin(ctx: BotContext) -> bool:
    """A configured (or application) owner, or a member with the Manage Server permission."""
    if await ctx.bot.is_owner(ctx.author):
        return True
    perms = getattr(ctx.author, "guild_permissions", None)
    if ctx.guild is not None and perms is not None and perms.manage_guild:
        return True
    raise NotAdmin("manage_guild or owner required")


def without_root(text: str, root: Path) -> str:
    """`text` with the knowledge folder's absolute path taken out: file names relative to it, no server paths."""
    for form in {str(root), str(root.resolve())}:
        text = text.replace(form + os.sep, "").replace(form, "the knowledge folder")
    return text


class Admin(commands.Cog):
    """Keeping the bot's knowledge and slash commands up to date."""

    def __init__(self, bot: AnyBot) -> None:
        self.bot = bot

    @hybrid_command(name="reload", extras={"admin": True})
    @app_commands.default_permissions(manage_guild=True)
    @commands.check(is_admin)
    async def reload(self, ctx: BotContext) -> None:
        """Re-read the knowledge base; if a file is broken, the current one stays in service."""
        root = self.bot.kb.root
        try:
            kb = await self.bot.reload_knowledge()
        except Exception as exc:
            log.warning("reload failed, keeping the current knowledge base: %s", exc, exc_info=True)
            # ephemeral for /reload; in a channel, file names relative to the knowledge folder and no more
            await send_note(ctx, shorten("Reload failed, still serving the previous knowledge base: "
                                         f"{without_root(str(exc), Path(root))} (details in the bot's log)", 1900))
            return
        await send_note(ctx, f"Reloaded the knowledge base: {kb.summary_line()}.")

    @hybrid_command(name="sync", extras={"admin": True})
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(scope="guild: this server (or sync_guild), at once; global: every server, slower")
    @commands.check(is_admin)
    async def sync(self, ctx: BotContext, scope: Literal["guild", "global"] = "guild") -> None:
        """Publish the slash commands to this server (default) or globally (`sync global`)."""
        guild: discord.abc.Snowflake | None = None
        if scope == "guild":
            configured = self.bot.settings.sync_guild
            guild = discord.Object(configured) if configured else ctx.guild
            if guild is None:
                await send_note(ctx, "In a DM, use `sync global`, or set sync_guild in the config.")
                return
        if ctx.interaction is not None:
            await ctx.defer(ephemeral=True)
        synced = await self.bot.sync_commands(guild)
        where = f"to server {guild.id}" if guild is not None else "globally (may take a while to show)"
        names = ", ".join(sorted(c.name for c in synced))
        await send_note(ctx, shorten(f"Synced {len(synced)} slash commands {where}: {names}", 1900))


async def setup(bot: AnyBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Admin(bot))
