"""Discord's embed limits, met by trimming: an alert is never lost because a value ran long.

Limits from Discord's documentation (the 6,000 total is not in the OpenAPI schema). Lengths
are counted in code points, as the API counts them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

import discord

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_COUNT_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
TOTAL_LIMIT = 6000
ELLIPSIS = "…"
# A field cut shorter than this says nothing useful; it is dropped instead.
MIN_USEFUL_VALUE = 16


def clip(text: str, limit: int) -> str:
    """`text`, or its first `limit - 1` characters and "…"."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


@dataclass(frozen=True)
class EmbedField:
    name: str
    value: str
    inline: bool = True


@dataclass(frozen=True)
class EmbedDraft:
    """An embed's content before Discord's limits are applied."""

    title: str
    colour: int
    timestamp: datetime
    footer: str
    description: str | None = None
    author: str | None = None
    fields: tuple[EmbedField, ...] = field(default=())

    @property
    def total_length(self) -> int:
        texts = [self.title, self.description or "", self.footer, self.author or ""]
        texts += [part for item in self.fields for part in (item.name, item.value)]
        return sum(map(len, texts))


def fit(draft: EmbedDraft) -> EmbedDraft:
    """Clip each part to its own limit, then trim from the last field until the total fits."""
    fields = [
        EmbedField(clip(item.name, FIELD_NAME_LIMIT), clip(item.value, FIELD_VALUE_LIMIT), item.inline)
        for item in draft.fields
    ]
    if len(fields) > FIELD_COUNT_LIMIT:
        hidden = len(fields) - FIELD_COUNT_LIMIT + 1
        fields = fields[: FIELD_COUNT_LIMIT - 1] + [EmbedField(ELLIPSIS, f"{hidden} more not shown", inline=False)]
    fitted = replace(
        draft,
        title=clip(draft.title, TITLE_LIMIT),
        description=None if draft.description is None else clip(draft.description, DESCRIPTION_LIMIT),
        author=None if draft.author is None else clip(draft.author, AUTHOR_LIMIT),
        footer=clip(draft.footer, FOOTER_LIMIT),
        fields=tuple(fields),
    )
    while (overflow := fitted.total_length - TOTAL_LIMIT) > 0 and fitted.fields:
        *kept, last = fitted.fields
        room = len(last.value) - overflow
        if room >= MIN_USEFUL_VALUE:
            kept.append(replace(last, value=clip(last.value, room)))
        fitted = replace(fitted, fields=tuple(kept))
    if (overflow := fitted.total_length - TOTAL_LIMIT) > 0 and fitted.description:
        # Title, author and footer are at most 2,560 characters together, so this always fits.
        room = len(fitted.description) - overflow
        fitted = replace(fitted, description=clip(fitted.description, room) if room > 0 else None)
    return fitted


def to_embed(draft: EmbedDraft) -> discord.Embed:
    fitted = fit(draft)
    embed = discord.Embed(
        title=fitted.title, description=fitted.description, colour=fitted.colour, timestamp=fitted.timestamp
    )
    if fitted.author:
        embed.set_author(name=fitted.author)
    for item in fitted.fields:
        embed.add_field(name=item.name, value=item.value, inline=item.inline)
    embed.set_footer(text=fitted.footer)
    return embed


def pack_lines(lines: list[str], limit: int) -> list[str]:
    """Lines joined into as few chunks of at most `limit` characters as keep each line whole."""
    chunks: list[str] = []
    for line in lines:
        line = clip(line, limit)
        if chunks and len(chunks[-1]) + 1 + len(line) <= limit:
            chunks[-1] += "\n" + line
        else:
            chunks.append(line)
    return chunks
