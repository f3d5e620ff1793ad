"""Conversation helpers: a user sends this, the bot answers that."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.app import App
from bot.core.clock import LOCAL_TZ
from bot.core.messages import Attachment, Capabilities, Choice, Incoming, Kind, Location, Reply
from bot.storage.db import Row

CHANNEL = "shell"
ADMIN = "admin"  # named in the test settings' admins
NOT_STAFF = "Schools and teachers are managed by officers of the Department of Education"


@dataclass
class RecordingSender:
    """A channel that records what the outbox delivers; it can be told to fail."""

    capabilities: Capabilities = field(default_factory=lambda: Capabilities(buttons=True))
    sent: list[tuple[str, list[Reply]]] = field(default_factory=list)
    failures: dict[str, Exception] = field(default_factory=dict)

    async def send(self, chat_id: str, replies: Sequence[Reply]) -> None:
        if chat_id in self.failures:
            raise self.failures[chat_id]
        self.sent.append((chat_id, list(replies)))

    def to(self, chat_id: str) -> list[str]:
        return [r.text for cid, replies in self.sent if cid == chat_id for r in replies]


class Chat:
    """One simulated person talking to the real engine."""

    def __init__(self, app: App, name: str, hint: str | None = "en") -> None:
        self.app = app
        self.name = name
        self.hint = hint
        self.replies: list[Reply] = []

    async def send(self, text: str) -> list[Reply]:
        incoming = Incoming.from_text(CHANNEL, self.name, text, language_hint=self.hint)
        return await self._handle(incoming)

    async def press(self, label_part: str) -> list[Reply]:
        """Presses the button (sends the payload) whose label contains `label_part`."""
        for choice in self.choices:
            if label_part.lower() in choice.label.lower():
                return await self.send_payload(choice.payload)
        raise AssertionError(f"no choice like {label_part!r} in {self.choice_labels}")

    async def send_payload(self, payload: str) -> list[Reply]:
        incoming = Incoming(
            CHANNEL, self.name, self.name, Kind.CHOICE, payload=payload, language_hint=self.hint
        )
        return await self._handle(incoming)

    async def photo(self, data: bytes = b"\xff\xd8fakejpeg") -> list[Reply]:
        incoming = Incoming(
            CHANNEL,
            self.name,
            self.name,
            Kind.PHOTO,
            photo=Attachment(data, "p.jpg", "image/jpeg"),
            language_hint=self.hint,
        )
        return await self._handle(incoming)

    async def location(self, lat: float, lon: float) -> list[Reply]:
        incoming = Incoming(
            CHANNEL,
            self.name,
            self.name,
            Kind.LOCATION,
            location=Location(lat, lon),
            language_hint=self.hint,
        )
        return await self._handle(incoming)

    async def blocked(self, blocked: bool = True) -> list[Reply]:
        kind = Kind.BLOCKED if blocked else Kind.UNBLOCKED
        return await self._handle(Incoming(CHANNEL, self.name, self.name, kind))

    async def _handle(self, incoming: Incoming) -> list[Reply]:
        self.replies = await self.app.engine.handle(incoming)
        return self.replies

    @property
    def text(self) -> str:
        """All texts of the last answer, joined."""
        return "\n".join(r.text for r in self.replies)

    @property
    def choices(self) -> list[Choice]:
        return [c for r in self.replies for c in r.choices]

    @property
    def choice_labels(self) -> list[str]:
        return [c.label for r in self.replies for c in r.choices]

    async def row(self) -> Row | None:
        return await self.app.deps.db.fetch_one(
            "SELECT * FROM users WHERE channel = ? AND channel_user_id = ?", (CHANNEL, self.name)
        )

    async def column(self, name: str) -> object:
        """The person's stored `users.<name>` (None while the bot keeps no row for them)."""
        row = await self.row()
        return None if row is None else row[name]

    async def state(self) -> str:
        row = await self.app.deps.db.fetch_one(
            "SELECT c.state FROM conversations c JOIN users u ON u.id = c.user_id "
            "WHERE u.channel_user_id = ?",
            (self.name,),
        )
        return "" if row is None else str(row[0])


async def onboard(
    chat: Chat, audience: str = "Resident", commune: str = "dong kinh", **student: str
) -> None:
    """Walks a person through /start to the end of onboarding (a trader also picks a market)."""
    await chat.send("/start")
    await chat.press("I agree")
    await chat.press(audience)
    if audience == "Student":
        await chat.press(student.get("level", "Primary"))
        age = student.get("age", "Under 11")
        await chat.press(age)
        if age != "18 or over":
            await chat.press("Yes, a parent or guardian agreed")
    await chat.send(commune)
    if audience == "Market trader":
        await chat.press(student.get("market", "None of these"))
    assert "You're all set" in chat.text, chat.text


async def consented(chat: Chat) -> Chat:
    """The person agreed at /start (an admin too: nobody's data is kept before that)."""
    await chat.send("/start")
    if any("I agree" in label for label in chat.choice_labels):  # else: agreed before
        await chat.press("I agree")
        await chat.send("/cancel")  # the first questions can wait
    return chat


async def tick(app: App) -> None:
    """The outbox's jobs run and what is due is delivered (the scheduler's minute)."""
    await app.outbox.run_jobs()
    await app.outbox.deliver_due()


def attachment(chat: Chat, suffix: str) -> bytes:
    """The one file among the replies the chat received whose name ends with `suffix`."""
    found = [
        r.document for r in chat.replies if r.document and r.document.filename.endswith(suffix)
    ]
    assert len(found) == 1, [r.text for r in chat.replies]
    return found[0].data


def at(day: str, hhmm: str) -> datetime:
    """A local (Asia/Ho_Chi_Minh) moment: `at("2026-12-01", "07:00")`."""
    return datetime.fromisoformat(f"{day}T{hhmm}").replace(tzinfo=LOCAL_TZ)
