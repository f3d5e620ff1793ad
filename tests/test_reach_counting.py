"""Counting: a person is reached in a school year (September to August) when they finish a quiz.

The yearly figure lives in `counters` (metric 'reached', period = school year, by commune and
audience) and a class member's first finished quiz of the class's school year sets
`class_members.reached_at`. Both survive /deleteme.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.core.clock import LOCAL_TZ, FakeClock, iso
from bot.settings import Settings
from tests.builders import add_member, make_class, student
from tests.conftest import ADMIN
from tests.harness import Chat, onboard
from tests.harness_db import attempts, latest
from tests.harness_quiz import answer, play, shared_banks


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Settings:
    return Settings(
        db_path=str(tmp_path / "bot.sqlite3"),
        database_url=database_url,
        admins=frozenset({f"shell:{ADMIN}"}),
        quiz_dir=shared_banks(),
    )


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)


async def reached(app: App) -> dict[tuple[str, str, str], int]:
    rows = await app.deps.db.fetch_all(
        "SELECT period, commune_code, audience, value FROM counters WHERE metric = 'reached'"
    )
    return {(r[0], r[1], r[2]): r[3] for r in rows}


async def test_finishing_a_quiz_reaches_the_person_once_a_school_year(app: App) -> None:
    chat = await student(app)
    await chat.send("/quiz")
    await answer(app, chat)
    assert await reached(app) == {}  # half a quiz does not count
    for _ in range(9):
        await answer(app, chat)
    assert await reached(app) == {("2026-2027", "05977", "student"): 1}
    row = await chat.row()
    assert row is not None and row["reached_year"] == "2026-2027"
    await play(app, chat)
    await play(app, chat, right=0)  # a low score counts the same, but only once a year
    assert await reached(app) == {("2026-2027", "05977", "student"): 1}
    assert [a.school_year for a in await attempts(app, chat)] == ["2026-2027"] * 3


async def test_abandoned_and_expired_quizzes_do_not_count(app: App, clock: FakeClock) -> None:
    chat = await student(app)
    await chat.send("/quiz")
    await answer(app, chat)
    await chat.send("/quiz")
    await chat.press("Abandon it")
    await chat.send("/quiz")
    await answer(app, chat)
    clock.advance(timedelta(hours=25))
    await chat.send("/quiz")
    assert [a.status for a in await attempts(app, chat)] == ["abandoned", "expired", "active"]
    assert await reached(app) == {}


async def test_each_audience_and_commune_is_counted_apart(app: App) -> None:
    for name, audience, commune in (
        ("a", "Resident", "dong kinh"),
        ("b", "Resident", "Tân Đoàn"),
        ("c", "Civil servant", "dong kinh"),
    ):
        chat = Chat(app, name)
        await onboard(chat, audience, commune)
        await play(app, chat)
    counts = await reached(app)
    assert counts[("2026-2027", "05977", "resident")] == 1
    assert counts[("2026-2027", "05977", "worker")] == 1
    assert sum(counts.values()) == 3


async def test_the_school_year_turns_on_1_september_local_time(app: App, clock: FakeClock) -> None:
    chat = await student(app)
    clock.set(local("2027-08-31T23:58"))
    await play(app, chat)
    clock.set(local("2027-09-01T00:00"))  # 31 August 17:00 UTC: already the new school year
    await play(app, chat)
    clock.set(local("2027-09-02T10:00"))
    await play(app, chat)
    assert await reached(app) == {
        ("2026-2027", "05977", "student"): 1,
        ("2027-2028", "05977", "student"): 1,
    }
    assert [a.school_year for a in await attempts(app, chat)] == [
        "2026-2027",
        "2027-2028",
        "2027-2028",
    ]


async def test_a_quiz_started_in_august_and_finished_in_september_counts_in_september(
    app: App, clock: FakeClock
) -> None:
    chat = await student(app)
    clock.set(local("2027-08-31T23:50"))
    await chat.send("/quiz")
    for _ in range(5):
        await answer(app, chat)
    clock.set(local("2027-09-01T00:05"))
    for _ in range(5):
        await answer(app, chat)
    assert await reached(app) == {("2027-2028", "05977", "student"): 1}
    assert (await latest(app, chat)).school_year == "2027-2028"


async def test_a_class_member_is_reached_once_in_the_class(app: App, clock: FakeClock) -> None:
    chat = await student(app)
    member = await add_member(app, chat, await make_class(app), number=4)
    await play(app, chat)
    first = iso(clock.now())
    clock.advance(timedelta(days=3))
    await play(app, chat)
    row = await app.deps.db.fetch_one(
        "SELECT reached_at FROM class_members WHERE id = ?", (member,)
    )
    assert row is not None and row[0] == first
    assert [a.member_id for a in await attempts(app, chat)] == [member, member]


async def test_a_class_of_another_school_year_is_not_marked(app: App) -> None:
    chat = await student(app)
    member = await add_member(app, chat, await make_class(app, school_year="2025-2026"), number=1)
    await play(app, chat)
    row = await app.deps.db.fetch_one(
        "SELECT reached_at FROM class_members WHERE id = ?", (member,)
    )
    assert row is not None and row[0] is None
    assert await reached(app) == {("2026-2027", "05977", "student"): 1}  # the person still is


async def test_counts_survive_deleteme(app: App) -> None:
    chat = await student(app)
    member = await add_member(app, chat, await make_class(app), number=9)
    await play(app, chat, right=6)
    await chat.send("/quiz")  # and one left half-way
    await answer(app, chat)
    await chat.send("/deleteme")
    await chat.press("Yes")
    assert "I erased everything about you" in chat.text
    assert await chat.row() is None
    assert await reached(app) == {("2026-2027", "05977", "student"): 1}
    rows = await app.deps.db.fetch_all(
        "SELECT user_id, member_id, score, status FROM quiz_attempts ORDER BY id"
    )
    assert [tuple(r) for r in rows] == [
        (None, member, 6, "finished"),
        (None, member, 1, "abandoned"),  # an open quiz is closed on erasure
    ]
    kept = await app.deps.db.fetch_one(
        "SELECT user_id, nickname, reached_at FROM class_members WHERE id = ?", (member,)
    )
    assert kept is not None and kept[0] is None and kept[1] is None and kept[2] is not None


async def test_mydata_lists_the_quiz_attempts(app: App) -> None:
    chat = await student(app)
    await play(app, chat, right=8)
    await chat.send("/mydata")
    document = chat.replies[0].document
    assert document is not None
    assert b'"score": 8' in document.data and b'"status": "finished"' in document.data
