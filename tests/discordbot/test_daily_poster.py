"""discord.py's errors become the scheduler's: which error, with which message, for each thing the poster does."""

from __future__ import annotations

from types import SimpleNamespace

import aiohttp
import discord
import pytest

from bot.daily.service import CannotCheck, ChannelGone, NoPermission, PostError, TransientPostError
from bot.discordbot.daily_poster import HISTORY, LOOKUP, POST, Meaning, post_errors


def http(cls: type[discord.HTTPException], status: int, text: str) -> discord.HTTPException:
    return cls(SimpleNamespace(status=status, reason="reason"), {"message": text, "code": 0})


def raised(meaning: Meaning, exc: BaseException) -> BaseException:
    with pytest.raises(BaseException) as info, post_errors(meaning):
        raise exc
    return info.value


@pytest.mark.parametrize(("meaning", "exc", "kind", "text"), [
    (LOOKUP, http(discord.NotFound, 404, "Unknown Channel"), ChannelGone, "the channel no longer exists"),
    (LOOKUP, http(discord.Forbidden, 403, "Missing Access"), NoPermission,
     "the bot cannot see the channel (Missing Access)"),
    (LOOKUP, http(discord.HTTPException, 503, "down"), TransientPostError, "Discord error 503 looking up the channel"),
    (LOOKUP, http(discord.HTTPException, 400, "bad"), ChannelGone, "the channel cannot be used (400 bad)"),
    (POST, http(discord.Forbidden, 403, "Missing Permissions"), NoPermission,
     "Discord refused the post: Missing Permissions"),
    (POST, http(discord.Forbidden, 403, ""), NoPermission, "Discord refused the post: 403"),
    (POST, http(discord.NotFound, 404, "Unknown Channel"), ChannelGone,
     "Discord says the channel is gone: Unknown Channel"),
    (POST, http(discord.HTTPException, 429, "slow"), TransientPostError, "Discord error 429: slow"),
    (POST, discord.RateLimited(12.0), TransientPostError, "rate limited for 12 s"),
    (HISTORY, http(discord.Forbidden, 403, "Missing Access"), CannotCheck, "cannot read the history: Missing Access"),
    (HISTORY, http(discord.NotFound, 404, "Unknown Channel"), ChannelGone, "the channel is gone: Unknown Channel"),
    (HISTORY, http(discord.HTTPException, 500, "oops"), TransientPostError, "Discord error 500: oops"),
    (HISTORY, http(discord.HTTPException, 400, "bad"), CannotCheck, "cannot read the history: 400 bad"),
    (HISTORY, aiohttp.ClientConnectionError("reset"), TransientPostError,
     "network error: ClientConnectionError('reset')"),
])
def test_each_error_becomes_the_schedulers(meaning, exc, kind, text):
    error = raised(meaning, exc)
    assert type(error) is kind and str(error) == text
    assert error.__cause__ is None and error.__suppress_context__


def test_another_refused_post_is_raised_as_it_is():
    exc = http(discord.HTTPException, 400, "Invalid Form Body")
    error = raised(POST, exc)
    assert error is exc and not isinstance(error, PostError)


def test_a_block_without_errors_runs_to_its_end():
    done = []
    with post_errors(POST):
        done.append(1)
    assert done == [1]
