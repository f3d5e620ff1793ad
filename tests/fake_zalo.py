"""A fake Zalo Bot API on loopback, with the quirks observed in the wild switchable.

It implements the methods of the spec note, records every request, enforces the documented
limits (text 1-2000 characters, photos only by http(s) URL, getUpdates refused while a
webhook is set) and serves files as a CDN would, for photo downloads.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

TOKEN = "1234567890abcdef:fake-zalo-secret-token"


@dataclass
class FakeZalo:
    token: str = TOKEN
    replay: bool = False  # True: getUpdates returns the same update until another is pushed
    idle_http_status: int = 200  # the 408 "Request timeout" envelope comes with 200 or 408
    webhook_url: str = ""
    unreachable: set[str] = field(default_factory=set)
    failures: list[tuple[int, int, str]] = field(default_factory=list)  # (http, code, text)
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    _queue: list[dict[str, Any]] = field(default_factory=list)
    _last: dict[str, Any] | None = None
    _ids: itertools.count[int] = field(default_factory=itertools.count)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def wait_for(self, predicate: Callable[[], object], within: float = 10.0) -> None:
        """Waits (without polling) until `predicate()` is truthy after some request."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), within)

    def push_text(self, user: str, text: str, *, group: bool = False) -> str:
        return self.push("message.text.received", user, {"text": text}, group=group)

    def push_photo(self, user: str, url: str) -> str:
        extra = {"photo_url": url, "caption": "", "message_type": "CHAT_PHOTO"}
        return self.push("message.image.received", user, extra)

    def push(self, event: str, user: str, extra: dict[str, Any], *, group: bool = False) -> str:
        message_id = f"{next(self._ids):020x}"
        chat = {"id": "group1" if group else user, "chat_type": "GROUP" if group else "PRIVATE"}
        message = {
            "message_id": message_id,
            "date": 1776919152762,
            "from": {"id": user, "display_name": "Lan", "is_bot": False},
            "chat": chat,
            **extra,
        }
        self._queue.append({"event_name": event, "message": message})
        return message_id

    def sent(self, method: str = "sendMessage", chat_id: str | None = None) -> list[dict[str, Any]]:
        return [
            p
            for m, p in self.requests
            if m == method and (chat_id is None or p.get("chat_id") == chat_id)
        ]

    def texts(self, chat_id: str) -> list[str]:
        return [str(p["text"]) for p in self.sent("sendMessage", chat_id)]

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/bot{token:str}/{method:str}", self._api, methods=["POST", "GET"]),
                Route("/cdn/{name:str}", self._cdn, methods=["GET"]),
            ]
        )

    async def _cdn(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name.startswith("redirect-"):
            return Response(status_code=302, headers={"location": f"/cdn/{name[9:]}"})
        if name not in self.files:
            return Response(status_code=404)
        data, mime = self.files[name]
        return Response(data, media_type=mime)

    async def _api(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return _error(401, 401, "Unauthorized")
        method = request.path_params["method"]
        payload = await request.json() if await request.body() else {}
        self.requests.append((method, payload))
        async with self._changed:
            self._changed.notify_all()
        if self.failures:
            status, code, text = self.failures.pop(0)
            return _error(status, code, text)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, 404, "Not Found")
        result: JSONResponse = handler(payload)
        return result

    def _m_getMe(self, payload: dict[str, Any]) -> JSONResponse:
        return _ok({"id": "bot1", "account_name": "langson_bot", "account_type": "BASIC"})

    def _m_getUpdates(self, payload: dict[str, Any]) -> JSONResponse:
        if self.webhook_url:
            return _error(200, 400, "You cannot use this API while a webhook is set")
        if self._queue:
            self._last = self._queue.pop(0)
            return _ok(self._last)
        if self.replay and self._last is not None:
            return _ok(self._last)
        return _error(self.idle_http_status, 408, "Request timeout")

    def _m_setWebhook(self, payload: dict[str, Any]) -> JSONResponse:
        url, secret = str(payload.get("url", "")), str(payload.get("secret_token", ""))
        if not url.startswith("https://") or not 8 <= len(secret) <= 256:
            return _error(200, 400, "Bad Request")
        self.webhook_url = url
        return _ok({"url": url, "updated_at": 1776919152762})

    def _m_deleteWebhook(self, payload: dict[str, Any]) -> JSONResponse:
        self.webhook_url = ""
        return _ok({"url": "", "updated_at": 1776919152762})

    def _m_sendMessage(self, payload: dict[str, Any]) -> JSONResponse:
        text = payload.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= 2000:
            return _error(200, 400, "text must be 1-2000 characters")
        return self._deliver(payload)

    def _m_sendPhoto(self, payload: dict[str, Any]) -> JSONResponse:
        photo = str(payload.get("photo", ""))
        if not photo.startswith(("http://", "https://")):
            return _error(200, 400, "photo must be a URL")
        return self._deliver(payload)

    def _deliver(self, payload: dict[str, Any]) -> JSONResponse:
        if str(payload.get("chat_id")) in self.unreachable:
            return _error(200, 410, "The chat_id is invaild")
        return _ok({"message_id": f"out{len(self.requests)}", "date": 1776919152762})


def _ok(result: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


def _error(status: int, code: int, text: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error_code": code, "description": text}, status_code=status)
