"""The Discord payload validator must be able to fail, and fail saying which limit broke."""

from __future__ import annotations

from typing import Any

import discord
import pytest
from discord import app_commands

from tests.support.discord_schema import (
    assert_valid_command,
    assert_valid_embed,
    assert_valid_interaction_response,
    assert_valid_message,
    assert_valid_webhook_message,
)


def embed(**parts: Any) -> dict[str, Any]:
    made = discord.Embed(title=parts.pop("title", "title"), description=parts.pop("description", None), colour=0x2ECC71)
    for name, value in parts.pop("fields", []):
        made.add_field(name=name, value=value)
    return dict(made.to_dict())


class TestEmbeds:
    def test_a_plain_discord_py_embed_is_valid(self) -> None:
        made = discord.Embed(title="SPY", description="d", colour=0xFFD700)
        made.add_field(name="Premium", value="$1.20M").set_footer(text="Not financial advice.")
        assert_valid_embed(dict(made.to_dict()))

    def test_a_title_over_256_is_refused_by_the_spec(self) -> None:
        with pytest.raises(AssertionError, match="RichEmbed at title: maxLength is 256, got 257"):
            assert_valid_embed(embed(title="x" * 257))

    def test_a_field_value_over_1024_is_refused(self) -> None:
        with pytest.raises(AssertionError, match="fields/0/value: maxLength is 1024, got 1025"):
            assert_valid_embed(embed(fields=[("n", "v" * 1025)]))

    def test_26_fields_are_refused(self) -> None:
        with pytest.raises(AssertionError, match="at fields: maxItems is 25, got 26"):
            assert_valid_embed(embed(fields=[(f"n{number}", "v") for number in range(26)]))

    def test_a_colour_beyond_24_bits_is_refused(self) -> None:
        with pytest.raises(AssertionError, match="at color: maximum is 16777215, got 16777216"):
            assert_valid_embed({**embed(), "color": 0x1000000})

    def test_more_than_6000_characters_in_one_embed_is_refused_though_each_part_fits(self) -> None:
        fields = [(f"n{number}", "v" * 1000) for number in range(6)]
        with pytest.raises(AssertionError, match="6000"):
            assert_valid_embed(embed(fields=fields))

    def test_an_empty_field_value_is_refused(self) -> None:
        with pytest.raises(AssertionError, match="empty value"):
            assert_valid_embed({**embed(), "fields": [{"name": "Premium", "value": ""}]})


class TestMessages:
    def test_content_over_2000_is_refused_though_the_spec_allows_4000(self) -> None:
        with pytest.raises(AssertionError, match="2000"):
            assert_valid_message({"content": "x" * 2001})

    def test_content_of_2000_is_fine(self) -> None:
        assert_valid_message({"content": "x" * 2000})

    def test_6000_characters_counts_across_all_embeds_of_a_message(self) -> None:
        half = embed(fields=[(f"n{number}", "v" * 1000) for number in range(3)])
        assert_valid_embed(half)
        with pytest.raises(AssertionError, match="together"):
            assert_valid_message({"embeds": [half, half]})

    def test_more_than_ten_embeds_are_refused(self) -> None:
        with pytest.raises(AssertionError, match="embeds"):
            assert_valid_message({"embeds": [embed()] * 11})

    def test_a_webhook_username_over_80_is_refused(self) -> None:
        assert_valid_webhook_message({"content": "hi", "username": "ORAKL"})
        with pytest.raises(AssertionError, match="username"):
            assert_valid_webhook_message({"content": "hi", "username": "x" * 81})


class TestInteractionResponses:
    def test_an_ephemeral_reply_is_valid(self) -> None:
        assert_valid_interaction_response({"type": 4, "data": {"content": "Saved.", "flags": 64}})

    def test_a_deferral_is_valid(self) -> None:
        assert_valid_interaction_response({"type": 5})

    def test_a_callback_type_that_is_not_a_message_is_refused(self) -> None:
        with pytest.raises(AssertionError, match="CreateMessageInteractionCallbackRequest"):
            assert_valid_interaction_response({"type": 7, "data": {"content": "x"}})

    def test_reply_content_over_2000_is_refused(self) -> None:
        with pytest.raises(AssertionError):
            assert_valid_interaction_response({"type": 4, "data": {"content": "x" * 2001}})


def command_payload(name: str, description: str = "Today's flow for one ticker") -> dict[str, Any]:
    async def callback(interaction: discord.Interaction, ticker: str) -> None:
        """Never called: only the definition of the command is validated."""

    tree = app_commands.CommandTree(discord.Client(intents=discord.Intents.none()))
    command = app_commands.Command(name=name, description=description, callback=callback)
    return dict(command.to_dict(tree))


class TestCommands:
    def test_a_discord_py_slash_command_is_valid(self) -> None:
        assert_valid_command(command_payload("flow"))

    @pytest.mark.parametrize("name", ["flow-top", "top_10", "préférences"])
    def test_lowercase_letters_digits_dashes_and_underscores_in_any_script_are_fine(self, name: str) -> None:
        assert_valid_command({**command_payload("flow"), "name": name})

    @pytest.mark.parametrize("name", ["Flow", "flow ticker", "flow!", "x" * 33, ""])
    def test_a_name_discord_would_refuse_is_refused(self, name: str) -> None:
        with pytest.raises(AssertionError, match="name"):
            assert_valid_command({**command_payload("flow"), "name": name})

    def test_an_option_name_is_checked_too(self) -> None:
        payload = command_payload("flow")
        payload["options"][0]["name"] = "Ticker"
        with pytest.raises(AssertionError, match="option name 'Ticker'"):
            assert_valid_command(payload)

    def test_a_description_over_100_is_refused(self) -> None:
        with pytest.raises(AssertionError, match="description"):
            assert_valid_command({**command_payload("flow"), "description": "d" * 101})

    def test_a_slash_command_without_a_description_is_refused(self) -> None:
        with pytest.raises(AssertionError, match="description has 0 characters"):
            assert_valid_command({**command_payload("flow"), "description": ""})
