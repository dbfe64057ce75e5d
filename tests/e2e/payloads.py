"""Discord payloads for the fake server: one guild, a few channels and users, messages and interactions."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1420070400000
_counter = itertools.count()

VIEW, SEND, EMBED, HISTORY, APP_COMMANDS = 1 << 10, 1 << 11, 1 << 14, 1 << 16, 1 << 31
MANAGE_GUILD, ADD_REACTIONS, ATTACH = 1 << 5, 1 << 6, 1 << 15
EVERYONE_PERMS = VIEW | SEND | EMBED | HISTORY | APP_COMMANDS | ADD_REACTIONS | ATTACH
MESSAGE_CONTENT_INTENT = 1 << 15


def snowflake() -> str:
    """A fresh, time-based id (an old id makes interactions look expired)."""
    ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
    return str((ms << 22) | (next(_counter) % (1 << 22)))


def now() -> str:
    """ISO timestamp, as Discord sends it."""
    return datetime.now(UTC).isoformat()


def user(uid: str, name: str, bot: bool = False) -> dict[str, Any]:
    """A user object."""
    return {"id": uid, "username": name, "discriminator": "0", "global_name": name, "avatar": None,
            "bot": bot, "public_flags": 0, "flags": 0}


class World:
    """The guild "Roundtable Test" with users bot, member, admin and owner, and channels
    general, ask (an ask channel in tests), noembed (bot lacks Embed Links), nohistory (bot lacks
    Read Message History, so it may not reply with a quote) and dm. `add_guild` adds more guilds with the same
    members and roles and text channels of their own (a guild belongs to shard `(id >> 22) % shard_count`)."""

    def __init__(self) -> None:
        self.app_id = snowflake()
        self.bot = user(self.app_id, "RoundtableBot", bot=True)
        self.guild_id = snowflake()
        self.users = {name: user(snowflake(), name) for name in ("member", "admin", "owner")}
        self.users["otherbot"] = user(snowflake(), "otherbot", bot=True)
        self.bot_role = snowflake()
        self.admin_role = snowflake()
        self.roles = {
            self.guild_id: {"name": "@everyone", "permissions": str(EVERYONE_PERMS)},
            self.bot_role: {"name": "RoundtableBot", "permissions": str(EVERYONE_PERMS),
                            "managed": True, "tags": {"bot_id": self.app_id}},
            self.admin_role: {"name": "Admins", "permissions": str(EVERYONE_PERMS | MANAGE_GUILD)},
        }
        self.member_roles = {"member": [], "admin": [self.admin_role], "owner": [], "otherbot": [],
                             "bot": [self.bot_role]}
        self.channels = {name: {"id": snowflake(), "name": name} for name in ("general", "ask", "noembed", "nohistory")}
        self.deny = {"noembed": EMBED, "nohistory": HISTORY}  # bot member overwrite per channel
        self.dm_channel = snowflake()
        self.interaction_channel: dict[str, str] = {}  # token -> channel id
        self.component_message: dict[str, str] = {}  # token -> message id
        self.more_guilds: list[str] = []  # guilds besides guild_id (add_guild)
        self.guild_of: dict[str, str] = {}  # channel name -> its guild, for the channels of add_guild's guilds

    def add_guild(self, *channels: str, guild_id: str | None = None) -> str:
        """Another guild the bot is in, with text channels of these names; returns the guild's id."""
        gid = guild_id or snowflake()
        self.more_guilds.append(gid)
        for name in channels:
            if name in self.channels:  # channels are looked up by name: a second "general" would replace the first
                raise ValueError(f"a channel named {name!r} exists already")
            self.channels[name] = {"id": snowflake(), "name": name}
            self.guild_of[name] = gid
        return gid

    def guild_ids(self) -> list[str]:
        """Every guild the bot is in."""
        return [self.guild_id, *self.more_guilds]

    def guild_of_channel(self, channel_id: str) -> str:
        """The guild a channel id belongs to (the first guild for an unknown id)."""
        name = next((n for n, c in self.channels.items() if c["id"] == channel_id), None)
        return self.guild_of.get(name or "", self.guild_id)

    def application(self) -> dict[str, Any]:
        """GET /oauth2/applications/@me."""
        return {"id": self.app_id, "name": "RoundtableBot", "description": "", "icon": None, "bot_public": True,
                "bot_require_code_grant": False, "verify_key": "0" * 64, "owner": self.users["owner"],
                "flags": 0, "interactions_endpoint_url": None, "rpc_origins": [], "team": None}

    def member(self, name: str) -> dict[str, Any]:
        """A guild member object (with its user)."""
        u = self.bot if name == "bot" else self.users[name]
        return {"user": u, "roles": self.member_roles[name], "joined_at": now(), "deaf": False, "mute": False,
                "flags": 0, "nick": None, "avatar": None, "premium_since": None, "pending": False,
                "communication_disabled_until": None}

    def channel(self, name: str) -> dict[str, Any]:
        """A guild text channel object."""
        c = self.channels[name]
        overwrites = []
        if name in self.deny:
            overwrites.append({"id": self.app_id, "type": 1, "allow": "0", "deny": str(self.deny[name])})
        return {"id": c["id"], "type": 0, "guild_id": self.guild_of.get(name, self.guild_id), "name": name,
                "position": 0, "permission_overwrites": overwrites, "nsfw": False, "parent_id": None, "topic": None,
                "last_message_id": None, "rate_limit_per_user": 0}

    def guild_payload(self, guild_id: str | None = None) -> dict[str, Any]:
        """A full GUILD_CREATE (of the first guild, or of one `add_guild` added)."""
        gid = guild_id or self.guild_id
        members = [self.member(n) for n in ("bot", "member", "admin", "owner")]
        roles = [{"id": gid if rid == self.guild_id else rid, "color": 0, "hoist": False, "position": i,
                  "managed": False, "mentionable": True, "icon": None, "unicode_emoji": None, "flags": 0, **r}
                 for i, (rid, r) in enumerate(self.roles.items())]  # @everyone's id is the guild's
        name = "Roundtable Test" if gid == self.guild_id else f"Guild {gid}"
        channels = [self.channel(n) for n in self.channels if self.guild_of.get(n, self.guild_id) == gid]
        return {
            "id": gid, "name": name, "owner_id": self.users["owner"]["id"], "roles": roles,
            "channels": channels, "members": members, "member_count": len(members),
            "features": [], "emojis": [], "stickers": [], "threads": [], "stage_instances": [],
            "guild_scheduled_events": [], "presences": [], "voice_states": [], "large": False, "unavailable": False,
            "joined_at": now(), "icon": None, "splash": None, "discovery_splash": None, "afk_channel_id": None,
            "afk_timeout": 300, "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "mfa_level": 0, "system_channel_id": None, "system_channel_flags": 0,
            "rules_channel_id": None, "vanity_url_code": None, "description": None, "banner": None,
            "premium_tier": 0, "preferred_locale": "en-US", "public_updates_channel_id": None, "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
        }

    def permissions(self, name: str, channel: str) -> int:
        """Effective permissions of a member (or "bot") in a channel."""
        perms = 0
        for rid in [self.guild_id, *self.member_roles[name]]:
            perms |= int(self.roles[rid]["permissions"])
        if name == "bot":
            perms &= ~self.deny.get(channel, 0)
        return perms

    def message(self, content: str, *, user: str, channel: str, mentions: tuple[str, ...] = (),
                role_mentions: tuple[str, ...] = ()) -> dict[str, Any]:
        """MESSAGE_CREATE from a user; channel "dm" for a direct message."""
        author = self.users[user]
        mentioned = [self.bot if m == "bot" else self.users[m] for m in mentions]
        data: dict[str, Any] = {
            "id": snowflake(), "author": author, "content": content, "timestamp": now(), "edited_timestamp": None,
            "tts": False, "mention_everyone": "@everyone" in content, "mention_roles": list(role_mentions),
            "attachments": [], "embeds": [], "pinned": False, "type": 0, "flags": 0, "components": [],
        }
        if channel == "dm":
            data.update(channel_id=self.dm_channel, mentions=mentioned)
        else:
            data.update(channel_id=self.channels[channel]["id"], guild_id=self.guild_of.get(channel, self.guild_id),
                        member={k: v for k, v in self.member(user).items() if k != "user"},
                        mentions=[{**m, "member": {k: v for k, v in self.member(
                            "bot" if m is self.bot else m["username"]).items() if k != "user"}} for m in mentioned])
        return data

    def bot_message(self, channel_id: str, body: dict[str, Any], **extra: Any) -> dict[str, Any]:
        """What Discord returns (and echoes) for a message the bot posts."""
        body = body or {}
        msg = {
            "id": snowflake(), "channel_id": channel_id, "author": self.bot, "content": body.get("content") or "",
            "timestamp": now(), "edited_timestamp": None, "tts": False, "mention_everyone": False, "mentions": [],
            "mention_roles": [], "attachments": [], "embeds": body.get("embeds") or [], "pinned": False,
            "type": 19 if body.get("message_reference") else 0, "flags": body.get("flags", 0),
            "components": body.get("components") or [], "sent": body, **extra,
        }
        if channel_id != self.dm_channel:
            msg["guild_id"] = self.guild_of_channel(channel_id)
        if body.get("message_reference"):
            msg["message_reference"] = body["message_reference"]
        return msg

    def _interaction(self, kind: int, user: str, channel: str, data: dict[str, Any]) -> dict[str, Any]:
        token = f"token-{snowflake()}"
        payload: dict[str, Any] = {
            "id": snowflake(), "application_id": self.app_id, "type": kind, "token": token, "version": 1,
            "locale": "en-US", "entitlements": [], "attachment_size_limit": 26214400, "data": data,
        }
        if channel == "dm":
            payload.update(channel_id=self.dm_channel, channel={"id": self.dm_channel, "type": 1},
                           user=self.users[user], context=1, app_permissions=str(EVERYONE_PERMS),
                           authorizing_integration_owners={"1": self.app_id})
        else:
            ch = self.channel(channel)
            payload.update(channel_id=ch["id"], channel=ch, guild_id=ch["guild_id"], guild_locale="en-US",
                           member={**self.member(user), "permissions": str(self.permissions(user, channel))},
                           app_permissions=str(self.permissions("bot", channel)), context=0,
                           authorizing_integration_owners={"0": ch["guild_id"]})
        self.interaction_channel[token] = payload["channel_id"]
        return payload

    def interaction(self, name: str, options: dict[str, Any], *, user: str, channel: str,
                    focused: str | None = None) -> dict[str, Any]:
        """A slash command, or (with `focused`) an autocomplete request for that option."""
        opts = [{"name": k, "type": 3, "value": v, **({"focused": True} if k == focused else {})}
                for k, v in options.items()]
        data = {"id": snowflake(), "name": name, "type": 1, "options": opts}
        return self._interaction(4 if focused else 2, user, channel, data)

    def component(self, message: dict[str, Any], custom_id: str, *, user: str) -> dict[str, Any]:
        """A button press on a message."""
        channel = next((n for n, c in self.channels.items() if c["id"] == message["channel_id"]), "dm")
        payload = self._interaction(3, user, channel, {"custom_id": custom_id, "component_type": 2})
        payload["message"] = message
        self.component_message[payload["token"]] = message["id"]
        return payload
