"""Admin commands: refused to non-admins, `!reload` with a broken file, the slash-command sync payload."""

from __future__ import annotations

import shutil

import pytest

from bot.engine.specs import SPECS
from bot.kb.loader import load_knowledge

from .fake_discord import sent


@pytest.fixture
def knowledge_copy(tmp_path, kb):
    root = tmp_path / "knowledge"
    shutil.copytree(kb.root, root)
    return load_knowledge(root)


async def test_admin_commands_are_refused_politely_to_non_admins(bot, fake):
    for content in ("!reload", "!sync"):  # a second refusal of one command in a cooldown window is dropped
        n = len(fake.requests)
        await fake.send_message(content, user="member")
        msg = sent(await fake.next_post(after=n))
        assert msg["content"] == f"Sorry, `{content.split()[0]}` is only for server managers and the bot's owners."
    n = len(fake.requests)
    await fake.slash("reload", user="member")
    post = await fake.next_post(after=n)
    assert "only for server managers" in post.body["data"]["content"] and post.body["data"]["flags"] & 64
    assert not any(r.method == "PUT" for r in fake.requests)


async def test_reload_with_a_broken_file_keeps_the_old_knowledge(start_bot, fake, knowledge_copy):
    bot = await start_bot(knowledge=knowledge_copy)
    old = bot.kb
    (knowledge_copy.root / "countries.yaml").write_text("countries:\n  - id: [broken\n", encoding="utf-8")
    n = len(fake.requests)
    await fake.send_message("!reload", user="admin")
    msg = sent(await fake.next_post(after=n))
    assert msg["content"].startswith("Reload failed, still serving the previous knowledge base: countries.yaml")
    assert str(knowledge_copy.root) not in msg["content"] and "/" not in msg["content"].split(":", 1)[1]
    assert bot.kb is old
    n = len(fake.requests)
    await fake.send_message("!country Vietnam")
    assert "Vietnam" in sent(await fake.next_post(after=n))["embeds"][0]["title"]


async def test_a_failed_slash_reload_is_private_and_names_no_server_path(start_bot, fake, knowledge_copy):
    await start_bot(knowledge=knowledge_copy)
    (knowledge_copy.root / "people.yaml").unlink()
    n = len(fake.requests)
    await fake.slash("reload", user="admin")
    data = sent(await fake.next_post(after=n))
    assert data["flags"] & 64, "the error went to the whole channel"
    assert data["content"].startswith("Reload failed, still serving the previous knowledge base: ")
    assert "people.yaml" in data["content"] and str(knowledge_copy.root) not in data["content"]


async def test_reload_picks_up_a_fixed_file(start_bot, fake, knowledge_copy):
    bot = await start_bot(knowledge=knowledge_copy, owners=[int(fake.world.users["member"]["id"])])
    people = knowledge_copy.root / "people.yaml"
    people.write_text(people.read_text(encoding="utf-8").replace("name: Nguyen Vu Tu", "name: Nguyen V. Tu"),
                      encoding="utf-8")
    n = len(fake.requests)
    await fake.send_message("!reload", user="member")  # a configured owner, without Manage Server
    msg = sent(await fake.next_post(after=n))
    assert msg["content"].startswith("Reloaded the knowledge base: 10 member states")
    n = len(fake.requests)
    await fake.slash("country", {"country": "Vietnam"})
    assert "Nguyen V. Tu" in str(sent(await fake.next_post(after=n))["embeds"])
    assert bot.kb is not knowledge_copy


async def test_sync_payload_lists_every_command_with_its_options(bot, fake):
    n = len(fake.requests)
    await fake.send_message("!sync", user="admin")
    put = await fake.wait_for(lambda r: r.method == "PUT", after=n)
    assert put.path == f"/applications/{fake.world.app_id}/guilds/{fake.world.guild_id}/commands"
    commands = {c["name"]: c for c in put.body}
    assert set(commands) == {s.name for s in SPECS} | {"reload", "sync", "daily", "feedback"}
    for spec in SPECS:
        cmd = commands[spec.name]
        assert cmd["type"] == 1 and cmd["description"]
        assert len(cmd["description"]) <= 100
        options = cmd.get("options", [])
        if spec.arg is None:
            assert options == []
            continue
        (option,) = options
        assert option["type"] == 3 and option["required"] == spec.required and option["description"]
        assert option.get("autocomplete", False) == (spec.arg in {"country", "person", "country_or_person", "quote"}
                                          or spec.name == "help")
    assert commands["country"]["options"][0]["name"] == "country"
    assert int(commands["reload"]["default_member_permissions"]) == 1 << 5
    assert [c["value"] for c in commands["sync"]["options"][0]["choices"]] == ["guild", "global"]
    msg = sent(await fake.next_post(after=n))
    assert msg["content"].startswith(f"Synced {len(put.body)} slash commands to server {fake.world.guild_id}")


async def test_sync_global_and_the_configured_guild(start_bot, fake):
    await start_bot(sync_guild=1234)
    n = len(fake.requests)
    await fake.slash("sync", {"scope": "global"}, user="admin")
    put = await fake.wait_for(lambda r: r.method == "PUT", after=n)
    assert put.path == f"/applications/{fake.world.app_id}/commands"
    n = len(fake.requests)
    await fake.send_message("!sync", user="admin")
    put = await fake.wait_for(lambda r: r.method == "PUT", after=n)
    assert put.path == f"/applications/{fake.world.app_id}/guilds/1234/commands"


async def test_sync_on_start(start_bot, fake):
    await start_bot(sync_on_start=True)
    put = await fake.wait_for(lambda r: r.method == "PUT")
    assert put.path == f"/applications/{fake.world.app_id}/commands"
    assert len(put.body) == len(SPECS) + 4  # + reload, sync, daily, feedback
