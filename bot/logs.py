"""One line per event, with context, and secrets scrubbed before anything is written."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TextIO

REDACTED = "***"
QUIET_LOGGERS = {
    "discord.http": logging.WARNING,
    "discord.gateway": logging.INFO,
    # Skipped and missed runs are counted per job (bot.scheduler) and shown in /status.
    "apscheduler.scheduler": logging.ERROR,
}


class RedactSecrets(logging.Filter):
    """Replaces every known secret in a record's final message (and its traceback text)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Short values would redact ordinary words; real tokens and keys are long.
        self._secrets = sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if self._secrets:
            record.msg = self.scrub(record.getMessage())
            record.args = None
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = self.scrub(record.exc_text)
        return True


class ContextFormatter(logging.Formatter):
    """`time level logger message key=value ...` from the record's `context` extra."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        context = getattr(record, "context", None)
        if context:
            pairs = " ".join(f"{key}={value}" for key, value in context.items())
            head, sep, tail = line.partition("\n")
            line = f"{head} {pairs}{sep}{tail}"
        return line


def configure_logging(level: str, secrets: Iterable[str] = (), stream: TextIO | None = None) -> None:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(ContextFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name, quiet_level in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(quiet_level)
