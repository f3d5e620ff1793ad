"""Class campaigns and their pseudonymous members.

A member row outlives the person: /deleteme sets `user_id` to NULL and the nickname is
cleared, so a class's figures (joined, reached) stay correct without pointing at anyone.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.db import Row, Transaction, as_dict


@dataclass(frozen=True)
class Member:
    id: int
    class_id: int
    user_id: int | None
    number: int
    nickname: str | None
    joined_at: str
    reached_at: str | None
    # from the class
    level: str
    school_year: str
    status: str
    class_name: str


_MEMBER_SQL = """SELECT m.id, m.class_id, m.user_id, m.number, m.nickname, m.joined_at,
                        m.reached_at, c.level, c.school_year, c.status, c.name AS class_name
                 FROM class_members m JOIN classes c ON c.id = m.class_id"""


def _member(row: Row) -> Member:
    return Member(**as_dict(row))


async def member_of(tx: Transaction, user_id: int) -> Member | None:
    """The person's membership in an open class (a student joins one class at a time)."""
    row = await tx.fetch_one(
        _MEMBER_SQL + " WHERE m.user_id = ? AND c.status = 'open' ORDER BY m.id DESC", (user_id,)
    )
    return _member(row) if row else None


async def member(tx: Transaction, member_id: int) -> Member | None:
    row = await tx.fetch_one(_MEMBER_SQL + " WHERE m.id = ?", (member_id,))
    return _member(row) if row else None


async def mark_reached(tx: Transaction, member_id: int, now: str) -> bool:
    """Records the member's first finished quiz; False if they were reached already."""
    changed = await tx.execute(
        "UPDATE class_members SET reached_at = ? WHERE id = ? AND reached_at IS NULL",
        (now, member_id),
    )
    return changed == 1


async def forget_user(tx: Transaction, user_id: int) -> None:
    """Unlinks the person from every class they were in (their numbers stay counted)."""
    await tx.execute(
        "UPDATE class_members SET user_id = NULL, nickname = NULL WHERE user_id = ?", (user_id,)
    )
