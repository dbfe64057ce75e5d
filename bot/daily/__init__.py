"""Daily summaries: a spotlight a day, posted exactly once per channel and local day.

Pure parts (no discord import): `spotlight` (what to post), `schedule` (when), `store` (SQLite
settings and post history), `service` (the one scheduler loop and the claim/send/confirm protocol),
`cli` (`python -m bot summary`). The Discord cog is `bot.discordbot.cogs.daily`.
"""
