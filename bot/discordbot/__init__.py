"""The Discord front end. Only modules under this package import discord.py."""
