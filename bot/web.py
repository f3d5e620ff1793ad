"""One web server for every inbound HTTP endpoint: health checks and platform webhooks.

`build_web_app(routes)` makes the app: `/healthz` plus the routes the channels register.
The webhooks are `PostRoute`s, served before Starlette (`web_post.py`): Telegram's
(`channels/telegram/webhook.py`), and any framework-neutral handler `(headers, body) ->
(status, JSON)` such as Zalo's (`handler_route`). The media route is a Starlette route.
`WebServer` runs it under uvicorn on a socket bound up front (so the port is known at once,
even when it was 0) and leaves signal handling to the runner. Connections are limited and
their headers and bodies must arrive in time (`web_protocol.py`, `web_post.read_body`); in
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
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.web_post import Answer, Headers, PostRoute, WebApp
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
) -> PostRoute:
    """A framework-neutral handler (headers, body) -> (status, JSON answer) as a POST route.

    `authorized` checks the headers (a webhook secret) before a byte of the body is read, and
    the body is read with a running cap, so an unauthenticated or endless upload costs nothing.
    """

    def check(headers: Headers) -> Answer | None:
        if authorized is None or authorized(headers):
            return None
        return Answer.json({"ok": False, "description": "unauthorized"}, status=401)

    async def handle(headers: Headers, body: bytes) -> Answer:
        status, answer = await handler(headers, body)
        return Answer.json(answer, status=status)

    return PostRoute(path, check, handle)


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
