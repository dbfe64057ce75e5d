"""Free-form questions: when the bot is mentioned, in DMs, and in the configured ask channels."""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.discordbot.addressing import is_command, question_text
from bot.discordbot.app import AnyBot
from bot.discordbot.cogs.errors import apologise
from bot.discordbot.respond import answer_in_conversation, refused, send_note

log = logging.getLogger(__name__)

GREETING = "{prompt}, or try `{prefix}help`."  # the prompt is the knowledge base's (profile.yaml)


class Questions(commands.Cog):
    """Answers messages that are questions rather than commands, replying to the message.

    Each answer continues the asker's conversation in that channel, or the one of the answer replied to.
    """

    def __init__(self, bot: AnyBot) -> None:
        self.bot = bot

    def _addressed(self, message: discord.Message) -> bool:
        """True when the bot is mentioned, by its user or its own role."""
        me = self.bot.user
        if me is not None and any(u.id == me.id for u in message.mentions):
            return True
        role = message.guild.self_role if message.guild is not None else None
        return role is not None and role in message.role_mentions

    def question_text(self, message: discord.Message) -> str:
        """The message without mentions (of the bot, anyone, @everyone): they are not part of the question."""
        return question_text(message.content)

    def wants_answer(self, message: discord.Message) -> bool:
        """Whether this message is a question for the bot (and not a command, nor from a bot)."""
        if message.author.bot or message.webhook_id is not None:
            return False
        settings = self.bot.settings
        if is_command(self.bot, message, settings.prefix):
            # A command (`!country`, `@Bot country`, `@Bot !sync`): the commands extension answers it, even when
            # the bot is mentioned too (a reply to the bot mentions it without the mention in the text).
            return False
        addressed = self._addressed(message)
        if message.guild is None:
            return settings.answer_dms
        if addressed:
            return settings.answer_mentions
        return message.channel.id in settings.ask_channels

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Answer a question, replying to (and so referencing) the user's message."""
        if not self.wants_answer(message):
            return
        settings = self.bot.settings
        text = self.question_text(message)
        if not text:  # a bare mention or DM gets a hint; an image posted in an ask channel gets nothing
            if message.guild is None or self._addressed(message):
                prompt = self.bot.engine.kb.profile.prompt
                await send_note(message, GREETING.format(prompt=prompt, prefix=settings.prefix))
            return
        if await refused(self.bot, message, text, "That question"):
            return
        log.debug("question from %s in %s: %r", message.author.id, message.channel.id, text)
        try:
            await answer_in_conversation(self.bot, message, lambda context: self.bot.answer_line(text, context), text)
        except Exception:
            await apologise(message, "failed to answer message %s: %r", message.id, text)


async def setup(bot: AnyBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Questions(bot))
