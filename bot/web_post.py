"""POST routes served straight from uvicorn's ASGI calls: the platforms' webhooks.

A webhook is called once per update. Starlette's layers around an endpoint (its error and
exception middleware, the router, a `Request` and a `Response` per call) were about a third
of the CPU of a Telegram webhook call, so a `PostRoute` is served before them by `WebApp`,
with only what a webhook needs: the headers (names in lower case), a refusal decided from
them before any of the body is read (`check`), then the body, read under the same cap and
timeout as every other route (`read_body`), and the `Answer`. Every other path goes to the
Starlette app.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from bot.core import jsons

log = logging.getLogger(__name__)
Headers = Mapping[str, str]
MAX_BODY = 1024 * 1024  # Telegram updates are a few kilobytes
BODY_TIMEOUT = 10.0  # seconds to read a request's body
TEXT = b"text/plain; charset=utf-8"


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes = b""
    content_type: bytes = TEXT

    @classmethod
    def text(cls, status: int, text: str) -> Answer:
        return cls(status, text.encode())

    @classmethod
    def json(cls, value: object, status: int = 200) -> Answer:
        return cls(status, jsons.dump_bytes(value), b"application/json")


class BodyError(Exception):
    """The body could not be read: the status and text to answer (if anyone still listens)."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status, self.text = status, text


@dataclass(frozen=True)
class PostRoute:
    path: str
    check: Callable[[Headers], Answer | None]  # a refusal, or None to read the body
    handle: Callable[[Headers, bytes], Awaitable[Answer]]


def media_type(content_type: str) -> str:
    """'application/json; charset=utf-8' -> 'application/json'."""
    return content_type.split(";", 1)[0].strip().lower()


async def read_body(receive: Receive, length: str, limit: int = MAX_BODY) -> bytes:
    """The request body; BodyError as soon as it passes `limit` bytes (declared in the
    Content-Length `length` or streamed), takes longer than BODY_TIMEOUT seconds, or the
    client goes away (not an error of ours: it is logged at INFO)."""
    if length.isdigit() and int(length) > limit:
        raise BodyError(413, "too large")
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(BODY_TIMEOUT):
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    log.info("a client went away while sending a request")
                    raise BodyError(400, "client disconnected")
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    raise BodyError(413, "too large")
                chunks.append(chunk)
                if not message.get("more_body", False):
                    return b"".join(chunks)
    except TimeoutError:
        log.info("a request body took longer than %.0f s", BODY_TIMEOUT)
        raise BodyError(408, "body too slow") from None


class WebApp:
    """The ASGI app the web server runs: its `PostRoute`s, then the Starlette app."""

    def __init__(self, other: ASGIApp, routes: Sequence[PostRoute]) -> None:
        self.other = other
        self.routes = {route.path: route for route in routes}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self.routes.get(scope["path"]) if scope["type"] == "http" else None
        if route is None:
            await self.other(scope, receive, send)
            return
        answer = await _serve(route, scope, receive)
        headers = [(b"content-type", answer.content_type)]
        headers.append((b"content-length", str(len(answer.body)).encode()))
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": answer.body})


async def _serve(route: PostRoute, scope: Scope, receive: Receive) -> Answer:
    if scope["method"] != "POST":
        return Answer.text(405, "Method Not Allowed")
    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
    refused = route.check(headers)
    if refused is not None:
        return refused
    try:
        body = await read_body(receive, headers.get("content-length", ""))
    except BodyError as exc:
        return Answer.text(exc.status, exc.text)
    return await route.handle(headers, body)
