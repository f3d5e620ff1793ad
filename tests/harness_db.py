"""What the database holds, read for assertions."""

from __future__ import annotations

from collections import Counter

from bot.app import App
from bot.core.auth import Role, role_of
from bot.storage import classes, quiz_attempts, teachers, users
from bot.storage.db import Row
from bot.storage.quiz_attempts import Attempt
from tests.harness import CHANNEL, Chat

# The tables a class journey may change (not the conversation state).
CLASS_TABLES = (
    "users",
    "schools",
    "school_enrolments",
    "teachers",
    "classes",
    "class_members",
    "contests",
    "contest_classes",
    "quiz_attempts",
    "deliveries",
)


async def data(app: App) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the tables a class journey may change (not the conversation state)."""
    db = app.deps.db
    return {
        t: sorted((tuple(r) for r in await db.fetch_all(f"SELECT * FROM {t}")), key=repr)
        for t in CLASS_TABLES
    }


async def rows(app: App, sql: str, *params: object) -> list[Row]:
    return await app.deps.db.fetch_all(sql, params)


async def user_id(chat: Chat) -> int:
    row = await chat.row()
    assert row is not None
    return int(row["id"])


async def member_id(app: App, chat: Chat) -> int:
    uid = await user_id(chat)
    async with app.deps.db.transaction() as tx:
        member = await classes.member_of(tx, uid)
    assert member is not None
    return member.id


async def role_now(app: App, chat: Chat) -> Role:
    """The role the engine gives this person, computed as it does."""
    async with app.deps.db.transaction() as tx:
        user = await users.find(tx, CHANNEL, chat.name)
        assert user is not None
        approved = await teachers.is_approved(tx, user.id)
    return role_of(user, app.deps.settings.admins, approved_teacher=approved)


async def statuses(app: App) -> Counter[str]:
    """How many deliveries (daily tips) are in each status."""
    found = await app.deps.db.fetch_all("SELECT status FROM deliveries")
    return Counter(str(r[0]) for r in found)


async def attempts(app: App, chat: Chat) -> list[Attempt]:
    """The person's quiz attempts, oldest first."""
    uid = await user_id(chat)
    ids = await app.deps.db.fetch_all(
        "SELECT id FROM quiz_attempts WHERE user_id = ? ORDER BY id", (uid,)
    )
    found = []
    async with app.deps.db.transaction() as tx:
        for (attempt_id,) in ids:
            attempt = await quiz_attempts.get(tx, attempt_id)
            assert attempt is not None
            found.append(attempt)
    return found


async def latest(app: App, chat: Chat) -> Attempt:
    return (await attempts(app, chat))[-1]
