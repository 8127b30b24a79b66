"""A router over a real store (temp file, virtual clock) posting to scripted channels."""

from __future__ import annotations

import itertools
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import discord
import pytest

from bot.config import Settings
from bot.delivery import GuildConfig, Router
from bot.delivery.outcomes import Posted, PostOutcome
from bot.market.clock import VirtualClock
from bot.store import Database, Store

# Thursday 12 June 2025, 14:31:20 in New York.
NOW = datetime(2025, 6, 12, 18, 31, 20, tzinfo=UTC)
GUILD_A, GUILD_B = 1001, 2002
A_ALERTS, A_OTHER, B_ALERTS = 11, 12, 21


@dataclass(frozen=True)
class Post:
    channel_id: int
    embed: discord.Embed


class ScriptedChannels:
    """Discord as the router sees it: each post answered by the next scripted outcome of its
    channel, or posted."""

    def __init__(self) -> None:
        self.posts: list[Post] = []
        self.attempts: list[int] = []
        self._scripts: dict[int, deque[PostOutcome]] = defaultdict(deque)
        self._message_ids = itertools.count(900_001)

    def answer(self, channel_id: int, *outcomes: PostOutcome) -> None:
        self._scripts[channel_id].extend(outcomes)

    async def post(self, channel_id: int, embed: discord.Embed) -> PostOutcome:
        self.attempts.append(channel_id)
        script = self._scripts[channel_id]
        outcome = script.popleft() if script else Posted(next(self._message_ids))
        if isinstance(outcome, Posted):
            self.posts.append(Post(channel_id, embed))
        return outcome

    def to(self, channel_id: int) -> list[discord.Embed]:
        return [post.embed for post in self.posts if post.channel_id == channel_id]


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(NOW)


@pytest.fixture
async def store(db_path: Path, clock: VirtualClock) -> AsyncIterator[Store]:
    db = await Database.open(db_path, clock=clock)
    yield Store(db)
    await db.close()


@pytest.fixture
async def guild_config(store: Store) -> GuildConfig:
    config = GuildConfig(store.guild_settings, Settings().scanners)
    await config.load()
    return config


@pytest.fixture
def channels() -> ScriptedChannels:
    return ScriptedChannels()


@pytest.fixture
def router(store: Store, guild_config: GuildConfig, channels: ScriptedChannels, clock: VirtualClock) -> Router:
    return Router(store, guild_config, channels, clock, budget_per_hour=30)
