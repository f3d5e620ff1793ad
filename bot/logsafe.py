"""Keeps secrets out of every log line, whoever logs it.

Bot tokens live in request URLs (Zalo and Telegram put them in the path), and HTTP libraries
log URLs. A log-record factory redacts every registered secret from the formatted message
before any handler sees it, for all loggers at once.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False
MASK = "***"
_FORMATTER = logging.Formatter()


def register_secret(value: str | None) -> None:
    """Masks `value` (and its part after ':', the secret half of a bot token) in all logs."""
    if not value:
        return
    with _lock:
        _secrets.add(value)
        _, _, secret_half = value.partition(":")
        if len(secret_half) >= 8:
            _secrets.add(secret_half)
        _install()


def redact(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def _install() -> None:
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return record
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info:
            # Formatters reuse `exc_text` when it is set: the traceback is cleaned once, here.
            record.exc_text = redact(_FORMATTER.formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
