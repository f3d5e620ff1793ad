"""The pledges a person took, and their weekly check-ins.

A pledge lasts `weeks` weekly check-ins (None: ongoing). Check-in `week` k is due on the
start day + 7k days; one row per pledge and week (unique), so a scheduler that runs twice,
or restarts, cannot ask the same week twice. `answer` is 'kept', 'missed', or 'silent' for a
week that was never answered before the next one was asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.storage.db import Row, Transaction, as_dict

KEPT, MISSED, SILENT = "kept", "missed", "silent"
ACTIVE, COMPLETED, ENDED, DROPPED = "active", "completed", "ended", "dropped"


@dataclass(frozen=True)
class TakenPledge:
    id: int
    user_id: int
    pledge_key: str
    weeks: int | None
    status: str
    start_day: str
    streak: int
    kept: int
    created_at: str
    ended_at: str | None

    def due_day(self, week: int) -> date:
        return date.fromisoformat(self.start_day) + timedelta(days=7 * week)


@dataclass(frozen=True)
class Checkin:
    id: int
    pledge_id: int
    user_id: int
    week: int
    due_day: str
    asked_at: str | None
    answer: str | None


def _pledge(row: Row) -> TakenPledge:
    return TakenPledge(**as_dict(row))


async def take(
    tx: Transaction, user_id: int, key: str, weeks: int | None, start_day: date, now: str
) -> int:
    await tx.execute(
        "INSERT INTO pledges (user_id, pledge_key, weeks, start_day, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (user_id, key, weeks, start_day.isoformat(), now),
    )
    return int(await tx.fetch_value("SELECT max(id) FROM pledges WHERE user_id = ?", (user_id,)))


async def get(tx: Transaction, pledge_id: int, user_id: int) -> TakenPledge | None:
    """The pledge, only if it is this person's."""
    row = await tx.fetch_one(
        "SELECT * FROM pledges WHERE id = ? AND user_id = ?", (pledge_id, user_id)
    )
    return _pledge(row) if row else None


async def of_user(tx: Transaction, user_id: int, status: str = ACTIVE) -> list[TakenPledge]:
    rows = await tx.fetch_all(
        "SELECT * FROM pledges WHERE user_id = ? AND status = ? ORDER BY id", (user_id, status)
    )
    return [_pledge(r) for r in rows]


async def close(tx: Transaction, pledge_id: int, status: str, now: str) -> None:
    await tx.execute(
        "UPDATE pledges SET status = ?, ended_at = ? WHERE id = ? AND status = ?",
        (status, now, pledge_id, ACTIVE),
    )


async def all_active(tx: Transaction) -> list[tuple[TakenPledge, str | None, int]]:
    """Every active pledge of a person who can be written to, with their check-in time
    (their tip time, or None) and the last week already asked (0: none yet)."""
    rows = await tx.fetch_all(
        """SELECT p.*, u.tip_time AS tip_time,
                  COALESCE((SELECT max(c.week) FROM pledge_checkins c
                            WHERE c.pledge_id = p.id), 0) AS last_week
           FROM pledges p JOIN users u ON u.id = p.user_id
           WHERE p.status = 'active' AND u.reachable = 1 AND u.consent_at IS NOT NULL
           ORDER BY p.id"""
    )
    found = []
    for row in rows:
        values = as_dict(row)
        tip_time, last_week = values.pop("tip_time"), int(values.pop("last_week"))
        found.append((TakenPledge(**values), tip_time, last_week))
    return found


async def open_week(tx: Transaction, pledge: TakenPledge, week: int, now: str) -> bool:
    """Creates week `week`'s check-in; an earlier one left unanswered becomes 'silent' and
    breaks the streak. False if that week exists already."""
    created = await tx.execute(
        """INSERT INTO pledge_checkins (pledge_id, user_id, week, due_day, created_at)
           VALUES (?, ?, ?, ?, ?) ON CONFLICT (pledge_id, week) DO NOTHING""",
        (pledge.id, pledge.user_id, week, pledge.due_day(week).isoformat(), now),
    )
    if created != 1:
        return False
    silent = await tx.execute(
        "UPDATE pledge_checkins SET answer = ? WHERE pledge_id = ? AND week < ? AND answer IS NULL",
        (SILENT, pledge.id, week),
    )
    if silent:
        await tx.execute("UPDATE pledges SET streak = 0 WHERE id = ?", (pledge.id,))
    return True


def _checkin(row: Row) -> Checkin:
    return Checkin(**{k: row[k] for k in Checkin.__dataclass_fields__})


async def open_checkins(tx: Transaction, user_id: int) -> list[Checkin]:
    """Check-ins waiting for an answer, on active pledges, oldest first."""
    rows = await tx.fetch_all(
        """SELECT c.* FROM pledge_checkins c JOIN pledges p ON p.id = c.pledge_id
           WHERE c.user_id = ? AND c.answer IS NULL AND p.status = 'active'
           ORDER BY c.due_day, c.id""",
        (user_id,),
    )
    return [_checkin(r) for r in rows]


async def users_to_ask(tx: Transaction) -> list[tuple[int, str | None]]:
    """People with a check-in not asked yet, with their tip time (None: not subscribed)."""
    rows = await tx.fetch_all(
        """SELECT DISTINCT u.id, u.tip_time FROM pledge_checkins c
           JOIN pledges p ON p.id = c.pledge_id JOIN users u ON u.id = c.user_id
           WHERE c.asked_at IS NULL AND c.answer IS NULL AND p.status = 'active'
             AND u.reachable = 1
           ORDER BY u.id"""
    )
    return [(int(r[0]), r[1]) for r in rows]


async def mark_asked(tx: Transaction, user_id: int, now: str) -> None:
    await tx.execute(
        "UPDATE pledge_checkins SET asked_at = ? "
        "WHERE user_id = ? AND asked_at IS NULL AND answer IS NULL",
        (now, user_id),
    )


async def get_checkin(tx: Transaction, checkin_id: int, user_id: int) -> Checkin | None:
    row = await tx.fetch_one(
        "SELECT * FROM pledge_checkins WHERE id = ? AND user_id = ?", (checkin_id, user_id)
    )
    return _checkin(row) if row else None


async def answer(tx: Transaction, checkin: Checkin, kept: bool, now: str) -> TakenPledge:
    """Records the week's answer and updates the streak; returns the pledge as it is now."""
    await tx.execute(
        "UPDATE pledge_checkins SET answer = ?, answered_at = ? WHERE id = ?",
        (KEPT if kept else MISSED, now, checkin.id),
    )
    if kept:
        await tx.execute(
            "UPDATE pledges SET streak = streak + 1, kept = kept + 1 WHERE id = ?",
            (checkin.pledge_id,),
        )
    else:
        await tx.execute("UPDATE pledges SET streak = 0 WHERE id = ?", (checkin.pledge_id,))
    found = await get(tx, checkin.pledge_id, checkin.user_id)
    assert found is not None
    return found
