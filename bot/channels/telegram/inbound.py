"""Telegram updates -> what the channel does with them, as plain data (no I/O here).

A person is identified by their Telegram user id, and `Incoming.chat_id` is always their
private chat (which has the same id): a command typed in a group must not move that person's
daily tips into the group. The channel answers in the chat the update came from.

In groups the bot hears only commands addressed to it (`/help`, `/help@ThisBot`; not
`/help@OtherBot`); everything else there is ignored, so nobody is recorded for chatting in a
group. Edited messages, channel posts, service messages and the like are ignored too.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.core.messages import Incoming, Kind, Location

JSON = dict[str, Any]
CHANNEL = "telegram"
IMAGE_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
# Message contents the engine cannot read; anything not listed (service messages) is ignored.
UNSUPPORTED_CONTENT = (
    "animation",
    "audio",
    "contact",
    "dice",
    "game",
    "poll",
    "sticker",
    "story",
    "video",
    "video_note",
    "voice",
)


class Action(StrEnum):
    ENGINE = "engine"  # hand `incoming` to the engine
    DOWNLOAD = "download"  # download `file` into `incoming` (a photo or document) first
    IGNORE = "ignore"


@dataclass(frozen=True)
class FileRef:
    file_id: str
    filename: str
    mime_type: str
    size: int | None
    is_photo: bool


@dataclass(frozen=True)
class Inbound:
    action: Action
    chat_id: int = 0  # where to answer
    incoming: Incoming | None = None
    file: FileRef | None = None
    message_id: int = 0  # the message read


IGNORE = Inbound(Action.IGNORE)


@dataclass(frozen=True)
class Press:
    """A pressed inline button (a callback query)."""

    query_id: str
    user_id: int
    language_hint: str | None
    data: str | None
    chat_id: int  # where to answer: the presser's private chat, or the group
    message_id: int | None  # the pressed message, if Telegram still shows it to the bot
    private: bool
    has_keyboard: bool  # the pressed message still carries its keyboard
    by_addressee: bool  # see `pressed_by_addressee`


def _int(value: Any) -> int:
    if type(value) is not int:
        raise TypeError(f"not an integer: {value!r}")
    return value


def _str(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"not a string: {value!r}")
    return value


def _user(part: JSON) -> JSON | None:
    user = part.get("from")
    if user is not None and not isinstance(user, dict):
        raise TypeError("`from` is not a user")
    return user


def addressed_to(text: str, username: str) -> bool:
    """A command for this bot: `/cmd` or `/cmd@username` (case-insensitive)."""
    head = text.strip().split(maxsplit=1)[0] if text.strip() else ""
    if not head.startswith("/") or len(head) < 2:
        return False
    _, at, target = head.partition("@")
    return not at or target.lower() == username.lower()


def parse_message(message: JSON, username: str) -> Inbound:
    user = _user(message)
    if user is None or user.get("is_bot"):
        return IGNORE
    private = message["chat"]["type"] == "private"
    person, hint = str(_int(user["id"])), _str(user.get("language_code"))
    chat, number = _int(message["chat"]["id"]), _int(message["message_id"])
    text = _str(message.get("text"))
    if text is not None:
        if not private and not addressed_to(text, username):
            return IGNORE
        incoming = Incoming.from_text(
            CHANNEL, person, text, chat_id=person, language_hint=hint, is_private=private
        )
        return Inbound(Action.ENGINE, chat, incoming, message_id=number)
    if not private:
        return IGNORE
    location = message.get("location")
    if location is not None:  # also set for venues
        where = Location(float(location["latitude"]), float(location["longitude"]))
        incoming = Incoming(
            CHANNEL, person, person, Kind.LOCATION, location=where, language_hint=hint
        )
        return Inbound(Action.ENGINE, chat, incoming, message_id=number)
    file = attached_file(message)
    if file is not None:
        kind, caption = (Kind.PHOTO if file.is_photo else Kind.DOCUMENT), message.get("caption")
        incoming = Incoming(
            CHANNEL, person, person, kind, text=_str(caption) or "", language_hint=hint
        )
        return Inbound(Action.DOWNLOAD, chat, incoming, file, number)
    if any(message.get(name) for name in UNSUPPORTED_CONTENT):
        incoming = Incoming(CHANNEL, person, person, Kind.UNSUPPORTED, language_hint=hint)
        return Inbound(Action.ENGINE, chat, incoming, message_id=number)
    return IGNORE


def attached_file(message: JSON) -> FileRef | None:
    """The largest size of a photo; a document (one that is an image counts as a photo)."""
    photo = message.get("photo")
    if photo:
        best = max(photo, key=lambda p: (p["width"] * p["height"], p.get("file_size") or 0))
        name = f"{best['file_unique_id']}.jpg"
        return FileRef(best["file_id"], name, "image/jpeg", best.get("file_size"), is_photo=True)
    document = message.get("document")
    if document is None:
        return None
    mime = document.get("mime_type") or "application/octet-stream"
    name = document.get("file_name") or document["file_unique_id"] + IMAGE_TYPES.get(mime, "")
    size = document.get("file_size")
    return FileRef(document["file_id"], name, mime, size, is_photo=mime in IMAGE_TYPES)


def parse_membership(change: JSON) -> Inbound:
    """In a private chat, 'kicked' means the person blocked the bot; back to 'member' means
    they unblocked it (restarted). Being added to or removed from groups changes nothing."""
    if change["chat"]["type"] != "private":
        return IGNORE
    old, new = change["old_chat_member"]["status"], change["new_chat_member"]["status"]
    if new == "kicked":
        kind = Kind.BLOCKED
    elif old == "kicked" and new == "member":
        kind = Kind.UNBLOCKED
    else:
        return IGNORE
    user = change["from"]
    person, hint = str(_int(user["id"])), _str(user.get("language_code"))
    return Inbound(
        Action.ENGINE,
        _int(change["chat"]["id"]),
        Incoming(CHANNEL, person, person, kind, language_hint=hint),
    )


def parse_update(update: JSON, username: str) -> Inbound:
    """Messages and membership changes; callback queries are `parse_press`'s."""
    message = update.get("message")
    if message is not None:
        return parse_message(message, username)
    change = update.get("my_chat_member")
    if change is not None:
        return parse_membership(change)
    return IGNORE


def parse_press(query: JSON) -> Press:
    """In a private chat only its owner can press: a press on a message of another private
    chat is forged, and is answered in the presser's own chat, not there."""
    user = query["from"]
    user_id = _int(user["id"])
    message = query.get("message")
    if message is not None and not message.get("date"):  # date 0: no longer accessible
        message = None
    private = message is None or message["chat"]["type"] == "private"
    chat_id = user_id if private or message is None else _int(message["chat"]["id"])
    return Press(
        query_id=str(query["id"]),
        user_id=user_id,
        language_hint=_str(user.get("language_code")),
        data=_str(query.get("data")),
        chat_id=chat_id,
        message_id=None if message is None else _int(message["message_id"]),
        private=private,
        has_keyboard=message is not None and bool(message.get("reply_markup")),
        by_addressee=message is not None and pressed_by_addressee(message, user_id),
    )


def pressed(press: Press, data: str) -> Incoming:
    """What the engine judges of a press: its button's payload, from the presser."""
    person = str(press.user_id)
    return Incoming(
        CHANNEL,
        person,
        person,
        Kind.CHOICE,
        payload=data,
        language_hint=press.language_hint,
        is_private=press.private,
    )


def pressed_by_addressee(message: JSON, user_id: int) -> bool:
    """A press by the person the message was for: the owner of a private chat; in a group,
    whoever sent the command the message answers (it is a reply to it)."""
    if message["chat"]["type"] == "private":
        return bool(message["chat"]["id"] == user_id)
    command = message.get("reply_to_message")
    sender = command.get("from") if isinstance(command, dict) else None
    return isinstance(sender, dict) and sender.get("id") == user_id


def person_key(data: dict[str, Any]) -> str:
    """Whose update this is, from the raw JSON: the sender, else the chat."""
    for field_name in ("message", "edited_message", "callback_query", "my_chat_member"):
        part = data.get(field_name)
        if isinstance(part, dict):
            sender = part.get("from")
            if isinstance(sender, dict) and sender.get("id") is not None:
                return str(sender["id"])
            chat = part.get("chat")
            if isinstance(chat, dict) and chat.get("id") is not None:
                return str(chat["id"])
    return "-"
