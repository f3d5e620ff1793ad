"""One web server for every inbound HTTP endpoint: health checks and platform webhooks.

`build_web_app(routes)` makes a Starlette app with `/healthz` plus the routes the channels
register: Telegram's webhook (`channels/telegram/webhook.py`), and any framework-neutral handler
`(headers, body) -> (status, JSON)` such as Zalo's webhook (`handler_route`); a media route
is one more `WebRoute`. `WebServer` runs it under uvicorn on a socket bound up front (so the
port is known at once, even when it was 0) and leaves signal handling to the runner.
Connections are limited and their headers and bodies must arrive in time
(`web_protocol.py`, `read_capped`); in production, put a reverse proxy in front anyway.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable, Generator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.core import jsons
from bot.web_protocol import GuardedHttpToolsProtocol

log = logging.getLogger(__name__)
Endpoint = Callable[[Request], Awaitable[Response]]
Handler = Callable[[Mapping[str, str], bytes], Awaitable[tuple[int, dict[str, object]]]]
MAX_BODY = 1024 * 1024  # Telegram updates are a few kilobytes
BODY_TIMEOUT = 10.0  # seconds to read a request's body


class BodyError(Exception):
    """The body could not be read: the response to give instead (if anyone still listens)."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.response = PlainTextResponse(text, status_code=status)


@dataclass(frozen=True)
class WebRoute:
    path: str
    endpoint: Endpoint
    methods: tuple[str, ...] = ("POST",)


async def healthz(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def build_web_app(routes: Sequence[WebRoute] = ()) -> Starlette:
    table = [Route("/healthz", healthz, methods=["GET", "HEAD"])]
    table += [Route(r.path, r.endpoint, methods=list(r.methods)) for r in routes]
    return Starlette(routes=table)


def media_type(request: Request) -> str:
    """'application/json; charset=utf-8' -> 'application/json'."""
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def read_json(request: Request) -> dict[str, Any] | Response:
    """The JSON object of a POST, or the error response to give instead."""
    if media_type(request) != "application/json":
        return PlainTextResponse("expected application/json", status_code=415)
    try:
        body = await read_capped(request)
    except BodyError as exc:
        return exc.response
    try:
        data = jsons.loads(body)
    except ValueError:
        return PlainTextResponse("invalid JSON", status_code=400)
    if not isinstance(data, dict):
        return PlainTextResponse("expected a JSON object", status_code=400)
    return data


def handler_route(
    path: str, handler: Handler, authorized: Callable[[Mapping[str, str]], bool] | None = None
) -> WebRoute:
    """A framework-neutral handler (headers, body) -> (status, JSON answer) as a POST route.

    `authorized` checks the headers (a webhook secret) before a byte of the body is read, and
    the body is read with a running cap, so an unauthenticated or endless upload costs nothing.
    """

    async def endpoint(request: Request) -> Response:
        headers = dict(request.headers)
        if authorized is not None and not authorized(headers):
            return JSONResponse({"ok": False, "description": "unauthorized"}, status_code=401)
        try:
            body = await read_capped(request)
        except BodyError as exc:
            return exc.response
        status, answer = await handler(headers, body)
        return JSONResponse(answer, status_code=status)

    return WebRoute(path, endpoint)


async def read_capped(request: Request, limit: int = MAX_BODY) -> bytes:
    """The request body; BodyError as soon as it passes `limit` bytes (declared or streamed),
    takes longer than BODY_TIMEOUT seconds, or the client goes away (not an error of ours: it is
    logged at INFO)."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise BodyError(413, "too large")
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(BODY_TIMEOUT):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise BodyError(413, "too large")
                chunks.append(chunk)
    except TimeoutError:
        log.info("a request body took longer than %.0f s", BODY_TIMEOUT)
        raise BodyError(408, "body too slow") from None
    except ClientDisconnect:
        log.info("a client went away while sending a request")
        raise BodyError(400, "client disconnected") from None
    return b"".join(chunks)


class _Server(uvicorn.Server):
    @contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        """The runner owns SIGTERM/SIGINT: uvicorn must not take them over."""
        yield


class WebServer:
    def __init__(self, app: Starlette, host: str, port: int) -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say so, and
        # without it every response waits ~40 ms (Nagle's algorithm against delayed ACKs).
        self.socket = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind((host, port))
        self.socket.listen(1024)
        self.host, self.port = self.socket.getsockname()[:2]
        config = uvicorn.Config(
            app,
            http=GuardedHttpToolsProtocol,
            log_config=None,
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=5,
            timeout_keep_alive=5,
        )
        self._server = _Server(config)
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        """Serves in a background task; connections wait in the socket's backlog meanwhile."""
        self._task = asyncio.create_task(self._server.serve(sockets=[self.socket]))

    async def stop(self) -> None:
        """Stops accepting, lets requests in flight finish (at most 5 s), closes the socket."""
        self._server.should_exit = True
        if self._task is not None:
            await self._task
        self.socket.close()
