"""The web server under abuse: half-open connections, too many of them, cut-off bodies."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from bot.web import WebServer, build_web_app, handler_route
from bot.web_post import MAX_BODY, Answer, Headers, PostRoute
from bot.web_protocol import REFUSALS, GuardedHttpToolsProtocol


async def echo(_headers: object, body: bytes) -> tuple[int, dict[str, object]]:
    return 200, {"size": len(body)}


@pytest.fixture
async def server(monkeypatch: pytest.MonkeyPatch) -> WebServer:
    monkeypatch.setattr(GuardedHttpToolsProtocol, "max_connections", 5)
    monkeypatch.setattr(GuardedHttpToolsProtocol, "header_timeout", 0.3)
    web = WebServer(build_web_app([handler_route("/echo", echo)]), "127.0.0.1", 0)
    web.start()
    return web


async def closed_by_server(reader: asyncio.StreamReader) -> bool:
    return await asyncio.wait_for(reader.read(1000), 10) == b""


async def test_half_open_connections_are_closed_and_health_checks_go_on(
    server: WebServer,
) -> None:
    try:
        silent = [await asyncio.open_connection(server.host, server.port) for _ in range(12)]
        # Beyond the limit a connection is closed at once; the others once their headers
        # are late. Either way each of them ends, and the server answers again.
        for reader, _writer in silent:
            assert await closed_by_server(reader)
        async with httpx.AsyncClient(base_url=server.url) as client:
            assert (await client.get("/healthz")).json() == {"status": "ok"}
        for _reader, writer in silent:
            writer.close()
    finally:
        await server.stop()


async def test_a_request_whose_headers_stall_is_closed_and_a_kept_connection_goes_on(
    server: WebServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Headers cut off half-way, on a new connection and on one that already had an answer:
    each is closed once its headers are late."""
    closed: list[str] = []
    monkeypatch.setattr(REFUSALS, "note", closed.append)
    try:
        reader, writer = await asyncio.open_connection(server.host, server.port)
        writer.write(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Le")
        assert await closed_by_server(reader)
        writer.close()
        reader, writer = await asyncio.open_connection(server.host, server.port)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b'"status":"ok"' in await asyncio.wait_for(reader.read(1000), 10)
        writer.write(b"GET /healthz HTTP/1.1\r\nHo")  # the next request on it stalls
        assert await closed_by_server(reader)
        writer.close()
    finally:
        await server.stop()
    assert closed == ["no request headers in time"] * 2


async def test_a_client_that_goes_away_mid_body_is_not_an_error(
    server: WebServer, caplog: pytest.LogCaptureFixture
) -> None:
    try:
        _reader, writer = await asyncio.open_connection(server.host, server.port)
        writer.write(
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"a":'
        )
        await writer.drain()
        writer.close()
        await writer.wait_closed()
        async with httpx.AsyncClient(base_url=server.url) as client:
            answer = await client.post("/echo", content=b"{}")
            assert answer.json() == {"size": 2}
    finally:
        await server.stop()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_post_route_is_served_before_starlette_with_its_checks() -> None:
    """Refused from the headers before the body is read, 405 for another method, and the
    body's cap; other paths still reach Starlette's routes."""
    bodies: list[bytes] = []

    def check(headers: Headers) -> Answer | None:
        return None if headers.get("x-key") == "k" else Answer.text(403, "forbidden")

    async def handle(_headers: Headers, body: bytes) -> Answer:
        bodies.append(body)
        return Answer.json({"size": len(body)})

    app = build_web_app([PostRoute("/hook", check, handle)])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
        assert (await client.post("/hook", content=b"{}", headers={"x-key": "k"})).json() == {
            "size": 2
        }
        assert (await client.post("/hook", content=b"{}")).status_code == 403
        assert (await client.get("/hook", headers={"x-key": "k"})).status_code == 405
        huge = b"x" * (MAX_BODY + 1)
        assert (await client.post("/hook", content=huge, headers={"x-key": "k"})).status_code == 413
        assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert bodies == [b"{}"]
