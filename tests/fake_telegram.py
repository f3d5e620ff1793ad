"""A fake Telegram Bot API server on 127.0.0.1 that the real python-telegram-bot stack talks to.

It serves `/bot<token>/<method>` and `/file/bot<token>/<path>`, feeds updates through
`getUpdates` (long polling that wakes as soon as an update is pushed), records every request,
and checks each one against the official spec (`tests/telegram_spec.py`): a violation is
answered 400 and kept in `violations`, which the harness asserts empty. Faults can be
injected per method (and chat): 429 with retry_after, 5xx, 403, or a request left hanging
(the client times out; nothing is delivered). `hold(method)` keeps requests waiting (in
`held`) until `release()`: work that is in flight, for as long as a test needs it to be.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections import Counter
from collections.abc import Callable
from email import policy
from email.parser import BytesParser
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fake_telegram_parts import (
    ApiError,
    Call,
    Fault,
    chat,
    error_response,
    hang,
    photo_size,
    server_error,
    too_many,
)
from tests.loopback import LoopbackServer
from tests.telegram_spec import Spec

__all__ = ["Call", "Fault", "chat", "hang", "photo_size", "server_error", "too_many"]

T = TypeVar("T")
TOKEN = "123456789:AAH-fake-token-for-tests_0123456789"
BOT = {
    "id": 123456789,
    "is_bot": True,
    "first_name": "Lạng Sơn nói không với rác thải nhựa",
    "username": "LangSonPlasticBot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


class FakeTelegram:
    def __init__(self, spec: Spec, token: str = TOKEN) -> None:
        self.spec = spec
        self.token = token
        self.calls: list[Call] = []
        # Requests by method as they arrive; `calls` records them once answered, which for a
        # long poll may be after the process that sent it was killed.
        self.arrived: Counter[str] = Counter()
        self.violations: list[str] = []
        self.faults: list[Fault] = []
        self.pending: list[dict[str, Any]] = []
        self.acked = 0  # updates below this id were confirmed by the bot
        self.blocked: set[int] = set()
        self.deactivated: set[int] = set()
        self.unknown_chats: set[int] = set()
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.webhook: dict[str, Any] = {}
        self.hanging = asyncio.Event()  # set when a request was left hanging
        self.holding: set[str] = set()  # methods whose requests wait for `release()`
        self.held: list[Call] = []
        self._released = asyncio.Event()
        self.received: dict[tuple[int, int], dict[str, Any]] = {}  # pushed messages, by chat
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(100)
        self._changed = asyncio.Condition()
        self._closing = asyncio.Event()
        app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._api, methods=["GET", "POST"]),
                Route("/file/bot{token}/{path:path}", self._file, methods=["GET"]),
            ]
        )
        self.server = LoopbackServer(app, log_config=None)

    @property
    def base_url(self) -> str:
        return f"{self.server.url}/bot"

    async def __aenter__(self) -> FakeTelegram:
        self.server.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._closing.set()
        self._released.set()
        await self._notify()
        await self.server.stop()

    # --- feeding and observing -------------------------------------------------------------

    async def push(self, update: dict[str, Any]) -> int:
        update = {"update_id": next(self._update_ids), **update}
        message = update.get("message")
        if message is not None:
            self.received[(message["chat"]["id"], message["message_id"])] = message
        self.pending.append(update)
        await self._notify()
        return int(update["update_id"])

    async def wait_for(self, predicate: Callable[[], T], within: float = 10.0) -> T:
        """Waits (without polling) until `predicate()` is truthy after some request."""
        async with self._changed:
            return await asyncio.wait_for(self._changed.wait_for(predicate), within)

    def hold(self, method: str) -> None:
        """Requests of `method` wait (each in `held`) until `release()`; faults still apply."""
        self.holding.add(method)
        self._released.clear()

    async def release(self) -> None:
        self.holding.clear()
        self._released.set()
        await self._notify()

    def sent(self, chat_id: int | None = None, method: str | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if (c.delivered if method is None else c.method == method and c.status == 200)
            and (chat_id is None or c.chat_id == chat_id)
        ]

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # --- the API ---------------------------------------------------------------------------

    async def _api(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return error_response(401, "Unauthorized")
        method = request.path_params["method"]
        spec = self.spec.method(method)
        if spec is None:
            self.violations.append(f"{method}: no such method")
            return error_response(404, "Not Found")
        method = spec["name"]
        self.arrived[method] += 1
        if method == "getUpdates":
            await self._notify()  # a test may be waiting for a process to poll
        params, files = await self._params(request, method)
        call = Call(method, params, files)
        problems = self.spec.check_call(method, params, set(files))
        if problems:
            self.violations.extend(problems)
            return await self._finish(
                call, error_response(400, "Bad Request: " + "; ".join(problems))
            )
        fault = self._fault(call)
        if method in self.holding:
            self.held.append(call)
            await self._notify()
            await self._released.wait()
        if fault is not None and fault.hang:
            call.status = 0
            self.calls.append(call)
            self.hanging.set()
            await self._notify()
            await self._closing.wait()
            return error_response(504, "Gateway Timeout")
        if fault is not None:
            extra = {"retry_after": fault.retry_after} if fault.retry_after else None
            return await self._finish(call, error_response(fault.status, fault.description, extra))
        try:
            result = await self._handle(call)
        except ApiError as exc:
            return await self._finish(call, error_response(exc.status, exc.description))
        call.result = result
        return await self._finish(call, JSONResponse({"ok": True, "result": result}))

    async def _finish(self, call: Call, response: Response) -> Response:
        call.status = response.status_code
        self.calls.append(call)
        await self._notify()
        return response

    async def _params(self, request: Request, method: str) -> tuple[dict[str, Any], dict[str, Any]]:
        body = await request.body()
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        files: dict[str, tuple[str, bytes]] = {}
        if kind == "application/json":
            return json.loads(body or b"{}"), files
        if kind == "multipart/form-data":
            head = b"Content-Type: " + request.headers["content-type"].encode() + b"\r\n\r\n"
            message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
            raw: dict[str, str] = {}
            for part in message.iter_parts():
                name = str(part.get_param("name", header="content-disposition"))
                payload = part.get_payload(decode=True)
                data = payload if isinstance(payload, bytes) else b""
                filename = part.get_filename()
                if filename is not None:
                    files[name] = (filename, data)
                else:
                    raw[name] = data.decode()
        else:
            raw = dict(parse_qsl(body.decode() or request.url.query, keep_blank_values=True))
        return {k: self.spec.decode(method, k, v) for k, v in raw.items()}, files

    def _fault(self, call: Call) -> Fault | None:
        for fault in self.faults:
            if fault.method != call.method or fault.times <= 0:
                continue
            if fault.chat_id is not None and fault.chat_id != call.chat_id:
                continue
            fault.seen += 1
            if fault.seen % fault.every == 0:
                fault.times -= 1
                return fault
        return None

    async def _handle(self, call: Call) -> Any:
        p = call.params
        match call.method:
            case "getMe":
                return BOT
            case "getUpdates":
                return await self._get_updates(p)
            case "setMyCommands":
                scope = p.get("scope") or {"type": "default"}
                key = (json.dumps(scope, sort_keys=True), str(p.get("language_code", "")))
                self.commands[key] = p["commands"]
                return True
            case "setWebhook" | "deleteWebhook":
                self.webhook = dict(p) if call.method == "setWebhook" else {}
                return True
            case "sendMessage" | "sendPhoto" | "sendDocument":
                return self._new_message(call)
            case "editMessageReplyMarkup" | "editMessageText":
                return self._edit(call)
            case "getFile":
                if p["file_id"] not in self.files:
                    raise ApiError(400, "Bad Request: invalid file_id")
                size = len(self.files[p["file_id"]])
                path = f"photos/{p['file_id']}.jpg"
                return {
                    "file_id": p["file_id"],
                    "file_unique_id": "u" + p["file_id"],
                    "file_size": size,
                    "file_path": path,
                }
            case _:
                return True

    async def _get_updates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(p.get("offset", 0))
        if offset:
            self.acked = max(self.acked, offset)
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
            await self._notify()  # a test may be waiting for the confirmation
        if not self.pending and int(p.get("timeout", 0)) > 0:
            async with self._changed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        self._changed.wait_for(lambda: self.pending or self._closing.is_set()),
                        float(p["timeout"]),
                    )
        return self.pending[: int(p.get("limit", 100))]

    def _check_chat(self, chat_id: int) -> None:
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id in self.deactivated:
            raise ApiError(403, "Forbidden: user is deactivated")
        if chat_id in self.unknown_chats:
            raise ApiError(400, "Bad Request: chat not found")

    def _new_message(self, call: Call) -> dict[str, Any]:
        chat_id = call.chat_id
        assert chat_id is not None
        self._check_chat(chat_id)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "from": BOT,
            "chat": chat(chat_id),
            "date": 1764900000,
        }
        p = call.params
        if call.method == "sendMessage":
            message["text"] = p["text"]
        elif call.method == "sendPhoto":
            message["photo"] = [photo_size("sent", 1280, 960)]
        else:
            name = call.files["document"][0] if "document" in call.files else "file"
            message["document"] = {"file_id": "doc", "file_unique_id": "udoc", "file_name": name}
        if "caption" in p:
            message["caption"] = p["caption"]
        markup = p.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        replied = self._replied_to(chat_id, p.get("reply_parameters"))
        if replied is not None:
            message["reply_to_message"] = replied
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _replied_to(self, chat_id: int, reply: object) -> dict[str, Any] | None:
        """The message a reply quotes (without its own reply_to_message, as Telegram does)."""
        if not isinstance(reply, dict) or "message_id" not in reply:
            return None
        key = (int(reply.get("chat_id", chat_id)), int(reply["message_id"]))
        found = self.received.get(key) or self.messages.get(key)
        if found is None and not reply.get("allow_sending_without_reply"):
            raise ApiError(400, "Bad Request: message to be replied not found")
        if found is None:
            return None
        return {k: v for k, v in found.items() if k != "reply_to_message"}

    def _edit(self, call: Call) -> dict[str, Any]:
        key = (int(call.params["chat_id"]), int(call.params["message_id"]))
        message = self.messages.get(key)
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if "text" in call.params:
            message["text"] = call.params["text"]
        markup = call.params.get("reply_markup")
        if markup:
            message["reply_markup"] = markup
        elif "reply_markup" in message:
            del message["reply_markup"]
        elif call.method == "editMessageReplyMarkup":
            raise ApiError(400, "Bad Request: message is not modified")
        return message

    async def _file(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return error_response(401, "Unauthorized")
        file_id = request.path_params["path"].removeprefix("photos/").removesuffix(".jpg")
        data = self.files.get(file_id)
        return (
            Response(data, media_type="image/jpeg")
            if data is not None
            else error_response(404, "Not Found")
        )
