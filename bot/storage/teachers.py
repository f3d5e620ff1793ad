"""Teacher registrations: a teacher of a school, waiting for approval, approved or refused.

One registration per person (the row is keyed by the user). Registering again after a refusal
(or while still waiting) replaces the registration. Only an approved registration gives the
TEACHER role (see `bot.core.auth.role_of`).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.db import Row, Transaction

PENDING = "pending"
APPROVED = "approved"
REFUSED = "refused"


@dataclass(frozen=True)
class Registration:
    user_id: int  # also the registration's number, shown to the teacher and the officer
    school_id: int
    subject: str
    status: str
    decided_by: int | None
    decided_at: str | None
    created_at: str
    # from the school
    school_name: str
    school_level: str
    school_status: str
    commune_code: str


_SQL = """SELECT t.user_id, t.school_id, t.subject, t.status, t.decided_by, t.decided_at,
                 t.created_at, s.name AS school_name, s.level AS school_level,
                 s.status AS school_status, s.commune_code
          FROM teachers t JOIN schools s ON s.id = t.school_id"""


def _registration(row: Row) -> Registration:
    return Registration(**{key: row[key] for key in row.keys()})  # noqa: SIM118


async def is_approved(tx: Transaction, user_id: int) -> bool:
    status = await tx.fetch_value("SELECT status FROM teachers WHERE user_id = ?", (user_id,))
    return bool(status == APPROVED)


async def get(tx: Transaction, user_id: int) -> Registration | None:
    row = await tx.fetch_one(_SQL + " WHERE t.user_id = ?", (user_id,))
    return _registration(row) if row else None


async def register(
    tx: Transaction, user_id: int, school_id: int, subject: str, now: str
) -> Registration:
    """Records (or replaces) the person's registration; it waits for an officer."""
    await tx.execute(
        """INSERT INTO teachers (user_id, school_id, subject, status, created_at)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (user_id) DO UPDATE SET
               school_id = excluded.school_id, subject = excluded.subject,
               status = excluded.status, decided_by = NULL, decided_at = NULL,
               created_at = excluded.created_at""",
        (user_id, school_id, subject, PENDING, now),
    )
    registration = await get(tx, user_id)
    assert registration is not None
    return registration


async def pending(
    tx: Transaction, commune_code: str | None, *, exclude_user: int, limit: int = 50
) -> list[Registration]:
    """Registrations waiting in one commune (or the province), oldest first.

    The officer's own registration is never among them: nobody decides their own.
    """
    sql = _SQL + " WHERE t.status = ? AND t.user_id <> ?"
    params: list[object] = [PENDING, exclude_user]
    if commune_code is not None:
        sql += " AND s.commune_code = ?"
        params.append(commune_code)
    rows = await tx.fetch_all(sql + " ORDER BY t.created_at, t.user_id LIMIT ?", [*params, limit])
    return [_registration(r) for r in rows]


async def decide(
    tx: Transaction, user_id: int, *, approve: bool, decided_by: int, now: str
) -> bool:
    """Approves or refuses a waiting registration; False if it is not waiting any more."""
    if user_id == decided_by:
        raise ValueError("nobody decides their own registration")
    changed = await tx.execute(
        "UPDATE teachers SET status = ?, decided_by = ?, decided_at = ? "
        "WHERE user_id = ? AND status = ?",
        (APPROVED if approve else REFUSED, decided_by, now, user_id, PENDING),
    )
    return changed == 1
