"""Validate what we send Discord against its official OpenAPI spec, plus the limits it omits.

The whole spec is one `referencing` resource under `urn:discord`, so its internal
`#/components/schemas/...` references resolve; each payload is checked against one schema by
reference. Discord's documentation states limits the spec lacks (or states differently), and
its README says to follow the docs then: those are checked here in code, independently of
the product's own limit constants, so a wrong constant in the product fails a test.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.support.fixtures import discord_openapi

SPEC_URN = "urn:discord"
MESSAGE_CONTENT_LIMIT = 2000  # the spec says 4000 for MessageCreateRequest; the docs say 2000
EMBEDS_TOTAL_LIMIT = 6000  # across every embed of one message
COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")  # \w is Unicode letters, digits and "_", like \p{L}\p{N}
COMMAND_DESCRIPTION_LIMIT = 100
SIZE_KEYWORDS = ("maxLength", "minLength", "maxItems", "minItems", "maxProperties", "maximum", "minimum")

Payload = dict[str, Any]


@cache
def _registry() -> Registry:
    resource = Resource.from_contents(discord_openapi(), default_specification=DRAFT202012)
    return Registry().with_resource(SPEC_URN, resource)


@cache
def _validator(schema_name: str) -> Draft202012Validator:
    schema = {"$ref": f"{SPEC_URN}#/components/schemas/{schema_name}"}
    return Draft202012Validator(schema, registry=_registry())


def _violation(error: ValidationError) -> str:
    """The broken limit in a few words ("maxLength is 256, got 300"), never the whole value."""
    if error.validator in SIZE_KEYWORDS:
        instance = error.instance
        got = len(instance) if isinstance(instance, str | list | dict) else instance
        return f"{error.validator} is {error.validator_value}, got {got}"
    return error.message if len(error.message) <= 300 else error.message[:299] + "…"


def assert_matches_schema(payload: Payload, schema_name: str) -> None:
    error = best_match(_validator(schema_name).iter_errors(payload))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "(root)"
        raise AssertionError(f"not a valid {schema_name} at {where}: {_violation(error)}")


def embed_length(embed: Payload) -> int:
    """Characters Discord counts toward the 6,000 limit of one embed."""
    parts = [embed.get("title"), embed.get("description")]
    parts += [(embed.get("footer") or {}).get("text"), (embed.get("author") or {}).get("name")]
    for item in embed.get("fields") or []:
        parts += [item.get("name"), item.get("value")]
    return sum(len(part) for part in parts if part)


def _assert_embed_limits(embed: Payload, where: str) -> None:
    for position, item in enumerate(embed.get("fields") or []):
        # Discord rejects an empty field name or value though the schema allows "".
        for key in ("name", "value"):
            if not str(item.get(key, "")).strip():
                raise AssertionError(f"{where} field {position} has an empty {key}")
    if (length := embed_length(embed)) > EMBEDS_TOTAL_LIMIT:
        raise AssertionError(f"{where} has {length} characters, over Discord's {EMBEDS_TOTAL_LIMIT} limit")


def assert_valid_embed(embed: Payload) -> None:
    assert_matches_schema(embed, "RichEmbed")
    _assert_embed_limits(embed, "embed")


def _assert_message_limits(payload: Payload) -> None:
    content = payload.get("content") or ""
    if len(content) > MESSAGE_CONTENT_LIMIT:
        raise AssertionError(f"content has {len(content)} characters, over Discord's {MESSAGE_CONTENT_LIMIT} limit")
    embeds = payload.get("embeds") or []
    for position, embed in enumerate(embeds):
        _assert_embed_limits(embed, f"embed {position}")
    total = sum(embed_length(embed) for embed in embeds)
    if total > EMBEDS_TOTAL_LIMIT:
        raise AssertionError(
            f"embeds have {total} characters together, over Discord's {EMBEDS_TOTAL_LIMIT} limit per message"
        )


def assert_valid_message(payload: Payload) -> None:
    """A bot's channel message (`MessageCreateRequest`)."""
    assert_matches_schema(payload, "MessageCreateRequest")
    _assert_message_limits(payload)


def assert_valid_webhook_message(payload: Payload) -> None:
    """A message sent through an incoming webhook (`IncomingWebhookRequestPartial`)."""
    assert_matches_schema(payload, "IncomingWebhookRequestPartial")
    _assert_message_limits(payload)


def assert_valid_interaction_response(payload: Payload) -> None:
    """A reply to an interaction (type 4 message or 5 deferred); its data is a message."""
    assert_matches_schema(payload, "CreateMessageInteractionCallbackRequest")
    if payload.get("data"):
        _assert_message_limits(payload["data"])


def _assert_slash_naming(command: Payload, where: str) -> None:
    name = command.get("name", "")
    if not COMMAND_NAME.fullmatch(name) or name != name.lower():
        raise AssertionError(f"{where} name {name!r} must be 1-32 lowercase letters, digits, '-' or '_'")
    description = command.get("description") or ""
    if not 1 <= len(description) <= COMMAND_DESCRIPTION_LIMIT:
        raise AssertionError(
            f"{where} {name!r} description has {len(description)} characters, "
            f"Discord wants 1-{COMMAND_DESCRIPTION_LIMIT}"
        )
    for option in command.get("options") or []:
        _assert_slash_naming(option, f"{where} {name!r} option")


def assert_valid_command(command: Payload) -> None:
    """A command definition (`ApplicationCommandCreateRequest`), options included."""
    assert_matches_schema(command, "ApplicationCommandCreateRequest")
    # The naming rules are for slash commands (type 1); user and message commands are free text.
    if command.get("type", 1) == 1:
        _assert_slash_naming(command, "command")
