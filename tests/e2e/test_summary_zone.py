"""`!summary today` on Discord shows the spotlight for "today" in the configured daily time zone."""

from __future__ import annotations


async def test_summary_uses_the_daily_time_zone(start_bot):
    running = await start_bot(daily={"timezone": "America/New_York"})
    assert running.engine.summary_zone == "America/New_York"
    assert running.engine.answer("!summary today").title.startswith("Daily spotlight")
    assert running.engine.answer("!summary full").title == running.kb.article.title
    await running.reload_knowledge()
    assert running.engine.summary_zone == "America/New_York"
