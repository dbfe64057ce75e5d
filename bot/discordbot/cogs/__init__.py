"""One cog per feature area, loaded by `bot.discordbot.app.EXTENSIONS`."""
