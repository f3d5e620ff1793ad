"""The neutral language every channel speaks with the engine.

Nothing here knows about Telegram, Zalo or a terminal: adapters translate platform payloads
into `Incoming` and render `Reply` objects under their channel's `Capabilities`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """What an incoming message carries."""

    TEXT = "text"
    COMMAND = "command"
    CHOICE = "choice"
    PHOTO = "photo"
    DOCUMENT = "document"  # a file (a CSV of schools); features that want one say so
    LOCATION = "location"
    UNSUPPORTED = "unsupported"  # a sticker, voice note, file... the bot cannot read
    BLOCKED = "blocked"
    UNBLOCKED = "unblocked"


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Attachment:
    """A photo or document: bytes plus the file name to show."""

    data: bytes
    filename: str
    mime_type: str = "application/octet-stream"
    # A photo already checked and re-encoded before the message's transaction began
    # (bot.storage.photos.clean_ahead): the 0.2-0.5 s of it then holds no database lock.
    cleaned: bytes | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Incoming:
    """One message from one person on one channel.

    `user_id` and `chat_id` are the channel's own identifiers, as strings. `language_hint` is
    what the platform says about the person's language (e.g. Telegram's `language_code`).
    """

    channel: str
    user_id: str
    chat_id: str
    kind: Kind
    text: str = ""
    command: str = ""
    args: str = ""
    payload: str = ""
    photo: Attachment | None = None
    location: Location | None = None
    document: Attachment | None = None
    language_hint: str | None = None
    is_private: bool = True

    @classmethod
    def from_text(
        cls,
        channel: str,
        user_id: str,
        text: str,
        *,
        chat_id: str | None = None,
        language_hint: str | None = None,
        is_private: bool = True,
    ) -> Incoming:
        """Builds a command (text starting with '/') or a plain text message."""
        chat = chat_id or user_id
        stripped = text.strip()
        command, args, kind = "", "", Kind.TEXT
        if stripped.startswith("/") and len(stripped) > 1:
            head, _, rest = stripped[1:].partition(" ")
            command, args, kind = head.split("@", 1)[0].lower(), rest.strip(), Kind.COMMAND
        return cls(
            channel,
            user_id,
            chat,
            kind,
            text=text,
            command=command,
            args=args,
            language_hint=language_hint,
            is_private=is_private,
        )


@dataclass(frozen=True)
class Choice:
    """An option offered to the person. `payload` is typed and prefixed ("role:student").

    `intent` names what the option means beyond its words ("yes", "no", "level.primary"), so
    that the answer interpreter also takes the everyday ways of saying it (`content/answers.yaml`).
    """

    label: str
    payload: str
    intent: str = ""


@dataclass(frozen=True)
class Reply:
    text: str
    choices: tuple[Choice, ...] = ()
    photo: Attachment | None = None
    document: Attachment | None = None
    ask_location: bool = False
    lettered: bool = False  # the choices' labels start with their letter (A-D), not a number


@dataclass(frozen=True)
class Capabilities:
    """What a channel can show; the renderer degrades everything else."""

    buttons: bool = False
    max_text: int = 4096
    photos_by_url_only: bool = False
    location: bool = False
    documents: bool = True


@dataclass
class Outgoing:
    """Replies addressed to one chat, ready for a channel to send."""

    channel: str
    chat_id: str
    replies: list[Reply] = field(default_factory=list)
