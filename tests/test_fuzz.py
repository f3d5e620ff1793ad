"""A property-based fuzzer through the real engine: random people, random sequences.

Messages (any Unicode, lone surrogates and control characters included), commands with
random arguments, presses of offered and made-up choices, photos, locations, blocking and
unblocking. Whatever comes: no unhandled error (the engine's apology never shows), nobody
is shown another person's words, and nobody gains a role (officer, teacher, admin) without
an invite or an approval, which no one in the fuzz can give.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import App
from bot.core.auth import Role, role_of
from bot.core.clock import LOCAL_TZ, FakeClock
from bot.settings import Settings
from bot.storage import teachers, users
from tests.harness import Chat
from tests.harness_app import open_app

APOLOGY = "something went wrong"
PRIVILEGED = {Role.OFFICER, Role.TEACHER, Role.ADMIN}
COMMANDS = [
    "start",
    "help",
    "menu",
    "tip",
    "quiz",
    "subscribe",
    "unsubscribe",
    "settings",
    "lang",
    "mydata",
    "deleteme",
    "cancel",
    "redeem",
    "join",
    "teacher",
    "newclass",
    "myclasses",
    "invite",
    "approvals",
    "addschool",
    "classstats",
    "source",
    "contests",
]

texts = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["1", "2", "a", "có", "không", "dong kinh", "6 giờ sáng", "ok", "menu"]),
    st.builds(lambda s: s + "\ud800", st.text(max_size=10)),  # a lone surrogate
    st.builds(lambda s: "\udfff" + s, st.text(max_size=10)),
)
commands = st.builds(
    lambda name, args: f"/{name} {args}".strip(), st.sampled_from(COMMANDS), st.text(max_size=20)
)
action = st.tuples(
    st.integers(0, 4),  # who
    st.sampled_from(["text", "command", "press", "payload", "photo", "location", "block"]),
    st.one_of(texts, commands),
    st.integers(0, 9),
)


class World(tuple[asyncio.AbstractEventLoop, App]):
    def __repr__(self) -> str:  # Hypothesis prints its arguments when it reports a failure
        return "World()"


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    loop = asyncio.new_event_loop()
    with tempfile.TemporaryDirectory() as folder:
        config = Settings(db_path=str(Path(folder) / "fuzz.sqlite3"))
        clock = FakeClock(datetime(2026, 12, 1, 9, 0, tzinfo=LOCAL_TZ))
        try:
            app = loop.run_until_complete(open_app(config, clock=clock, rng=random.Random(3)))
            yield World((loop, app))
            loop.run_until_complete(app.close())
        finally:
            loop.close()


async def role(app: App, name: str) -> Role | None:
    async with app.deps.db.transaction() as tx:
        user = await users.find(tx, "shell", name)
        if user is None:
            return None
        approved = await teachers.is_approved(tx, user.id)
    return role_of(user, app.deps.settings.admins, approved_teacher=approved)


async def play(app: App, run: int, steps: list[tuple[int, str, str, int]]) -> None:
    people = [Chat(app, f"fz{run}p{i}") for i in range(5)]
    marks = {i: f"mark{run}x{i}q" for i in range(5)}
    for who, kind, value, pick in steps:
        chat = people[who]
        if kind == "text":
            await chat.send(f"{value} {marks[who]}")
        elif kind == "command":
            await chat.send(value if value.startswith("/") else "/" + value)
        elif kind == "press" and chat.choices:
            await chat.send_payload(chat.choices[pick % len(chat.choices)].payload)
        elif kind == "payload":
            await chat.send_payload(value[:64])
        elif kind == "photo":
            await chat.photo()
        elif kind == "location":
            await chat.location(21.85 + pick / 100, 106.76)
        elif kind == "block":
            await chat.blocked(pick % 2 == 0)
        shown = chat.text
        assert APOLOGY not in shown, (kind, value, shown)
        others = [m for i, m in marks.items() if i != who]
        assert not any(m in shown for m in others), shown
        assert await role(app, chat.name) not in PRIVILEGED


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(action, min_size=1, max_size=25))
def test_random_sequences_through_the_engine(
    world: World, steps: list[tuple[int, str, str, int]]
) -> None:
    loop, app = world
    test_random_sequences_through_the_engine.runs += 1  # type: ignore[attr-defined]
    run = test_random_sequences_through_the_engine.runs  # type: ignore[attr-defined]
    loop.run_until_complete(play(app, run, steps))


test_random_sequences_through_the_engine.runs = 0  # type: ignore[attr-defined]
