"""uvicorn's HTTP/1.1 protocol, guarded: a connection limit and a header read timeout.

Without them, a thousand half-open connections (a client that connects and never sends a
full request) keep their file descriptors for ever: /healthz and the webhooks time out and
the process runs out of files. Here a connection beyond the limit is closed at once, and one
that has not sent its request's headers within the timeout is closed; the refusals are
counted and logged at most once a minute. Production still belongs behind a reverse proxy.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger(__name__)
MAX_CONNECTIONS = 256
HEADER_TIMEOUT = 10.0  # seconds for a request's line and headers
LOG_EVERY = 60.0


class _Refusals:
    """Counts refused or timed-out connections; logs a summary at most once a minute."""

    def __init__(self) -> None:
        self.count = 0
        self.logged_at = 0.0

    def note(self, why: str) -> None:
        self.count += 1
        now = time.monotonic()
        if now - self.logged_at >= LOG_EVERY:
            log.warning("closed %d connections (latest: %s)", self.count, why)
            self.count, self.logged_at = 0, now


REFUSALS = _Refusals()


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol (llhttp, in C: the pure-Python h11 protocol cost about a
    seventh of the bot's CPU when updates came by webhook), guarded.

    A request's line and headers must arrive within `header_timeout` of the connection or of
    the request's first byte; between requests, uvicorn's keep-alive timeout closes an idle
    connection."""

    max_connections = MAX_CONNECTIONS
    header_timeout = HEADER_TIMEOUT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            REFUSALS.note("too many connections")
            transport.abort()
            return
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    # httptools callbacks
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._headers_late)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_late(self) -> None:
        self._header_timer = None
        REFUSALS.note("no request headers in time")
        self.transport.close()
