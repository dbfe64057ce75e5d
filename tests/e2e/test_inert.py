"""Echoed user text cannot link or reorder text, in embeds and in plain-text answers alike."""

from __future__ import annotations

import json
import re

from .fake_discord import sent

BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
LINK = re.compile(r"\]\(|https?://(?!\u200b)|<https?:", re.IGNORECASE)
HOSTILE = "[Official Thailand](https://evil.example/login) \u202eon\u202c <https://evil.example>"


async def test_masked_links_and_bidi_controls_in_a_command_come_back_inert(bot, fake):
    for channel in ("general", "noembed"):
        for line in (f"!country {HOSTILE}", f"!contry {HOSTILE}", f"!quote {HOSTILE}"):
            n = len(fake.requests)
            await fake.send_message(line, channel=channel)
            shown = json.dumps(sent(await fake.next_post(after=n)), ensure_ascii=False)
            assert "evil" in shown  # the text is echoed ...
            assert not LINK.search(shown), shown  # ... but never as a link
            assert not BIDI.search(shown), shown

