"""The real engine and Telegram channel against the fake Bot API, and people who talk to it."""

from __future__ import annotations

import asyncio
import os
import random
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.channels.telegram import Limits, TelegramChannel, Tuning
from bot.core.clock import LOCAL_TZ, FakeClock
from bot.settings import Settings
from tests import telegram_updates as updates
from tests.fake_telegram import TOKEN, Call, FakeTelegram
from tests.harness_app import open_app
from tests.telegram_spec import Spec, spec_path

# No flood limits (one test checks them), instant backoff: the suite stays fast.
FAST = Tuning(
    limits=Limits(overall_per_second=0, private_per_second=0, group_per_minute=0),
    poll_timeout=5,
    read_timeout=5,
)


@cache
def load_spec(path: Path) -> Spec:
    return Spec(path)


def the_spec() -> Spec:
    path = spec_path()
    if not path.is_file():
        message = f"Telegram Bot API spec not found at {path}: set TELEGRAM_SPEC_PATH"
        if os.environ.get("CI") == "true":  # in CI a missing spec is a broken set-up
            pytest.fail(message)
        pytest.skip(message)
    return load_spec(path)


@dataclass
class Harness:
    fake: FakeTelegram
    settings: Settings
    clock: FakeClock
    app: App
    channel: TelegramChannel
    sleeps: list[float] = field(default_factory=list)

    def person(self, user_id: int, language: str | None = "en") -> Person:
        return Person(self, user_id, language)

    async def sleep(self, seconds: float) -> None:
        """The limiter's clock: records the wait and moves the fake clock instead."""
        self.sleeps.append(seconds)
        self.clock.advance(timedelta(seconds=seconds))
        await asyncio.sleep(0)

    def now(self) -> float:
        return self.clock.now().timestamp()

    async def new_channel(self, tuning: Tuning = FAST) -> TelegramChannel:
        """A fresh app and channel on the same database file: a restarted process."""
        self.app = await open_app(self.settings, clock=self.clock, rng=random.Random(7))
        self.channel = TelegramChannel(
            self.app.door, self.settings, tuning, sleep=self.sleep, now=self.now
        )
        await self.channel.start()
        await self.app.inbox.start()
        return self.channel


@asynccontextmanager
async def telegram_harness(
    tmp_path: Path, tuning: Tuning = FAST, **settings: Any
) -> AsyncIterator[Harness]:
    spec = the_spec()
    async with FakeTelegram(spec) as fake:
        config = Settings(
            db_path=str(tmp_path / "t.db"),
            telegram_token=TOKEN,
            telegram_api_base_url=fake.base_url,
            **settings,
        )
        clock = FakeClock(datetime(2026, 11, 30, 8, 0, tzinfo=LOCAL_TZ))
        app = await open_app(config, clock=clock, rng=random.Random(7))
        harness = Harness(fake, config, clock, app, None)  # type: ignore[arg-type]
        harness.channel = TelegramChannel(
            app.door, config, tuning, sleep=harness.sleep, now=harness.now
        )
        try:
            await harness.channel.start()
            await app.inbox.start()
            yield harness
        finally:
            await harness.channel.stop()
            await harness.app.close()
        assert fake.violations == [], fake.violations


class Person:
    """One Telegram user in a private chat with the bot."""

    def __init__(self, harness: Harness, user_id: int, language: str | None) -> None:
        self.harness = harness
        self.fake = harness.fake
        self.id = user_id
        self.user = updates.user(user_id, language)
        self.seen = 0

    async def say(self, body: str) -> None:
        await self.fake.push(updates.text(self.user, body))

    async def send(self, update: dict[str, Any]) -> None:
        await self.fake.push(update)

    async def read(self, count: int = 1) -> list[Call]:
        """The next `count` messages the bot sent to this chat (waits for them)."""
        target = self.seen + count
        await self.fake.wait_for(lambda: len(self.fake.sent(self.id)) >= target)
        found = self.fake.sent(self.id)[self.seen : target]
        self.seen = target
        return found

    async def read_text(self, count: int = 1) -> str:
        return "\n".join(
            str(c.params.get("text", c.params.get("caption", ""))) for c in await self.read(count)
        )

    def keyboard_message(self, label: str) -> dict[str, Any]:
        """The latest message to this chat that still shows a button like `label`."""
        for call in reversed(self.fake.sent(self.id)):
            message = self.fake.messages.get((self.id, call.result["message_id"]))
            if message and any(label.lower() in b.lower() for b in _labels(message)):
                return message
        raise AssertionError(f"no button like {label!r} in chat {self.id}")

    async def press(self, label: str, message: dict[str, Any] | None = None) -> dict[str, Any]:
        """Presses the button; returns the message as it was when pressed."""
        message = dict(message or self.keyboard_message(label))
        rows = message["reply_markup"]["inline_keyboard"]
        data = next(
            b["callback_data"] for row in rows for b in row if label.lower() in b["text"].lower()
        )
        await self.fake.push(updates.press(self.user, message, data))
        return message

    async def press_data(self, message: dict[str, Any], data: str) -> None:
        await self.fake.push(updates.press(self.user, message, data))


def delivered_per_chat(calls: list[Call]) -> Counter[int]:
    """How many messages each chat was sent."""
    return Counter(c.chat_id for c in calls if c.delivered and c.chat_id is not None)


def _labels(message: dict[str, Any]) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [button["text"] for row in rows for button in row]
