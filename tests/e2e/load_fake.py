"""The e2e fake Discord in a process of its own, for the load test (its work must not count as the bot's).

Adds to the base control routes:
- `GET /_fake/world`: the guild, channel and user ids;
- `POST /_fake/burst {"channel": NAME, "messages": [[content, user], ...]}`: every message pushed to the
  gateway back to back, without waiting for any answer (unknown users join the guild); answers the ids;
- `GET /_fake/replies?channel=ID`: how many messages the bot has posted there so far.

Run: `python -m tests.e2e.load_fake --port 0` prints the API base and gateway URL on its first line.
"""

from __future__ import annotations

from aiohttp import web

from tests.e2e import fake_discord
from tests.e2e import payloads as p
from tests.e2e.fake_discord import FakeDiscord, reply


class LoadFakeDiscord(FakeDiscord):
    """FakeDiscord with the world, burst and replies routes."""

    def control_routes(self, app: web.Application) -> None:
        """World, burst and replies, then the base control routes."""

        async def world(request: web.Request) -> web.Response:
            w = self.world
            return reply({"app": w.app_id, "channels": {n: c["id"] for n, c in w.channels.items()}})

        async def burst(request: web.Request) -> web.Response:
            args = await request.json()
            for _, user in args["messages"]:
                if user not in self.world.users:
                    self.world.users[user] = p.user(p.snowflake(), user)
                    self.world.member_roles[user] = []
            sent = [await self.send_message(content, user=user, channel=args["channel"])
                    for content, user in args["messages"]]
            return reply([m["id"] for m in sent])

        async def replies(request: web.Request) -> web.Response:
            path = f"/channels/{request.query['channel']}/messages"
            return reply(sum(1 for r in self.requests if r.method == "POST" and r.path == path))

        app.router.add_get("/_fake/world", world)
        app.router.add_post("/_fake/burst", burst)
        app.router.add_get("/_fake/replies", replies)
        super().control_routes(app)


if __name__ == "__main__":
    fake_discord.main(LoadFakeDiscord)
