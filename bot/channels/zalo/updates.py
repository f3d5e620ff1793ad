"""Zalo update payloads, flat or wrapped, into a small typed message."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from bot.core.messages import Kind


@dataclass(frozen=True)
class ZaloMessage:
    message_id: str
    user_id: str
    chat_id: str
    is_private: bool
    from_bot: bool
    kind: Kind
    text: str = ""
    photo_url: str = ""


def unwrap(body: Any) -> Any:
    """Webhook bodies come flat ({event_name, message}) or wrapped ({ok, result: {...}})."""
    if isinstance(body, dict) and "event_name" not in body and isinstance(body.get("result"), dict):
        return body["result"]
    return body


def parse_update(body: Any) -> ZaloMessage | None:
    """The message in an update, or None when the payload is not one we understand."""
    update = unwrap(body)
    if not isinstance(update, dict):
        return None
    message = update.get("message")
    event = str(update.get("event_name", ""))
    if not isinstance(message, dict):
        return None
    sender = message.get("from")
    chat = message.get("chat")
    sender = sender if isinstance(sender, dict) else {}
    chat = chat if isinstance(chat, dict) else {}
    message_id, user_id = _id(message.get("message_id")), _id(sender.get("id"))
    chat_id = _id(chat.get("id")) if chat.get("id") is not None else user_id
    if not message_id or not user_id or not chat_id:
        return None
    if event == "message.text.received" and not isinstance(message.get("text"), str):
        return None  # a text event without its text is malformed
    found = ZaloMessage(
        message_id=message_id[:100],
        user_id=user_id[:100],
        chat_id=chat_id[:100],
        is_private=str(chat.get("chat_type", "PRIVATE")).upper() != "GROUP",
        from_bot=bool(sender.get("is_bot")),
        kind=Kind.UNSUPPORTED,
    )
    if event == "message.text.received" and isinstance(message.get("text"), str):
        return replace(found, kind=Kind.TEXT, text=message["text"])
    if event == "message.image.received":
        url = message.get("photo_url") or message.get("photo") or ""
        caption = message.get("caption")
        caption = caption if isinstance(caption, str) else ""
        return replace(found, kind=Kind.PHOTO, photo_url=str(url), text=caption)
    return found


def _id(value: Any) -> str | None:
    """An id as Zalo sends them (a string or a whole number); None for anything else."""
    if isinstance(value, str) and value.strip():
        return value
    if type(value) is int:
        return str(value)
    return None
