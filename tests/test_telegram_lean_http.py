"""`LeanHttp`, the kept-alive connections for the Bot API's JSON calls, against a raw server
on loopback that answers as told: kept alive or closed, chunked, late, or malformed."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httptools
import pytest
import trustme
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.channels.telegram.aiohttp_request import LeanRequest, env_proxy, lean_origin
from bot.channels.telegram.lean_http import LeanHttp
from tests.fake_telegram import TOKEN

OK = b'{"ok":true,"result":true}'
Answer = Callable[[int, bytes], bytes]  # (request number, request body) -> raw answer


def plain(body: bytes, *, close: bool = False) -> bytes:
    extra = b"Connection: close\r\n" if close else b""
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)


def chunked(*parts: bytes) -> bytes:
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts)
    return b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n"


@dataclass
class RawServer:
    """Answers each request with `answer(number, body)`; counts connections and requests."""

    answer: Answer
    connections: int = 0
    bodies: list[bytes] = field(default_factory=list)
    late: asyncio.Event = field(default_factory=asyncio.Event)
    port: int = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                body = await reader.readexactly(length)
                self.bodies.append(body)
                number = len(self.bodies)
                if number == 1 and self.answer is late_first:
                    await self.late.wait()  # answered only after the client gave up
                writer.write(self.answer(number, body))
                await writer.drain()
                if b"Connection: close" in self.answer(number, body):
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def late_first(number: int, body: bytes) -> bytes:
    return plain(b'{"ok":true,"result":"%s"}' % (b"late" if number == 1 else b"on time"))


@asynccontextmanager
async def raw_server(answer: Answer, tls: ssl.SSLContext | None = None) -> AsyncIterator[RawServer]:
    raw = RawServer(answer)
    server = await asyncio.start_server(raw.serve, "127.0.0.1", 0, ssl=tls)
    raw.port = server.sockets[0].getsockname()[1]
    async with server:
        yield raw
        raw.late.set()
        server.close()


async def post(lean: LeanHttp, body: bytes = b"{}", read: float | None = 5) -> tuple[int, bytes]:
    return await lean.post_json(
        "/botTOKEN/sendMessage", body, "test", pool_timeout=1, connect_timeout=1, read_timeout=read
    )


async def test_one_kept_connection_carries_calls_one_after_another() -> None:
    async with raw_server(lambda n, body: plain(body)) as raw:
        lean = LeanHttp("http", "127.0.0.1", raw.port, connections=4)
        for text in (b'{"n":1}', '{"t":"Xin chào"}'.encode(), b'{"n":3}'):
            assert await post(lean, text) == (200, text)
        assert raw.connections == 1
        lean.close()


async def test_over_tls_the_certificate_is_checked_and_the_answers_read() -> None:
    authority = trustme.CA()
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_side)
    trusting = ssl.create_default_context()
    authority.configure_trust(trusting)
    async with raw_server(lambda n, body: plain(body), tls=server_side) as raw:
        lean = LeanHttp("https", "127.0.0.1", raw.port, connections=1, ssl_context=trusting)
        assert await post(lean, b'{"n":1}') == (200, b'{"n":1}')
        assert await post(lean, b'{"n":2}') == (200, b'{"n":2}')
        assert raw.connections == 1
        lean.close()
        doubting = LeanHttp("https", "127.0.0.1", raw.port, connections=1)  # the system's CAs
        with pytest.raises(ssl.SSLCertVerificationError):
            await post(doubting)
        assert len(raw.bodies) == 2  # nothing was sent to a server it could not verify


async def test_a_chunked_answer_is_put_together() -> None:
    async with raw_server(lambda n, body: chunked(b'{"ok":true,', b'"result":', b"true}")) as raw:
        lean = LeanHttp("http", "127.0.0.1", raw.port, connections=1)
        assert await post(lean) == (200, OK)
        assert await post(lean) == (200, OK)
        lean.close()


async def test_a_connection_the_server_closes_is_not_used_again() -> None:
    async with raw_server(lambda n, body: plain(OK, close=True)) as raw:
        lean = LeanHttp("http", "127.0.0.1", raw.port, connections=1)
        for _ in range(3):
            assert await post(lean) == (200, OK)
        assert raw.connections == 3
        lean.close()


async def test_an_answer_that_comes_after_the_timeout_never_answers_the_next_call() -> None:
    async with raw_server(late_first) as raw:
        lean = LeanHttp("http", "127.0.0.1", raw.port, connections=1)
        with pytest.raises(TimeoutError):
            await post(lean, read=0.05)
        raw.late.set()  # the late answer goes to a connection that was dropped
        assert await post(lean) == (200, b'{"ok":true,"result":"on time"}')
        assert raw.connections == 2
        lean.close()


async def test_through_python_telegram_bot_a_malformed_answer_is_a_network_error() -> None:
    async with raw_server(lambda n, body: b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n") as raw:
        request = LeanRequest(connections=1)
        bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{raw.port}/bot", request=request)
        await request.initialize()
        try:
            with pytest.raises(NetworkError) as failed:
                await bot.send_message(7, "a")
            assert not isinstance(failed.value, TimedOut)
            assert TOKEN not in str(failed.value)
            assert raw.bodies  # it was sent as JSON, on the lean path
        finally:
            await request.shutdown()


def test_a_proxied_host_or_a_broken_url_stays_on_aiohttp(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"):
        for variant in (name, name.lower()):
            monkeypatch.delenv(variant, raising=False)
    env_proxy.cache_clear()
    try:
        assert lean_origin("https://api.telegram.org/botT/getMe") == (
            "https",
            "api.telegram.org",
            443,
        )
        assert lean_origin("http://127.0.0.1:8081/botT/getMe") == ("http", "127.0.0.1", 8081)
        assert lean_origin("http://127.0.0.1:1:2/botT/getMe") is None
        monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
        env_proxy.cache_clear()
        assert lean_origin("https://api.telegram.org/botT/x") is None
    finally:
        env_proxy.cache_clear()


async def test_the_parser_error_is_httptools_own() -> None:
    async with raw_server(lambda n, body: b"NOT HTTP AT ALL\r\n\r\n") as raw:
        lean = LeanHttp("http", "127.0.0.1", raw.port, connections=1)
        with pytest.raises(httptools.HttpParserError):
            await post(lean)
        lean.close()
