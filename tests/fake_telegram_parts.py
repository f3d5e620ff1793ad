"""What the fake Bot API server is made of: recorded calls, injectable faults, payload shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.responses import JSONResponse, Response

DELIVERING = {"sendMessage", "sendPhoto", "sendDocument"}


@dataclass
class Fault:
    """What to answer instead of the real thing, for calls of `method` (and `chat_id`)."""

    method: str
    status: int = 429
    description: str = "Too Many Requests: retry after 1"
    retry_after: int | None = None
    times: int = 1
    every: int = 1
    chat_id: int | None = None
    hang: bool = False
    seen: int = 0


def too_many(method: str, retry_after: int, **kw: Any) -> Fault:
    return Fault(method, 429, f"Too Many Requests: retry after {retry_after}", retry_after, **kw)


def server_error(method: str, status: int = 500, **kw: Any) -> Fault:
    return Fault(method, status, "Internal Server Error", **kw)


def hang(method: str, **kw: Any) -> Fault:
    return Fault(method, 0, "", hang=True, **kw)


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    status: int = 200
    result: Any = None

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return (
            int(value)
            if isinstance(value, int | str) and str(value).lstrip("-").isdigit()
            else None
        )

    @property
    def delivered(self) -> bool:
        return self.method in DELIVERING and self.status == 200

    @property
    def buttons(self) -> list[str]:
        markup = self.params.get("reply_markup") or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [button["text"] for row in rows for button in row]


class ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


def error_response(
    status: int, description: str, parameters: dict[str, Any] | None = None
) -> Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return JSONResponse(body, status_code=status)


def chat(chat_id: int, title: str = "Nhóm bảo vệ môi trường") -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
    return {"id": chat_id, "type": "supergroup", "title": title}


def photo_size(file_id: str, width: int, height: int, size: int = 0) -> dict[str, Any]:
    found = {"file_id": file_id, "file_unique_id": "u" + file_id, "width": width, "height": height}
    return found | ({"file_size": size} if size else {})
