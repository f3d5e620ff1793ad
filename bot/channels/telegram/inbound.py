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

from telegram import ChatMemberUpdated, Message, Update
from telegram.constants import ChatMemberStatus, ChatType

from bot.core.messages import Incoming, Kind, Location

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


IGNORE = Inbound(Action.IGNORE)


def addressed_to(text: str, username: str) -> bool:
    """A command for this bot: `/cmd` or `/cmd@username` (case-insensitive)."""
    head = text.strip().split(maxsplit=1)[0] if text.strip() else ""
    if not head.startswith("/") or len(head) < 2:
        return False
    _, at, target = head.partition("@")
    return not at or target.lower() == username.lower()


def parse_message(message: Message, username: str) -> Inbound:
    user = message.from_user
    if user is None or user.is_bot:
        return IGNORE
    private = message.chat.type == ChatType.PRIVATE
    person, hint, chat = str(user.id), user.language_code, message.chat.id
    if message.text is not None:
        if not private and not addressed_to(message.text, username):
            return IGNORE
        incoming = Incoming.from_text(
            CHANNEL, person, message.text, chat_id=person, language_hint=hint, is_private=private
        )
        return Inbound(Action.ENGINE, chat, incoming)
    if not private:
        return IGNORE
    if message.location is not None:  # also set for venues
        where = Location(message.location.latitude, message.location.longitude)
        incoming = Incoming(
            CHANNEL, person, person, Kind.LOCATION, location=where, language_hint=hint
        )
        return Inbound(Action.ENGINE, chat, incoming)
    file = attached_file(message)
    if file is not None:
        kind, caption = (Kind.PHOTO if file.is_photo else Kind.DOCUMENT), message.caption or ""
        incoming = Incoming(CHANNEL, person, person, kind, text=caption, language_hint=hint)
        return Inbound(Action.DOWNLOAD, chat, incoming, file)
    if any(getattr(message, name, None) for name in UNSUPPORTED_CONTENT):
        incoming = Incoming(CHANNEL, person, person, Kind.UNSUPPORTED, language_hint=hint)
        return Inbound(Action.ENGINE, chat, incoming)
    return IGNORE


def attached_file(message: Message) -> FileRef | None:
    """The largest size of a photo; a document (one that is an image counts as a photo)."""
    if message.photo:
        best = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        name = f"{best.file_unique_id}.jpg"
        return FileRef(best.file_id, name, "image/jpeg", best.file_size, is_photo=True)
    document = message.document
    if document is None:
        return None
    mime = document.mime_type or "application/octet-stream"
    name = document.file_name or document.file_unique_id + IMAGE_TYPES.get(mime, "")
    return FileRef(document.file_id, name, mime, document.file_size, mime in IMAGE_TYPES)


def parse_membership(change: ChatMemberUpdated) -> Inbound:
    """In a private chat, 'kicked' means the person blocked the bot; back to 'member' means
    they unblocked it (restarted). Being added to or removed from groups changes nothing."""
    if change.chat.type != ChatType.PRIVATE:
        return IGNORE
    old, new = change.old_chat_member.status, change.new_chat_member.status
    if new == ChatMemberStatus.BANNED:
        kind = Kind.BLOCKED
    elif old == ChatMemberStatus.BANNED and new == ChatMemberStatus.MEMBER:
        kind = Kind.UNBLOCKED
    else:
        return IGNORE
    person = str(change.from_user.id)
    hint = change.from_user.language_code
    return Inbound(
        Action.ENGINE, change.chat.id, Incoming(CHANNEL, person, person, kind, language_hint=hint)
    )


def parse_update(update: Update, username: str) -> Inbound:
    """Messages and membership changes; callback queries are handled by the channel."""
    if update.message is not None:
        return parse_message(update.message, username)
    if update.my_chat_member is not None:
        return parse_membership(update.my_chat_member)
    return IGNORE


def pressed_by_addressee(message: Message, user_id: int) -> bool:
    """A press by the person the message was for: the owner of a private chat; in a group,
    whoever sent the command the message answers (it is a reply to it)."""
    if message.chat.type == ChatType.PRIVATE:
        return message.chat.id == user_id
    command = message.reply_to_message
    return command is not None and command.from_user is not None and command.from_user.id == user_id


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
