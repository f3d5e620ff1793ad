"""Kept-alive HTTP/1.1 connections to the Bot API for the small JSON calls, parsed by httptools.

aiohttp's client is about 19% of the bot's CPU at its ceiling, most of it in what a JSON POST
to one origin does not need (per request: a `ClientRequest`, the URL parsed again, header
multidicts, cookies, tracing, timers). A call here is the request's bytes written on a kept
connection and the answer parsed by httptools (llhttp, in C), which also decodes a chunked
body. Only plain POSTs with a JSON body come here; uploads, getUpdates and anything through a
proxy stay on aiohttp (`LeanRequest`, bot/channels/telegram/aiohttp_request.py).

Errors are what the caller maps to python-telegram-bot's: `TimeoutError` for a timeout
(waiting for a free connection, connecting, or the answer), `OSError` for a connection that
failed or closed before its answer was complete, `httptools.HttpParserError` for a malformed
answer. A request is never sent twice: a connection that failed is dropped, and the outbox
decides what to retry. An idle connection is closed after `KEEP_ALIVE` seconds (before the
server closes it, as aiohttp's pool does).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import deque

import httptools

KEEP_ALIVE = 30.0  # seconds an idle connection is kept


class _Connection(asyncio.Protocol):
    """One connection: one request at a time, its answer parsed as it arrives."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.body: list[bytes] = []
        self.answer: asyncio.Future[tuple[int, bytes]] | None = None
        self.deadline: asyncio.TimerHandle | None = None
        self.open = False
        self.idle_since = 0.0

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport, self.open = transport, True

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(exc)

    def connection_lost(self, exc: Exception | None) -> None:
        self.open = False
        self._fail(exc or ConnectionResetError("the server closed the connection"))

    # httptools callbacks
    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        self._disarm()
        if self.answer is not None and not self.answer.done():
            status = self.parser.get_status_code()
            self.answer.set_result((status, b"".join(self.body)))
        if not self.parser.should_keep_alive():
            self.close()

    # for the pool
    def send(self, request: bytes, timeout: float | None) -> asyncio.Future[tuple[int, bytes]]:
        """The answer to come: it fails with `TimeoutError` if it is not complete within
        `timeout` seconds (a timer on the connection costs a third of `asyncio.timeout`)."""
        assert self.transport is not None
        loop = asyncio.get_running_loop()
        self.body = []
        self.answer = loop.create_future()
        if timeout is not None:
            self.deadline = loop.call_later(timeout, self._expire)
        self.transport.write(request)
        return self.answer

    def close(self) -> None:
        self._disarm()
        self.open = False
        if self.transport is not None:
            self.transport.close()

    def _expire(self) -> None:
        self.deadline = None
        self._fail(TimeoutError("no answer in time"))

    def _disarm(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def _fail(self, exc: Exception) -> None:
        self._disarm()
        if self.answer is not None and not self.answer.done():
            self.answer.set_exception(exc)
        self.close()


class LeanHttp:
    """Up to `connections` kept-alive connections to one origin (scheme, host, port)."""

    def __init__(
        self,
        scheme: str,
        host: str,
        port: int,
        connections: int,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host, self.port = host, port
        self._ssl = (ssl_context or ssl.create_default_context()) if scheme == "https" else None
        default = 443 if self._ssl else 80
        self._host_header = host if port == default else f"{host}:{port}"
        self._slots = asyncio.Semaphore(connections)
        self._idle: deque[_Connection] = deque()

    def head(self, path: str, length: int, user_agent: str) -> bytes:
        return (
            f"POST {path} HTTP/1.1\r\nHost: {self._host_header}\r\nUser-Agent: {user_agent}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
        ).encode("latin-1")

    async def post_json(
        self,
        path: str,
        body: bytes,
        user_agent: str,
        *,
        pool_timeout: float | None,
        connect_timeout: float | None,
        read_timeout: float | None,
    ) -> tuple[int, bytes]:
        """(status, body) of a POST of this JSON `body` to `path` (which holds the token:
        it never appears in an error)."""
        request = self.head(path, len(body), user_agent) + body
        if self._slots.locked():  # all connections busy: wait for one, within the pool timeout
            async with asyncio.timeout(pool_timeout):
                await self._slots.acquire()
        else:
            await self._slots.acquire()  # returns at once
        connection: _Connection | None = None
        try:
            connection = self._idle_connection()
            if connection is None:
                async with asyncio.timeout(connect_timeout):
                    connection = await self._connect()
            answer = await connection.send(request, read_timeout)
        except BaseException:
            if connection is not None:  # its answer may still come: never reused
                connection.close()
            raise
        finally:
            self._slots.release()
        if connection.open:
            connection.idle_since = time.monotonic()
            self._idle.append(connection)
        return answer

    def close(self) -> None:
        while self._idle:
            self._idle.pop().close()

    def _idle_connection(self) -> _Connection | None:
        now = time.monotonic()
        while self._idle:
            connection = self._idle.pop()  # the most recently used: the likeliest to be alive
            if connection.open and now - connection.idle_since < KEEP_ALIVE:
                return connection
            connection.close()
        return None

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        _, connection = await loop.create_connection(
            _Connection, self.host, self.port, ssl=self._ssl
        )
        return connection
