"""A fake Discord (REST + websocket gateway) on 127.0.0.1, for driving the real bot through discord.py.

Tests push gateway events (messages, slash commands, autocomplete, button presses) and read back
every REST request the bot made. Unknown routes answer 404 and are recorded in `unknown`.
The payloads the tests push are built in `tests/e2e/payloads.py`.

Standalone (for the operator check): `python -m tests.e2e.fake_discord --port 8765`, then run the bot
with `DISCORD_API_BASE=http://127.0.0.1:8765/api/v10 DISCORD_GATEWAY_URL=ws://127.0.0.1:8765/gateway/`.
The `/_fake/...` control routes (see `control_routes`) push events and list requests over HTTP.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, WSMsgType, web

from . import payloads as p

JSON = "application/json"
# The names discord.py gives the tasks that run event handlers, slash commands and button presses.
HANDLER_TASKS = ("discord.py: ", "CommandTree-invoker", "discord-ui-view-dispatch-")


@dataclass
class Request:
    """One REST call the bot made."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    files: list[tuple[str, bytes]] = field(default_factory=list)  # attachments: (file name, content)

    def as_json(self) -> dict[str, Any]:
        """The request for the control routes: attachments by name and size."""
        return {"method": self.method, "path": self.path, "query": self.query, "body": self.body,
                "files": [{"filename": name, "size": len(data)} for name, data in self.files]}

    def is_(self, method: str, path_part: str) -> bool:
        """Method matches and `path_part` is in the path."""
        return self.method == method and path_part in self.path


@dataclass
class Shard:
    """One gateway connection."""

    ws: web.WebSocketResponse
    shard_id: int = 0
    shard_count: int = 1
    seq: int = 0
    identify: dict[str, Any] = field(default_factory=dict)


def sent(r: Request) -> dict[str, Any]:
    """The message a POST carried: a channel message, an interaction reply's `data`, or a follow-up."""
    return r.body["data"] if "/callback" in r.path else r.body


_markers = itertools.count(1)


async def handled(bots: list[Any], push_marker: Callable[[str], Awaitable[object]], *, timeout: float = 5.0) -> None:
    """Return once the running bots have handled every event sent to them before a marker message.

    `push_marker(content)` sends a message with that content from another bot (which the bot ignores) after
    everything else; once each bot has dispatched it, it has read every earlier event on that connection, and
    the handlers still running (events, slash commands, button presses) are awaited: whatever they sent is
    in the fake's request log by then.
    """
    deadline = time.monotonic() + max(timeout, 0.01)
    content = f"marker {next(_markers)}"
    seen = [b.wait_for("message", check=lambda m: m.content == content, timeout=deadline - time.monotonic())
            for b in bots if not b.is_closed()]
    await push_marker(content)
    await asyncio.gather(*seen)
    me = asyncio.current_task()
    while running := [t for t in asyncio.all_tasks() if t is not me and not t.done()
                      and t.get_name().startswith(HANDLER_TASKS)]:
        if time.monotonic() > deadline:
            raise TimeoutError(f"event handlers still running: {[t.get_name() for t in running]}")
        await asyncio.wait(running, timeout=max(deadline - time.monotonic(), 0.01))


def reply(data: Any, status: int = 200) -> web.Response:
    """JSON with the exact Content-Type discord.py wants (not `; charset=utf-8`)."""
    return web.Response(status=status, body=json.dumps(data).encode(), headers={"Content-Type": JSON})


class FakeDiscord:
    """The server. `world` holds the guild, channels and users; see `payloads.World`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, intents_ok: bool = True) -> None:
        self.host, self.port = host, port
        self.intents_ok = intents_ok  # False: close the gateway with 4014 (disallowed intents)
        self.reject_token = False  # True: GET /users/@me answers 401, as for a wrong token
        self.refuse_gateway = False  # True: gateway connections are refused (503), as in an outage
        self.refused = 0  # gateway connections refused so far
        self.world = p.World()
        self.requests: list[Request] = []
        self.unknown: list[Request] = []
        self.shards: list[Shard] = []
        self.messages: dict[str, dict[str, Any]] = {}
        self.originals: dict[str, str] = {}  # interaction token -> message id
        self.commands: dict[str, list[dict[str, Any]]] = {}  # "global" or guild id -> synced commands
        self.ready = asyncio.Event()
        self.resumes = 0  # RESUME frames received: reconnections discord.py made by itself
        self.events = 0  # DISPATCH frames sent so far, on any connection
        self.bots: list[Any] = []  # the bots connected to this fake (registered by the start_bot fixture)
        self._runner: web.AppRunner | None = None
        self._ids = itertools.count(1)

    # -- life cycle ------------------------------------------------------------------------------
    @property
    def api_base(self) -> str:
        """What `discord.http.Route.BASE` must be."""
        return f"http://{self.host}:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        """What `DiscordWebSocket.DEFAULT_GATEWAY` must be."""
        return f"ws://{self.host}:{self.port}/gateway/"

    def app(self) -> web.Application:
        """The aiohttp application: gateway, control routes, then every REST route (catch-all last)."""
        app = web.Application()
        app.router.add_get("/gateway/", self.gateway)
        self.control_routes(app)
        app.router.add_route("*", "/api/v10/{tail:.*}", self.rest)
        return app

    async def start(self) -> FakeDiscord:
        """Listen on host:port (port 0: any free port)."""
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        """Close every socket and the server."""
        for shard in self.shards:
            await shard.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- gateway ---------------------------------------------------------------------------------
    async def gateway(self, request: web.Request) -> web.WebSocketResponse:
        """HELLO, then IDENTIFY -> READY + GUILD_CREATE, heartbeats ACKed (503 while `refuse_gateway`)."""
        if self.refuse_gateway:
            self.refused += 1
            raise web.HTTPServiceUnavailable()
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        shard = Shard(ws)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            op = frame.get("op")
            if op == 1:
                await ws.send_str(json.dumps({"op": 11}))
            elif op == 2:
                await self._identify(shard, frame["d"])
            elif op == 6:  # RESUME: the session's shard continues on this connection
                shard.shard_id = int(str(frame["d"].get("session_id", "session-0")).rsplit("-", 1)[-1])
                shard.identify = {"resume": frame["d"]}
                self.shards.append(shard)
                self.resumes += 1
                await self.dispatch_to(shard, "RESUMED", {})
        if shard in self.shards:
            self.shards.remove(shard)
        return ws

    async def _identify(self, shard: Shard, data: dict[str, Any]) -> None:
        shard.identify = data
        shard.shard_id, shard.shard_count = data.get("shard", [0, 1])
        if not self.intents_ok and data.get("intents", 0) & (1 << 15):
            await shard.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        self.shards.append(shard)
        w = self.world
        mine = [g for g in w.guild_ids() if (int(g) >> 22) % shard.shard_count == shard.shard_id]
        await self.dispatch_to(shard, "READY", {
            "v": 10, "user": w.bot, "session_id": f"session-{shard.shard_id}", "resume_gateway_url": self.gateway_url,
            "guilds": [{"id": g, "unavailable": True} for g in mine], "application": {"id": w.app_id, "flags": 0},
            "private_channels": [], "relationships": [], "shard": [shard.shard_id, shard.shard_count],
        })
        for g in mine:
            await self.dispatch_to(shard, "GUILD_CREATE", w.guild_payload(g))
        if len(self.shards) >= shard.shard_count or shard.shard_count == 1:
            self.ready.set()

    async def close_gateway(self, code: int, reason: str = "") -> None:
        """Close every gateway connection with a close code (4000: resumable; 4004: the token was reset)."""
        for shard in list(self.shards):
            await shard.ws.close(code=code, message=reason.encode())

    async def dispatch_to(self, shard: Shard, event: str, data: dict[str, Any]) -> None:
        """Send one DISPATCH frame on one connection."""
        shard.seq += 1
        self.events += 1
        await shard.ws.send_str(json.dumps({"op": 0, "t": event, "s": shard.seq, "d": data}))

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send an event to the shard that owns its guild (shard 0 for DMs)."""
        guild = data.get("guild_id")
        for shard in list(self.shards):
            owner = (int(guild) >> 22) % shard.shard_count if guild else 0
            if owner == shard.shard_id:
                await self.dispatch_to(shard, event, data)

    # -- pushing events --------------------------------------------------------------------------
    async def send_message(self, content: str, *, user: str = "member", channel: str = "general",
                           mentions: tuple[str, ...] = (), role_mentions: tuple[str, ...] = ()) -> dict[str, Any]:
        """A user posts a message (channel "dm" for a direct message)."""
        data = self.world.message(content, user=user, channel=channel, mentions=mentions,
                                  role_mentions=role_mentions)
        self.messages[data["id"]] = data
        await self.dispatch("MESSAGE_CREATE", data)
        return data

    async def slash(self, name: str, options: dict[str, Any] | None = None, *, user: str = "member",
                    channel: str = "general", focused: str | None = None) -> dict[str, Any]:
        """A slash command (type 2), or with `focused` an autocomplete request (type 4)."""
        data = self.world.interaction(name, options or {}, user=user, channel=channel, focused=focused)
        await self.dispatch("INTERACTION_CREATE", data)
        return data

    async def click(self, message: dict[str, Any], label: str, *, user: str = "member") -> dict[str, Any]:
        """Press the button with this label on a message the bot posted."""
        custom_id = next(c["custom_id"] for row in message.get("components", []) for c in row["components"]
                         if c.get("label") == label)
        data = self.world.component(message, custom_id, user=user)
        await self.dispatch("INTERACTION_CREATE", data)
        return data

    # -- reading what the bot did ----------------------------------------------------------------
    async def wait_for(self, check: Callable[[Request], bool], *, after: int = 0, timeout: float = 3.0) -> Request:
        """The first request (from index `after`) matching `check`, waiting up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            for r in self.requests[after:]:
                if check(r):
                    return r
            if time.monotonic() > deadline:
                seen = [f"{r.method} {r.path}" for r in self.requests[after:]]
                raise TimeoutError(f"no matching request; saw {seen}")
            await asyncio.sleep(0.005)

    async def next_post(self, *, after: int = 0, timeout: float = 3.0) -> Request:
        """The next message the bot posts: to a channel, as an interaction reply, or a follow-up."""
        return await self.wait_for(lambda r: r.method == "POST" and (
            "/messages" in r.path or "/callback" in r.path or r.path.startswith("/webhooks/")), after=after,
            timeout=timeout)

    async def quiet(self, after: int, *, timeout: float = 5.0) -> list[Request]:
        """What the bot did since `after`, once it has handled every event sent to it (to assert it did nothing).

        No wait of a fixed length decides it, so a slow machine cannot make "nothing was sent" pass early (see
        `handled`). Events sent meanwhile (the echo of a post) are settled the same way, until there are none.
        """
        assert self.bots, "quiet() needs a bot started by the start_bot fixture"
        deadline = time.monotonic() + timeout

        async def marker(content: str) -> None:
            await self.dispatch("MESSAGE_CREATE", self.world.message(content, user="otherbot", channel="general"))

        while True:
            before = self.events
            await handled(self.bots, marker, timeout=deadline - time.monotonic())
            if self.events == before + 1:  # nothing went out but the marker: nothing is left to handle
                return self.requests[after:]

    # -- REST ------------------------------------------------------------------------------------
    def _new_message(self, channel_id: str, body: dict[str, Any], **extra: Any) -> dict[str, Any]:
        msg = self.world.bot_message(channel_id, body, **extra)
        self.messages[msg["id"]] = msg
        return msg

    async def rest(self, request: web.Request) -> web.Response:
        """Record the request and answer it like Discord would."""
        files: list[tuple[str, bytes]] = []
        if request.content_type == "multipart/form-data":  # a message with attachments, as Discord takes it
            body = {}
            reader = await request.multipart()  # read in memory, part by part (no temporary files)
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader):
                    continue
                if part.name == "payload_json":
                    body = json.loads(await part.text() or "{}")
                elif (part.name or "").startswith("files["):
                    files.append((part.filename or "", bytes(await part.read())))
        else:
            raw = await request.read()
            body = json.loads(raw) if raw and request.content_type == JSON else (raw.decode() if raw else None)
        path = "/" + request.match_info["tail"]
        rec = Request(request.method, path, dict(request.query), body, files)
        self.requests.append(rec)
        result = await self.route(rec)
        if result is None:
            self.unknown.append(rec)
            return reply({"message": "404: Not Found", "code": 0}, 404)
        if isinstance(result, web.Response):
            return result
        return reply(result)

    async def route(self, r: Request) -> Any:
        """The reply for one request, or None for an unknown route."""
        w, parts = self.world, r.path.strip("/").split("/")
        if r.method == "GET" and r.path == "/users/@me":
            if self.reject_token:
                return reply({"message": "401: Unauthorized", "code": 0}, 401)
            return w.bot
        if r.method == "GET" and r.path == "/oauth2/applications/@me":
            return w.application()
        if r.method == "GET" and r.path in ("/gateway", "/gateway/bot"):
            return {"url": f"ws://{self.host}:{self.port}/gateway", "shards": 1,
                    "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}}
        if parts[0] == "channels" and len(parts) >= 3 and parts[2] == "messages":
            return await self._channel_messages(r, parts)
        if parts[0] == "channels" and len(parts) == 3 and parts[2] == "typing":
            return web.Response(status=204)
        if parts[0] == "interactions" and len(parts) == 4 and parts[3] == "callback":
            return await self._callback(r, parts[1], parts[2])
        if parts[0] == "webhooks" and len(parts) >= 3:
            return self._webhook(r, parts)
        if parts[0] == "applications" and r.method == "PUT" and parts[-1] == "commands":
            scope = parts[3] if len(parts) == 5 else "global"
            synced = [{**c, "id": p.snowflake(), "application_id": w.app_id, "version": p.snowflake(),
                       **({"guild_id": scope} if scope != "global" else {})} for c in r.body]
            self.commands[scope] = synced
            return synced
        return None

    async def _channel_messages(self, r: Request, parts: list[str]) -> Any:
        channel_id = parts[1]
        if r.method == "POST" and len(parts) == 3:
            msg = self._new_message(channel_id, r.body)
            await self.dispatch("MESSAGE_CREATE", msg)  # Discord echoes the bot's own posts
            return msg
        if r.method == "PATCH" and len(parts) == 4 and parts[3] in self.messages:
            self.messages[parts[3]].update({k: v for k, v in r.body.items() if k != "allowed_mentions"})
            return self.messages[parts[3]]
        if r.method == "GET" and len(parts) == 4 and parts[3] in self.messages:
            return self.messages[parts[3]]
        return None

    async def _callback(self, r: Request, interaction_id: str, token: str) -> Any:
        kind, data = r.body["type"], r.body.get("data") or {}
        info: dict[str, Any] = {"id": interaction_id, "type": 2}
        if kind in (4, 5):  # a new message (5: "thinking", the follow-up comes later)
            channel_id = self.world.interaction_channel.get(token, self.world.channels["general"]["id"])
            msg = self._new_message(channel_id, data, interaction_token=token)
            self.originals[token] = msg["id"]
            info.update(response_message_id=msg["id"], response_message_loading=kind == 5,
                        response_message_ephemeral=bool(data.get("flags", 0) & 64))
            return {"interaction": info, "resource": {"type": kind, "message": msg}}
        if kind == 6 and (msg_id := self.world.component_message.get(token)):  # deferred update: the button's
            self.originals[token] = msg_id  # message is the original, edited later through the webhook
            return {"interaction": info}
        if kind == 7:  # update the message the button is on
            msg_id = self.world.component_message.get(token)
            msg = self.messages.get(msg_id or "", {})
            msg.update({k: v for k, v in data.items() if k != "allowed_mentions"})
            return {"interaction": info, "resource": {"type": 7, "message": msg}}
        return {"interaction": info}

    def _webhook(self, r: Request, parts: list[str]) -> Any:
        token = parts[2]
        if r.method == "POST" and len(parts) == 3:
            channel_id = self.world.interaction_channel.get(token, self.world.channels["general"]["id"])
            return self._new_message(channel_id, r.body, interaction_token=token)
        if len(parts) == 5 and parts[3] == "messages":
            msg_id = self.originals.get(token) if parts[4] == "@original" else parts[4]
            if msg_id not in self.messages:
                return None
            if r.method == "PATCH":
                self.messages[msg_id].update({k: v for k, v in r.body.items() if k != "allowed_mentions"})
            return self.messages[msg_id]
        return None

    # -- control routes, for a fake run as its own process -----------------------------------------
    def control_routes(self, app: web.Application) -> None:
        """POST /_fake/message|slash|autocomplete|click push events; GET /_fake/requests lists requests."""

        async def push(request: web.Request) -> web.Response:
            what = request.match_info["what"]
            args = await request.json()
            after = len(self.requests)
            if what == "message":
                await self.send_message(args["content"], user=args.get("user", "member"),
                                        channel=args.get("channel", "general"),
                                        mentions=tuple(args.get("mentions", ())))
            elif what in ("slash", "autocomplete"):
                await self.slash(args["name"], args.get("options"), user=args.get("user", "member"),
                                 channel=args.get("channel", "general"), focused=args.get("focused"))
            elif what == "click":
                await self.click(self.messages[args["message_id"]], args["label"], user=args.get("user", "member"))
            else:
                return reply({"error": f"unknown event {what}"}, 400)
            with contextlib.suppress(TimeoutError):
                await self.wait_for(lambda r: r.method in ("POST", "PUT", "PATCH"), after=after,
                                    timeout=float(args.get("timeout", 5)))
            await asyncio.sleep(0.1)
            return reply([r.as_json() for r in self.requests[after:]])

        async def listing(request: web.Request) -> web.Response:
            return reply({"ready": self.ready.is_set(), "requests": [r.as_json() for r in self.requests],
                          "unknown": [r.as_json() for r in self.unknown]})

        app.router.add_post("/_fake/{what}", push)
        app.router.add_get("/_fake/requests", listing)


def main(fake_class: type[FakeDiscord] = FakeDiscord) -> None:
    """Run the fake (or a subclass of it) until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    async def run() -> None:
        fake = await fake_class(args.host, args.port).start()
        print(f"DISCORD_API_BASE={fake.api_base} DISCORD_GATEWAY_URL={fake.gateway_url}", flush=True)
        await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


if __name__ == "__main__":
    main()
