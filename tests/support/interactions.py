"""Slash commands through the real `CommandTree`, with Discord's side played here.

THE one place that leans on discord.py internals (pinned to 2.7.x in pyproject), as
/work/shared/TESTING.md describes: a test builds the gateway's `INTERACTION_CREATE` payload,
feeds it to `ConnectionState.parse_interaction_create`, and everything ORAKL would send back
(responses, deferrals, followups) is recorded by a webhook adapter instead of going out.
Options are typed from the command's own definition, so a test names them as a user would:

    conversation = await invoke(bot, "config threshold", member=admin, where=general,
                                scanner="sweeps", premium="50k")
    assert conversation.reply.ephemeral
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord
from discord import app_commands
from discord.webhook.async_ import AsyncWebhookAdapter, async_context

EPHEMERAL = 64
DEFERRED_CHANNEL_MESSAGE = 5
CHANNEL_MESSAGE = 4
AUTOCOMPLETE_RESULT = 8
TREE_TASK = "CommandTree-invoker"  # the name discord.py gives the task running a command
APPLICATION_COMMAND = 2
AUTOCOMPLETE = 4
SUBCOMMAND = 1
SUBCOMMAND_GROUP = 2
# A member of a server with the everyday permissions of @everyone, and an admin.
MEMBER_PERMISSIONS = discord.Permissions(
    view_channel=True, send_messages=True, embed_links=True, attach_files=True, read_message_history=True,
    use_application_commands=True,
)  # fmt: skip
ADMIN_PERMISSIONS = MEMBER_PERMISSIONS | discord.Permissions(manage_guild=True)

_snowflakes = itertools.count(1_300_000_000_000_000_000)


def snowflake() -> int:
    return next(_snowflakes)


@dataclass
class Sent:
    """One request ORAKL made to answer an interaction."""

    method: str
    path: str
    payload: dict[str, Any]
    files: list[tuple[str, bytes]] = field(default_factory=list)

    @property
    def is_callback(self) -> bool:
        return self.path.endswith("/callback")

    @property
    def message(self) -> dict[str, Any]:
        """The message part: a callback's `data`, or a followup/edit's whole body."""
        return (self.payload.get("data") or {}) if self.is_callback else self.payload

    @property
    def ephemeral(self) -> bool:
        return bool(self.message.get("flags", 0) & EPHEMERAL)

    @property
    def content(self) -> str:
        return str(self.message.get("content") or "")

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return list(self.message.get("embeds") or [])


@dataclass
class Conversation:
    """Everything ORAKL sent for one interaction, in order."""

    sent: list[Sent]

    @property
    def first(self) -> Sent:
        assert self.sent, "ORAKL never answered the interaction"
        return self.sent[0]

    @property
    def reply(self) -> Sent:
        """The one message the user reads (the only thing sent, or the followup after a deferral)."""
        shown = [item for item in self.sent if item.message or not item.is_callback]
        assert len(shown) == 1, f"expected one reply, ORAKL sent {len(shown)}: {self.sent}"
        return shown[0]

    @property
    def text(self) -> str:
        """The reply's content and every embed's text, for reading what the user was told."""
        reply = self.reply
        parts = [reply.content]
        for embed in reply.embeds:
            parts += [embed.get("title", ""), embed.get("description", "")]
            parts += [f"{item['name']}\n{item['value']}" for item in embed.get("fields", [])]
            parts.append((embed.get("footer") or {}).get("text", ""))
        return "\n".join(part for part in parts if part)


class RecordingAdapter(AsyncWebhookAdapter):
    """Records what discord.py would send to Discord's webhook/interaction endpoints and
    answers as Discord would, so nothing leaves the machine."""

    def __init__(self, channel_id: int) -> None:
        super().__init__()
        self.channel_id = channel_id
        self.sent: list[Sent] = []

    async def request(self, route: Any, session: Any, *, payload: Any = None, multipart: Any = None,
                      files: Any = None, **_: Any) -> Any:  # fmt: skip
        body = payload if payload is not None else _payload_json(multipart)
        recorded = [(file.filename, _file_bytes(file)) for file in files or []]
        self.sent.append(Sent(route.method, route.path, body or {}, recorded))
        if route.path.endswith("/callback"):
            return {"interaction": {"id": str(route.webhook_id), "type": APPLICATION_COMMAND}}
        if route.method == "DELETE":
            return None
        return self._message(body or {})

    def _message(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": str(snowflake()), "channel_id": str(self.channel_id), "type": 0, "tts": False,
            "content": body.get("content") or "", "embeds": body.get("embeds") or [], "attachments": [],
            "author": {"id": str(snowflake()), "username": "ORAKL", "discriminator": "0", "avatar": None},
            "timestamp": datetime.now(UTC).isoformat(), "edited_timestamp": None,
            "mention_everyone": False, "mentions": [], "mention_roles": [], "pinned": False,
            "flags": body.get("flags", 0),
        }  # fmt: skip


def _payload_json(multipart: list[dict[str, Any]] | None) -> dict[str, Any]:
    for part in multipart or []:
        if part.get("name") == "payload_json":
            return dict(json.loads(part["value"]))
    return {}


def _file_bytes(file: discord.File) -> bytes:
    file.fp.seek(0)
    return bytes(file.fp.read())


@contextmanager
def recording(channel_id: int) -> Iterator[RecordingAdapter]:
    adapter = RecordingAdapter(channel_id)
    token = async_context.set(adapter)
    try:
        yield adapter
    finally:
        async_context.reset(token)


async def invoke(
    bot: discord.Client,
    command: str,
    *,
    member: discord.Member | discord.User,
    where: discord.abc.Messageable,
    permissions: discord.Permissions | None = None,
    **options: Any,
) -> Conversation:
    """Run `/command` (e.g. "config tickers add") as `member` in the channel `where`, with
    `options` named as users see them."""
    path = command.split()
    target = _command(bot, path)
    built, resolved = _options(target, options, getattr(where, "guild", None))
    data: dict[str, Any] = {"id": str(snowflake()), "name": path[0], "type": 1, "options": _nest(path, built)}
    if resolved:
        data["resolved"] = {"channels": resolved}
    payload = _interaction(bot, APPLICATION_COMMAND, data, member, where, permissions)
    return await _dispatch(bot, payload, where)


async def autocomplete(
    bot: discord.Client, command: str, option: str, typed: str, *, member: discord.Member, where: discord.TextChannel
) -> list[str]:
    """The suggestions ORAKL offers while `typed` is being entered into `option`."""
    path = command.split()
    parameter = _parameter(_command(bot, path), option)
    focused = [{"name": option, "type": parameter.type.value, "value": typed, "focused": True}]
    data = {"id": str(snowflake()), "name": path[0], "type": 1, "options": _nest(path, focused)}
    payload = _interaction(bot, AUTOCOMPLETE, data, member, where, None)
    conversation = await _dispatch(bot, payload, where)
    answer = conversation.first.payload
    assert answer["type"] == AUTOCOMPLETE_RESULT, answer
    return [choice["value"] for choice in answer["data"]["choices"]]


def _command(bot: discord.Client, path: list[str]) -> app_commands.Command[Any, ..., Any]:
    tree: app_commands.CommandTree[Any] = bot.tree  # type: ignore[attr-defined]
    found: Any = tree.get_command(path[0])
    for name in path[1:]:
        assert isinstance(found, app_commands.Group), f"/{' '.join(path)}: {found!r} has no subcommands"
        found = found.get_command(name)
    assert isinstance(found, app_commands.Command), f"no command /{' '.join(path)}"
    return found


def _options(
    command: app_commands.Command[Any, ..., Any], values: dict[str, Any], guild: discord.Guild | None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    built, resolved = [], {}
    for name, value in values.items():
        parameter = _parameter(command, name)
        if parameter.type is discord.AppCommandOptionType.channel:
            resolved[str(value.id)] = _channel(value, guild)
            value = str(value.id)
        built.append({"name": name, "type": parameter.type.value, "value": value})
    return built, resolved


def _parameter(command: app_commands.Command[Any, ..., Any], name: str) -> app_commands.Parameter:
    """An option by the name users see (which `rename` may have changed from the Python name)."""
    found = [parameter for parameter in command.parameters if parameter.display_name == name]
    assert found, f"/{command.qualified_name} has no option {name!r}"
    return found[0]


def _nest(path: list[str], leaf: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`/config tickers add` → options [{tickers, type 2, options: [{add, type 1, options: leaf}]}]."""
    options = leaf
    for depth, name in reversed(list(enumerate(path[1:], start=1))):
        kind = SUBCOMMAND if depth == len(path) - 1 else SUBCOMMAND_GROUP
        options = [{"name": name, "type": kind, "options": options}]
    return options


def _channel(channel: Any, guild: discord.Guild | None) -> dict[str, Any]:
    """A channel as Discord resolves it in an interaction (the guild id is the channel's own)."""
    return {
        "id": str(channel.id), "type": channel.type.value, "name": channel.name, "permissions": "0",
        "guild_id": str(getattr(channel.guild, "id", getattr(guild, "id", 0))),
    }  # fmt: skip


def _interaction(
    bot: discord.Client,
    kind: int,
    data: dict[str, Any],
    member: discord.Member | discord.User,
    channel: Any,
    permissions: discord.Permissions | None,
) -> dict[str, Any]:
    user = {"id": str(member.id), "username": member.name, "discriminator": "0", "avatar": None, "global_name": None}
    payload: dict[str, Any] = {
        "type": kind, "id": str(snowflake()), "application_id": str(bot.application_id or bot.user.id),  # type: ignore[union-attr]
        "token": f"interaction-token-{snowflake()}", "version": 1, "channel_id": str(channel.id),
        "locale": "en-US", "entitlements": [], "authorizing_integration_owners": {}, "data": data,
        "app_permissions": str(MEMBER_PERMISSIONS.value), "attachment_size_limit": 10 * 1024 * 1024,
    }  # fmt: skip
    guild = getattr(channel, "guild", None)
    if guild is None:
        payload |= {"user": user, "context": 1, "channel": {"id": str(channel.id), "type": 1}}
        return payload
    granted = permissions if permissions is not None else MEMBER_PERMISSIONS
    payload |= {
        "guild_id": str(guild.id), "guild_locale": "en-US", "context": 0,
        "channel": {"id": str(channel.id), "type": channel.type.value, "name": channel.name, "guild_id": str(guild.id)},
        "member": {
            "user": user, "roles": [], "joined_at": datetime.now(UTC).isoformat(), "deaf": False,
            "mute": False, "flags": 0, "permissions": str(granted.value),
        },
    }  # fmt: skip
    return payload


async def _dispatch(bot: discord.Client, payload: dict[str, Any], channel: Any) -> Conversation:
    with recording(channel.id) as adapter:
        bot._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
        # The tree runs the command as a task; wait for it (and anything it awaits) to finish.
        while running := [task for task in asyncio.all_tasks() if task.get_name() == TREE_TASK and not task.done()]:
            await asyncio.gather(*running)
        await asyncio.sleep(0)
    return Conversation(adapter.sent)
