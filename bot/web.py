"""One web server for every inbound HTTP endpoint: health checks and platform webhooks.

`build_web_app(routes)` makes the app: `/healthz` plus the routes the channels register.
Telegram's webhook (`channels/telegram/webhook.py`) is a `PostRoute`, served before
Starlette (`web_post.py`); any framework-neutral handler `(headers, body) -> (status, JSON)`
such as Zalo's webhook is a Starlette route (`handler_route`), and so is the media route.
`WebServer` runs it under uvicorn on a socket bound up front (so the port is known at once,
even when it was 0) and leaves signal handling to the runner. Connections are limited and
their headers and bodies must arrive in time (`web_protocol.py`, `read_capped`); in
production, put a reverse proxy in front anyway.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable, Generator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.web_post import MAX_BODY, BodyError, PostRoute, WebApp, read_body
from bot.web_protocol import GuardedHttpToolsProtocol

log = logging.getLogger(__name__)
Endpoint = Callable[[Request], Awaitable[Response]]
Handler = Callable[[Mapping[str, str], bytes], Awaitable[tuple[int, dict[str, object]]]]


@dataclass(frozen=True)
class WebRoute:
    path: str
    endpoint: Endpoint
    methods: tuple[str, ...] = ("POST",)


AnyRoute = WebRoute | PostRoute  # a channel's routes: Starlette ones, and webhooks before it


async def healthz(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def build_web_app(routes: Sequence[AnyRoute] = ()) -> WebApp:
    """`/healthz`, the `WebRoute`s on Starlette, and the `PostRoute`s (the webhooks) before it."""
    table = [Route("/healthz", healthz, methods=["GET", "HEAD"])]
    pages = [r for r in routes if isinstance(r, WebRoute)]
    table += [Route(r.path, r.endpoint, methods=list(r.methods)) for r in pages]
    return WebApp(Starlette(routes=table), [r for r in routes if isinstance(r, PostRoute)])


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
            return PlainTextResponse(exc.text, status_code=exc.status)
        status, answer = await handler(headers, body)
        return JSONResponse(answer, status_code=status)

    return WebRoute(path, endpoint)


async def read_capped(request: Request, limit: int = MAX_BODY) -> bytes:
    """The request body, as `read_body` reads it."""
    return await read_body(request.receive, request.headers.get("content-length", ""), limit)


class _Server(uvicorn.Server):
    @contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        """The runner owns SIGTERM/SIGINT: uvicorn must not take them over."""
        yield


class WebServer:
    def __init__(self, app: WebApp, host: str, port: int) -> None:
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
