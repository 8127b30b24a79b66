"""Discord adapters: one cog per scanner (`cogs.scanners`) and the command cogs.

Thin on purpose: the rules live in `bot/`; a cog turns a scheduled job or a slash command
into calls on the bot's services and answers in Discord.
"""
