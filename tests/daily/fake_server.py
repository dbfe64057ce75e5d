"""The e2e fake Discord plus what the daily posts need: channel lookup, message history, a kill switch.

- `GET /channels/{id}`: the channel, or 404 "Unknown Channel" (code 10003) for one not in the guild.
- `GET /channels/{id}/messages?after=&limit=`: history, newest first, as Discord returns it.
- A channel named in `missing` acts deleted: posting there answers 404 Unknown Channel.
- `kill_on_post = PID`: SIGKILL that process the moment a daily post is created, before answering,
  so the bot dies between Discord accepting the message and the bot recording it.

Standalone for the operator check: `python -m tests.daily.fake_server --port 8765`;
`GET /_fake/world` lists channel ids, `POST /_fake/kill_on_post {"pid": N}` arms the kill switch,
`GET /_fake/daily_posts` lists the daily posts per channel.
"""

from __future__ import annotations

import os
import signal
from typing import Any

from aiohttp import web

from tests.e2e import fake_discord
from tests.e2e.fake_discord import FakeDiscord, Request, reply

MARKER = "Daily spotlight · "


def is_daily_post(msg: dict[str, Any]) -> bool:
    """A message carrying the daily marker (embed footer or text)."""
    footers = [(e.get("footer") or {}).get("text", "") for e in msg.get("embeds") or []]
    return any(MARKER in f for f in footers) or MARKER in (msg.get("content") or "")


class DailyFakeDiscord(FakeDiscord):
    """FakeDiscord with channel lookup, history and the kill switch."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kill_on_post: int | None = None
        self.missing: set[str] = set()  # channel ids that answer 404 Unknown Channel

    def channel_name(self, channel_id: str) -> str | None:
        """The world's name for a channel id."""
        return next((n for n, c in self.world.channels.items() if c["id"] == channel_id), None)

    def daily_posts(self, channel_id: str | None = None) -> list[dict[str, Any]]:
        """Daily posts the bot made, oldest first."""
        return [m for m in self.messages.values() if m.get("author", {}).get("id") == self.world.app_id
                and is_daily_post(m) and (channel_id is None or m["channel_id"] == channel_id)]

    async def route(self, r: Request) -> Any:
        """Add the channel and history routes, and the kill switch, to the base routes."""
        parts = r.path.strip("/").split("/")
        if parts[0] == "channels" and len(parts) >= 2:
            name = self.channel_name(parts[1])
            unknown = reply({"message": "Unknown Channel", "code": 10003}, 404)
            if parts[1] in self.missing or (name is None and parts[1] != self.world.dm_channel):
                return unknown
            if r.method == "GET" and len(parts) == 2:
                return self.world.channel(name) if name else unknown
            if r.method == "GET" and len(parts) == 3 and parts[2] == "messages":
                return self._history(parts[1], r.query)
            if r.method == "POST" and len(parts) == 3 and parts[2] == "messages" and self.kill_on_post:
                result = await super().route(r)
                if is_daily_post(result):
                    os.kill(self.kill_on_post, signal.SIGKILL)
                    self.kill_on_post = None
                return result
        return await super().route(r)

    def _history(self, channel_id: str, query: dict[str, str]) -> list[dict[str, Any]]:
        after = int(query.get("after", 0))
        limit = int(query.get("limit", 50))
        found = [m for m in self.messages.values() if m.get("channel_id") == channel_id and int(m["id"]) > after]
        found.sort(key=lambda m: int(m["id"]))
        return list(reversed(found[:limit]))

    def control_routes(self, app: web.Application) -> None:
        """The base control routes plus world, kill_on_post and daily_posts."""

        async def world(request: web.Request) -> web.Response:
            w = self.world
            return reply({"guild": w.guild_id, "channels": {n: c["id"] for n, c in w.channels.items()},
                          "users": {n: u["id"] for n, u in w.users.items()}})

        async def arm(request: web.Request) -> web.Response:
            self.kill_on_post = int((await request.json())["pid"])
            return reply({"armed": self.kill_on_post})

        async def posts(request: web.Request) -> web.Response:
            return reply([{"id": m["id"], "channel": self.channel_name(m["channel_id"]), "at": m["timestamp"],
                           "footer": [(e.get("footer") or {}).get("text") for e in m.get("embeds") or []]}
                          for m in self.daily_posts()])

        app.router.add_get("/_fake/world", world)
        app.router.add_post("/_fake/kill_on_post", arm)
        app.router.add_get("/_fake/daily_posts", posts)
        super().control_routes(app)


def main() -> None:
    """Run the daily fake until interrupted."""
    fake_discord.main(DailyFakeDiscord)


if __name__ == "__main__":
    main()
