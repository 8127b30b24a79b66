"""`/flow ticker`: today's options flow for one watched underlying, for everyone to see.

It reads the feed's latest chain snapshot, refreshing it first when it is older than its
tier's refresh interval and the request budget has no queue; it defers before any of that,
since a refresh can take a few seconds. The chart is drawn in a thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import io
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.alerts import Alert
from bot.alerts.digest import digest_entry
from bot.alerts.embed import GREEN, GREY, RED
from bot.alerts.embed_limits import EmbedDraft, EmbedField, to_embed
from bot.alerts.text import count, et_time, money, price
from bot.market.feed import LatestChain
from bot.polygon.errors import PolygonError
from cogs.common.cog import OraklCog
from cogs.common.errors import BadInput
from cogs.common.transformers import Ticker
from cogs.flow.summary import FlowSummary, summarize

if TYPE_CHECKING:
    from bot.app import OraklBot

TOP_CONTRACTS = 5
RECENT_ALERTS = 5
WATCHLIST_HINT = 10
DISCLAIMER = "Not financial advice. Day volume × VWAP from Polygon/Massive snapshots."


class FlowCommandCog(OraklCog, name="Flow"):
    @app_commands.command(description="Today's options flow for one ticker, with a chart")
    @app_commands.describe(ticker="a symbol on ORAKL's watchlist, e.g. SPY")
    async def flow(self, interaction: discord.Interaction, ticker: app_commands.Transform[str, Ticker]) -> None:
        tiers = {watched.symbol: watched.tier for watched in self.services.watchlist}
        if ticker not in tiers:
            hint = ", ".join(list(tiers)[:WATCHLIST_HINT])
            raise BadInput(f"{ticker} is not on ORAKL's watchlist, so it has no flow here. Watched: {hint}, ...")
        await interaction.response.defer(thinking=True)
        latest, note = await self.current_chain(ticker, tiers[ticker])
        if latest is None:
            await interaction.followup.send(note or f"No options snapshot of {ticker} yet.")
            return
        summary = summarize(latest.chain, latest.spot)
        recent = await self.services.store.alerts.recent(ticker=ticker, limit=RECENT_ALERTS)
        embed = flow_embed(summary, [Alert.model_validate_json(stored.payload) for stored in recent], note)
        if not summary.contracts:
            await interaction.followup.send(embed=embed)
            return
        filename = f"flow-{ticker.replace('.', '-')}.png"
        chart = await asyncio.to_thread(draw_chart, summary)
        embed.set_image(url=f"attachment://{filename}")
        await interaction.followup.send(embed=embed, file=discord.File(io.BytesIO(chart), filename=filename))

    async def current_chain(self, symbol: str, tier: int) -> tuple[LatestChain | None, str | None]:
        """The latest chain (refreshed first if stale and affordable), and a note when it is not fresh."""
        engine, now = self.services.options, self.services.clock.now()
        latest = engine.feed.latest.get(symbol)
        promised = timedelta(seconds=engine.planner.promised_interval(tier))
        if latest is not None and now - latest.chain.fetched_at <= promised:
            return latest, None
        reason = self.reason_not_to_refresh(now)
        if reason is None:
            try:
                result = await engine.feed.refresh(symbol)
            except PolygonError as error:
                reason = f"Polygon could not refresh {symbol} ({error.summary})"
            else:
                engine.planner.record(symbol, pages=result.pages, events=len(result.events))
                return engine.feed.latest.get(symbol), None
        if latest is None:
            return None, f"{reason}; there is no snapshot of {symbol} yet."
        return latest, f"{reason}; showing the snapshot of {et_time(latest.chain.fetched_at)}."

    def reason_not_to_refresh(self, now: datetime) -> str | None:
        if not self.services.calendar.options_open(now):
            return "The options market is closed"  # the feed makes no options requests then
        if self.services.polygon.limiter.waiting:
            return "The API budget is busy"
        return None


def flow_embed(summary: FlowSummary, alerts: list[Alert], note: str | None) -> discord.Embed:
    total = summary.total
    both = total.calls + total.puts
    colour = GREY if not both else GREEN if total.calls >= total.puts else RED
    facts = [f"Spot {price(summary.spot)}" if summary.spot else None, f"as of {et_time(summary.as_of)}", note]
    fields = [
        EmbedField("Calls", f"{money(total.calls)} ({share(total.calls, both)})"),
        EmbedField("Puts", f"{money(total.puts)} ({share(total.puts, both)})"),
        EmbedField("Contracts traded", count(len(summary.contracts))),
    ]
    top = [
        f"{contract.label(summary.underlying, summary.today)} · {count(round(contract.volume))} @ "
        f"{contract.average_price:.2f} · {money(contract.premium)}"
        for contract in summary.top(TOP_CONTRACTS)
    ]
    fields.append(EmbedField("Top contracts by premium", "\n".join(top) or "none traded yet", inline=False))
    fields.append(EmbedField("Latest alerts", "\n".join(map(digest_entry, alerts)) or "none", inline=False))
    return to_embed(
        EmbedDraft(
            title=f"{summary.underlying} options flow today",
            colour=colour,
            timestamp=summary.as_of,
            description=" · ".join(part for part in facts if part),
            footer=DISCLAIMER,
            fields=tuple(fields),
        )
    )


def share(part: float, whole: float) -> str:
    return f"{part / whole * 100:.0f}%" if whole else "0%"


async def setup(bot: OraklBot) -> None:
    await bot.add_cog(FlowCommandCog(bot))


def draw_chart(summary: FlowSummary) -> bytes:
    # Imported here, in the rendering thread: matplotlib and numpy (~40 MB, half a second to
    # import) load with the first /flow instead of with the bot.
    from cogs.flow.chart import render_chart

    return render_chart(summary)
