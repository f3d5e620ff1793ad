"""Market reports, the decisions on them, and who may report (trusted, banned).

A report row is never rewritten after it was sent: only its status moves (pending -> approved
| rejected | info, and info -> pending once the reporter answered). Each decision, and each
answer to a moderator's question, is a row of `report_decisions` with who and when.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.storage.db import Row, Transaction, as_dict

PENDING, APPROVED, REJECTED, INFO = "pending", "approved", "rejected", "info"
ANSWERED = "answered"  # a decision row: the reporter's answer to a moderator's question


@dataclass(frozen=True)
class Report:
    id: int
    user_id: int | None
    market_id: str
    commune_code: str
    answers: dict[str, bool]
    photos: list[str]
    note: str
    latitude: float | None
    longitude: float | None
    status: str
    day: str
    created_at: str
    decided_at: str | None


@dataclass(frozen=True)
class Decision:
    id: int
    report_id: int
    decision: str
    reason: str
    decided_by: int | None
    decided_at: str


def _report(row: Row) -> Report:
    data: dict[str, Any] = as_dict(row)
    data["answers"] = json.loads(data["answers"])
    data["photos"] = json.loads(data["photos"])
    return Report(**data)


async def create(
    tx: Transaction,
    *,
    user_id: int,
    market_id: str,
    commune_code: str,
    answers: dict[str, bool],
    photos: list[str],
    note: str,
    place: tuple[float, float] | None,
    day: str,
    now: str,
) -> int:
    lat, lon = place if place else (None, None)
    report_id = await tx.fetch_value(
        """INSERT INTO reports (user_id, market_id, commune_code, answers, photos, note,
                                latitude, longitude, status, day, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
        (
            user_id,
            market_id,
            commune_code,
            json.dumps(answers),
            json.dumps(photos),
            note,
            lat,
            lon,
            PENDING,
            day,
            now,
        ),
    )
    return int(report_id)


async def get(tx: Transaction, report_id: int) -> Report | None:
    row = await tx.fetch_one("SELECT * FROM reports WHERE id = ?", (report_id,))
    return _report(row) if row else None


async def sent_on(tx: Transaction, user_id: int, day: str) -> list[Report]:
    rows = await tx.fetch_all(
        "SELECT * FROM reports WHERE user_id = ? AND day = ? ORDER BY id", (user_id, day)
    )
    return [_report(r) for r in rows]


async def of_user(tx: Transaction, user_id: int) -> list[Report]:
    rows = await tx.fetch_all("SELECT * FROM reports WHERE user_id = ? ORDER BY id", (user_id,))
    return [_report(r) for r in rows]


async def waiting_for_answer(tx: Transaction, user_id: int) -> Report | None:
    """The person's oldest report a moderator asked more about."""
    row = await tx.fetch_one(
        "SELECT * FROM reports WHERE user_id = ? AND status = ? ORDER BY id LIMIT 1",
        (user_id, INFO),
    )
    return _report(row) if row else None


async def pending(
    tx: Transaction, commune: str | None, *, exclude_user: int | None = None
) -> list[Report]:
    """Reports waiting for a decision in one commune (None: everywhere), oldest first.

    A banned person's reports are hidden, and a moderator never sees their own."""
    sql = """SELECT r.* FROM reports r
             LEFT JOIN reporters p ON p.user_id = r.user_id
             WHERE r.status = ? AND COALESCE(p.banned, 0) = 0 AND r.user_id IS NOT ?"""
    params: list[object] = [PENDING, exclude_user]
    if commune is not None:
        sql += " AND r.commune_code = ?"
        params.append(commune)
    rows = await tx.fetch_all(sql + " ORDER BY r.id", tuple(params))
    return [_report(r) for r in rows]


async def decide(
    tx: Transaction, report_id: int, decision: str, reason: str, by: int | None, now: str
) -> int | None:
    """Records a decision on a pending report; None if it is not pending any more."""
    changed = await tx.execute(
        "UPDATE reports SET status = ?, decided_at = ? WHERE id = ? AND status = ?",
        (decision, now, report_id, PENDING),
    )
    if changed != 1:
        return None
    return await _log(tx, report_id, decision, reason, by, now)


async def answer(tx: Transaction, report_id: int, text: str, by: int, now: str) -> bool:
    """The reporter's answer to a question: the report waits in the queue again."""
    changed = await tx.execute(
        "UPDATE reports SET status = ? WHERE id = ? AND status = ? AND user_id = ?",
        (PENDING, report_id, INFO, by),
    )
    if changed == 1:
        await _log(tx, report_id, ANSWERED, text, by, now)
    return changed == 1


async def _log(
    tx: Transaction, report_id: int, decision: str, reason: str, by: int | None, now: str
) -> int:
    decision_id = await tx.fetch_value(
        "INSERT INTO report_decisions (report_id, decision, reason, decided_by, decided_at) "
        "VALUES (?, ?, ?, ?, ?) RETURNING id",
        (report_id, decision, reason, by, now),
    )
    return int(decision_id)


async def decision(tx: Transaction, decision_id: int) -> Decision | None:
    row = await tx.fetch_one("SELECT * FROM report_decisions WHERE id = ?", (decision_id,))
    return Decision(**as_dict(row)) if row else None


async def history(tx: Transaction, report_id: int) -> list[Decision]:
    rows = await tx.fetch_all(
        "SELECT * FROM report_decisions WHERE report_id = ? ORDER BY id", (report_id,)
    )
    return [Decision(**as_dict(r)) for r in rows]


async def approved_for_market(tx: Transaction, market_id: str, limit: int = 5) -> list[Report]:
    """The market's approved reports, newest first."""
    rows = await tx.fetch_all(
        "SELECT * FROM reports WHERE market_id = ? AND status = ? ORDER BY created_at DESC, id "
        "DESC LIMIT ?",
        (market_id, APPROVED, limit),
    )
    return [_report(r) for r in rows]


async def approved_since(tx: Transaction, market_id: str, since_day: str) -> int:
    return int(
        await tx.fetch_value(
            "SELECT count(*) FROM reports WHERE market_id = ? AND status = ? AND day >= ?",
            (market_id, APPROVED, since_day),
        )
    )


async def photo_in_use(tx: Transaction, name: str, *, apart_from: int | None = None) -> bool:
    """Whether a report, a logged activity, or someone's report in progress (but
    `apart_from`'s) keeps this photo (the same picture is one stored photo, named by its
    hash). Names are hex hashes: no LIKE wildcard can be in them."""
    pattern = f'%"{name}"%'
    reported = await tx.fetch_value("SELECT count(*) FROM reports WHERE photos LIKE ?", (pattern,))
    logged = await tx.fetch_value("SELECT count(*) FROM activities WHERE photo = ?", (name,))
    drafted = await tx.fetch_value(
        "SELECT count(*) FROM conversations WHERE data LIKE ? AND user_id IS NOT ?",
        (pattern, apart_from),
    )
    return bool(reported or logged or drafted)


# --- who may report ---------------------------------------------------------------------------


async def flags(tx: Transaction, user_id: int) -> tuple[bool, bool]:
    """(trusted, banned) for this person."""
    row = await tx.fetch_one("SELECT trusted, banned FROM reporters WHERE user_id = ?", (user_id,))
    return (bool(row[0]), bool(row[1])) if row else (False, False)


async def set_flag(
    tx: Transaction, user_id: int, flag: str, value: bool, by: int, now: str
) -> None:
    if flag not in ("trusted", "banned"):
        raise ValueError(flag)
    await tx.execute(
        f"""INSERT INTO reporters (user_id, {flag}, set_by, set_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET {flag} = excluded.{flag},
                set_by = excluded.set_by, set_at = excluded.set_at""",
        (user_id, int(value), by, now),
    )


# --- erasure ----------------------------------------------------------------------------------


async def forget_user(tx: Transaction, user_id: int) -> list[str]:
    """Erases the person's reports; an approved one stays as the market's record, with no
    owner. Returns the photos no report uses any more (the caller deletes the files)."""
    mine = await of_user(tx, user_id)
    await tx.execute("DELETE FROM reports WHERE user_id = ? AND status != ?", (user_id, APPROVED))
    await tx.execute("UPDATE reports SET user_id = NULL WHERE user_id = ?", (user_id,))
    # What the person wrote in answer to a moderator is theirs too.
    await tx.execute(
        "UPDATE report_decisions SET reason = '', decided_by = NULL "
        "WHERE decided_by = ? AND decision = ?",
        (user_id, ANSWERED),
    )
    candidates = sorted({p for r in mine if r.status != APPROVED for p in r.photos})
    return [p for p in candidates if not await photo_in_use(tx, p, apart_from=user_id)]
