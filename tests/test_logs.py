import io
import logging
from collections.abc import Iterator

import pytest

from bot.logs import RedactSecrets, configure_logging

SECRET = "pk_live_0123456789abcdef"


@pytest.fixture
def output() -> io.StringIO:
    return io.StringIO()


@pytest.fixture
def logger_with_capture(output: io.StringIO) -> Iterator[logging.Logger]:
    configure_logging("DEBUG", secrets=[SECRET, ""], stream=output)
    yield logging.getLogger("orakl.test")
    logging.getLogger().handlers.clear()


def test_secret_in_message_args_and_traceback_is_redacted(
    logger_with_capture: logging.Logger, output: io.StringIO
) -> None:
    logger_with_capture.warning("calling %s?apiKey=%s", "/v3/trades/SPY", SECRET)
    try:
        raise RuntimeError(f"server echoed {SECRET}")
    except RuntimeError:
        logger_with_capture.exception("request failed")
    err = output.getvalue()
    assert SECRET not in err
    assert "apiKey=***" in err
    assert "server echoed ***" in err


def test_context_is_appended_as_key_values(
    logger_with_capture: logging.Logger, output: io.StringIO
) -> None:
    logger_with_capture.info("chain fetched", extra={"context": {"underlying": "SPY", "pages": 4}})
    assert "chain fetched underlying=SPY pages=4" in output.getvalue()


def test_discord_http_is_quiet_below_warning(logger_with_capture: logging.Logger) -> None:
    assert not logging.getLogger("discord.http").isEnabledFor(logging.INFO)
    assert logging.getLogger("discord.http").isEnabledFor(logging.WARNING)


def test_short_values_are_not_treated_as_secrets() -> None:
    assert RedactSecrets(["abc"]).scrub("abc def") == "abc def"
