"""Slash-command inputs, checked before a command runs: each refusal says what was wrong.

Discord's client enforces choices and ranges only for people using it as intended; these
checks run on ORAKL's side too, so a hand-made request cannot store a value out of range.
"""

from __future__ import annotations

import re
from typing import Any

import discord
from discord import app_commands

from bot.alerts import Scanner
from bot.alerts.text import money
from bot.delivery.channels import missing_permissions
from bot.delivery.filters import MAX_THRESHOLD, MIN_THRESHOLD
from bot.symbols import InvalidSymbol, normalize_symbol
from cogs.common.amounts import AmountError, parse_amount
from cogs.common.errors import BadInput

ALL_SCANNERS = "all"
AUTOCOMPLETE_LIMIT = 25  # Discord shows at most 25 suggestions
MAX_TICKERS_PER_COMMAND = 25
TICKER_SEPARATORS = re.compile(r"[\s,]+")


class StringOption(app_commands.Transformer):
    """An option typed as text, turned into something better by `transform`."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string


class PremiumAmount(StringOption):
    """A dollar threshold between $1K and $100M: 50000, 50k or $1.5M."""

    async def transform(self, interaction: discord.Interaction, value: str) -> float:
        try:
            amount = parse_amount(value)
        except AmountError as error:
            raise BadInput(str(error)) from None
        if amount < MIN_THRESHOLD:
            raise BadInput(f"{money(amount)} is below the {money(MIN_THRESHOLD)} minimum.")
        if amount > MAX_THRESHOLD:
            raise BadInput(f"{money(amount)} is above the {money(MAX_THRESHOLD)} maximum.")
        return amount


class BoundedInteger(app_commands.Transformer):
    def __init__(self, low: int, high: int, what: str) -> None:
        self.low, self.high, self.what = low, high, what

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.integer

    @property
    def min_value(self) -> int:
        return self.low

    @property
    def max_value(self) -> int:
        return self.high

    async def transform(self, interaction: discord.Interaction, value: int) -> int:
        if not self.low <= value <= self.high:
            raise BadInput(f"{self.what} must be between {self.low} and {self.high}; got {value}.")
        return value


def watched_symbols(interaction: discord.Interaction) -> list[str]:
    services = getattr(interaction.client, "services", None)
    return [] if services is None else [watched.symbol for watched in services.watchlist]


class Ticker(StringOption):
    """One US symbol, upper-cased; suggestions come from the watchlist."""

    async def transform(self, interaction: discord.Interaction, value: str) -> str:
        return checked_symbol(value)

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction, value: str
    ) -> list[app_commands.Choice[str]]:
        typed = value.strip().upper()
        matches = [symbol for symbol in watched_symbols(interaction) if symbol.startswith(typed)]
        return [app_commands.Choice(name=symbol, value=symbol) for symbol in matches[:AUTOCOMPLETE_LIMIT]]


class TickerList(StringOption):
    """Symbols separated by spaces or commas: "SPY QQQ, NVDA"."""

    async def transform(self, interaction: discord.Interaction, value: str) -> list[str]:
        typed = [part for part in TICKER_SEPARATORS.split(value.strip()) if part]
        if not typed:
            raise BadInput("Give at least one ticker, like `SPY QQQ`.")
        if len(typed) > MAX_TICKERS_PER_COMMAND:
            raise BadInput(f"At most {MAX_TICKERS_PER_COMMAND} tickers at a time; got {len(typed)}.")
        return list(dict.fromkeys(checked_symbol(part) for part in typed))


def checked_symbol(text: str) -> str:
    try:
        return normalize_symbol(text)
    except InvalidSymbol as error:
        raise BadInput(f"{error}.") from None


Choices = list[app_commands.Choice[int | float | str]]


def scanner_choices() -> Choices:
    """Every scanner of the registry, by the name users know it by."""
    return [app_commands.Choice[int | float | str](name=scanner.label, value=scanner.value) for scanner in Scanner]


class ScannerChoice(StringOption):
    """One scanner."""

    @property
    def choices(self) -> Choices:
        return scanner_choices()

    async def transform(self, interaction: discord.Interaction, value: str) -> Scanner:
        return known_scanner(value)


class ScannersChoice(StringOption):
    """One scanner or all of them."""

    @property
    def choices(self) -> Choices:
        return [*scanner_choices(), app_commands.Choice[int | float | str](name="All scanners", value=ALL_SCANNERS)]

    async def transform(self, interaction: discord.Interaction, value: str) -> tuple[Scanner, ...]:
        return tuple(Scanner) if value == ALL_SCANNERS else (known_scanner(value),)


def known_scanner(value: str) -> Scanner:
    try:
        return Scanner(value)
    except ValueError:
        names = ", ".join(scanner.value for scanner in Scanner)
        raise BadInput(f"There is no scanner {value!r}. Pick one of: {names}.") from None


class GuildTextChannel(app_commands.Transformer):
    """A text channel of the server the command runs in; with `postable`, one ORAKL can post in."""

    def __init__(self, *, postable: bool) -> None:
        self.postable = postable

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return [discord.ChannelType.text, discord.ChannelType.news]

    async def transform(self, interaction: discord.Interaction, value: Any) -> discord.TextChannel:
        guild = interaction.guild
        channel = None if guild is None else guild.get_channel(getattr(value, "id", 0))
        if guild is None or channel is None:
            raise BadInput("That channel is not in this server: pick one of this server's text channels.")
        if not isinstance(channel, discord.TextChannel):
            kind = channel.type.name.replace("_", " ")
            raise BadInput(f"{channel.mention} is a {kind} channel; alerts go to text channels.")
        if self.postable and guild.me is not None and (missing := missing_permissions(channel, guild.me)):
            raise BadInput(
                f"ORAKL cannot post in {channel.mention}: it is missing {', '.join(missing)} there. "
                "Grant those, then subscribe again."
            )
        return channel
