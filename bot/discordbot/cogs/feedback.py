"""`/feedback on|off|status|report` (and `!feedback ...`): whether this server records misses, and the report.

Server managers (or a configured owner) only, in a server. Off by default: turned on, the bot stores what people
typed when it could not answer (`bot.daily.feedback`), with the server and the time, for `feedback_days` days.
"Not helpful" presses are the button's (`bot.discordbot.views.NotHelpfulButton`).
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from discord import app_commands
from discord.ext import commands

from bot.daily.feedback import report_lines
from bot.discordbot.app import AnyBot, BotContext
from bot.discordbot.cogs.admin import is_admin
from bot.discordbot.hybrid import hybrid_command
from bot.discordbot.render import CONTENT_LIMIT
from bot.discordbot.respond import send_note
from bot.discordbot.views import NO_MENTIONS

log = logging.getLogger(__name__)

NO_STORE = "Feedback is not available: the bot runs without its database (see docs/daily.md)."
REPORT_LINES = 15
Action = Literal["on", "off", "status", "report"]


class Feedback(commands.Cog):
    """What the bot could not answer, for the server's managers."""

    def __init__(self, bot: AnyBot) -> None:
        self.bot = bot

    async def cog_check(self, ctx: commands.Context[Any]) -> bool:
        """Every command here is for server managers, in a server."""
        if ctx.guild is None:
            raise commands.NoPrivateMessage()
        return await is_admin(ctx)

    def _on_text(self) -> str:
        days = self.bot.settings.feedback_days
        return (f"Feedback is on: when I cannot answer (not in the article, did-you-mean, closest passage only), I "
                f"store what was typed, with this server and the time but not who typed it, for {days} days. "
                "`/feedback report` shows the most common; `/feedback off` stops it.")

    @hybrid_command(name="feedback", extras={"admin": True}, usage="!feedback on|off|status|report")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(action="on or off: record what I could not answer; report: the most common misses")
    async def feedback(self, ctx: BotContext, action: Action = "status") -> None:
        """Record the questions I could not answer (on, off, status), or see the most common ones (report)."""
        service = self.bot.feedback
        if service is None:
            await send_note(ctx, NO_STORE)
            return
        assert ctx.guild is not None
        if action in ("on", "off"):
            await service.set_enabled(ctx.guild.id, action == "on", updated_by=ctx.author.id)
            await send_note(ctx, self._on_text() if action == "on" else
                            "Feedback is off: nothing new is stored. What was stored is deleted "
                            f"{service.days} days after it was written.")
            return
        if action == "status":
            await send_note(ctx, self._on_text() if await service.enabled(ctx.guild.id) else
                            "Feedback is off (the default): `/feedback on` records what I could not answer.")
            return
        if ctx.interaction is not None:  # what people typed is for the managers: only the asker sees it
            await ctx.defer(ephemeral=True)
        groups = await service.report(ctx.guild.id)
        if not groups:
            await send_note(ctx, f"No misses and no “Not helpful” presses in the last {service.days} days.")
            return
        lines = [f"**Most common misses, last {service.days} days** (times asked or pressed — answer kinds)"]
        for line in report_lines(groups, REPORT_LINES):
            if sum(len(x) + 1 for x in lines) + len(line) > CONTENT_LIMIT:
                break
            lines.append(line)
        await ctx.send("\n".join(lines), ephemeral=True, allowed_mentions=NO_MENTIONS)


async def setup(bot: AnyBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Feedback(bot))
