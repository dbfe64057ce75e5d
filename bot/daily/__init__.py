"""Daily summaries: a spotlight a day, posted exactly once per channel and local day.

Pure parts (no discord import): `schedule` (when), `settings` (the `daily:` part of the config), `store`
(SQLite settings and post history), `service` (the one scheduler loop and the claim/send/confirm protocol).
What to post is `bot.engine.spotlight`; `python -m bot summary` is `bot.summarycli`; the Discord cog is
`bot.discordbot.cogs.daily`.
"""
