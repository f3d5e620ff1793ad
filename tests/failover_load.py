"""The load of the failover test (tests/test_failover.py): probes that the bot answers by
name, and how to count their answers in the fake Bot API's calls."""

from __future__ import annotations

import asyncio
import random
import re
from collections import Counter
from contextlib import suppress
from pathlib import Path

from tests import telegram_updates as updates
from tests.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
PROBE = re.compile(r"/u(\d+)\b")
PEOPLE = 200


async def load(fake: FakeTelegram, pushed: dict[int, int], stop: asyncio.Event) -> None:
    """About 20 updates a second (Telegram lets a bot send 30 a second): a third onboarding
    steps, the rest probes (`/u<n>`, an unknown command whose answer names it)."""
    rng = random.Random(12)
    number = 0
    while not stop.is_set():
        person = 7000 + rng.randrange(PEOPLE)
        user = updates.user(person)
        if rng.random() < 0.3:
            await fake.push(updates.text(user, rng.choice(["/start", "1", "dong kinh", "/tip"])))
        else:
            number += 1
            update_id = await fake.push(updates.text(user, f"/u{number}"))
            pushed[number] = update_id
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.04)


def answers(fake: FakeTelegram) -> Counter[int]:
    return Counter(n for n, _ in sends(fake))


def sends(fake: FakeTelegram) -> list[tuple[int, int]]:
    """(probe, index of the call) of every answer to a probe."""
    found = []
    for index, call in enumerate(fake.calls):
        if call.method == "sendMessage" and call.status == 200:
            match = PROBE.search(str(call.params.get("text", "")))
            if match:
                found.append((int(match[1]), index))
    return found
