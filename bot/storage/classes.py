"""Class campaigns and their pseudonymous members.

A member row outlives the person: /deleteme sets `user_id` to NULL and the nickname is
cleared, so a class's figures (joined, reached) stay correct without pointing at anyone.
Classes are never deleted either (a teacher closes them, and a teacher's /deleteme closes
theirs), so the school activities they count for survive their teacher's /deleteme too.

Join codes are 6 characters of the invite alphabet: invite codes have 8, so `/start CODE`
tells them apart by length alone.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from bot.storage import summaries
from bot.storage.db import Read, Row, Transaction, as_dict

OPEN = "open"
CLOSED = "closed"
JOIN_CODE_LENGTH = 6
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # as invite codes: no 0/O, 1/I/L
FINISHED = "finished"  # quiz_attempts.status of a finished quiz


@dataclass(frozen=True)
class Class:
    id: int
    school_id: int
    teacher_id: int | None
    name: str
    level: str
    enrolled: int
    activity_type: str | None
    starts_on: str | None
    ends_on: str | None
    school_year: str
    join_code: str
    consent_collected: int
    status: str
    created_at: str
    # from the school
    school_name: str
    commune_code: str


@dataclass(frozen=True)
class Figures:
    """A class's figures: who joined, who finished a quiz, the average of best scores."""

    joined: int
    reached: int
    average: float | None
    waiting: tuple[tuple[int, str | None], ...]  # (number, nickname) of those not finished yet


@dataclass(frozen=True)
class Reach:
    """One member of a class of the year, for the officers' roll-ups."""

    class_id: int
    member_id: int
    user_id: int | None
    reached_at: str | None


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
    return await tx.read(member_of_read(user_id))


def member_of_read(user_id: int) -> Read[Member | None]:
    """`member_of` as a read to send with another (`Transaction.read_both`)."""
    return Read(
        _MEMBER_SQL + " WHERE m.user_id = ? AND c.status = 'open' ORDER BY m.id DESC",
        (user_id,),
        _first_member,
    )


def _first_member(rows: list[Row]) -> Member | None:
    return _member(rows[0]) if rows else None


async def member(tx: Transaction, member_id: int) -> Member | None:
    row = await tx.fetch_one(_MEMBER_SQL + " WHERE m.id = ?", (member_id,))
    return _member(row) if row else None


async def mark_reached(tx: Transaction, member_id: int, now: str) -> bool:
    """Records the member's first finished quiz; False if they were reached already."""
    changed = await tx.execute(
        "UPDATE class_members SET reached_at = ? WHERE id = ? AND reached_at IS NULL",
        (now, member_id),
    )
    if changed == 1:
        await summaries.member_reached(tx, member_id, now)
    return changed == 1


async def forget_user(tx: Transaction, user_id: int) -> None:
    """Unlinks the person from every class they were in (their numbers stay counted).

    Their scores keep counting for the class, but no leaderboard shows their pseudonym again.
    """
    await tx.execute(
        "UPDATE class_members SET user_id = NULL, nickname = NULL, leaderboard_opt_in = 0 "
        "WHERE user_id = ?",
        (user_id,),
    )


def new_join_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def looks_like_join_code(text: str) -> bool:
    text = text.strip().upper()
    return len(text) == JOIN_CODE_LENGTH and all(c in _ALPHABET for c in text)


_CLASS_SQL = """SELECT c.id, c.school_id, c.teacher_id, c.name, c.level, c.enrolled,
                       c.activity_type, c.starts_on, c.ends_on, c.school_year, c.join_code,
                       c.consent_collected, c.status, c.created_at,
                       s.name AS school_name, s.commune_code
                FROM classes c JOIN schools s ON s.id = c.school_id"""


def _class(row: Row) -> Class:
    return Class(**as_dict(row))


async def create(
    tx: Transaction,
    *,
    school_id: int,
    teacher_id: int,
    name: str,
    level: str,
    enrolled: int,
    activity_type: str | None,
    starts_on: str,
    ends_on: str | None,
    school_year: str,
    now: str,
) -> Class:
    """A new open class with a join code no other class has; the school collected consent."""
    while True:
        code = new_join_code()
        if await tx.fetch_value("SELECT 1 FROM classes WHERE join_code = ?", (code,)) is None:
            break
    await tx.execute(
        """INSERT INTO classes (school_id, teacher_id, name, level, enrolled, activity_type,
                                starts_on, ends_on, school_year, join_code, consent_collected,
                                status, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)""",
        (
            school_id,
            teacher_id,
            name,
            level,
            enrolled,
            activity_type,
            starts_on,
            ends_on,
            school_year,
            code,
            OPEN,
            now,
        ),
    )
    made = await by_code(tx, code)
    assert made is not None
    await summaries.class_opened(tx, school_id, school_year, enrolled, activity_type is not None)
    return made


async def get(tx: Transaction, class_id: int) -> Class | None:
    row = await tx.fetch_one(_CLASS_SQL + " WHERE c.id = ?", (class_id,))
    return _class(row) if row else None


async def by_code(tx: Transaction, code: str) -> Class | None:
    row = await tx.fetch_one(_CLASS_SQL + " WHERE c.join_code = ?", (code.strip().upper(),))
    return _class(row) if row else None


async def of_teacher(tx: Transaction, teacher_id: int, limit: int = 20) -> list[Class]:
    """The teacher's classes: open ones first, then the latest."""
    rows = await tx.fetch_all(
        _CLASS_SQL + " WHERE c.teacher_id = ? ORDER BY c.status = 'open' DESC, c.id DESC LIMIT ?",
        (teacher_id, limit),
    )
    return [_class(r) for r in rows]


async def open_in_schools(tx: Transaction, school_ids: list[int], level: str) -> list[Class]:
    if not school_ids:
        return []
    marks = ", ".join("?" for _ in school_ids)
    rows = await tx.fetch_all(
        _CLASS_SQL + f" WHERE c.school_id IN ({marks}) AND c.level = ? AND c.status = 'open' "
        "ORDER BY s.folded_name, c.name",
        [*school_ids, level],
    )
    return [_class(r) for r in rows]


async def in_year(tx: Transaction, school_year: str, commune_code: str | None) -> list[Class]:
    """The classes of a school year, in one commune or the whole province (None)."""
    sql = _CLASS_SQL + " WHERE c.school_year = ?"
    params: list[object] = [school_year]
    if commune_code is not None:
        sql += " AND s.commune_code = ?"
        params.append(commune_code)
    rows = await tx.fetch_all(sql + " ORDER BY c.id", params)
    return [_class(r) for r in rows]


async def set_enrolled(tx: Transaction, class_id: int, enrolled: int) -> None:
    old = await tx.fetch_value("SELECT enrolled FROM classes WHERE id = ?", (class_id,))
    await tx.execute("UPDATE classes SET enrolled = ? WHERE id = ?", (enrolled, class_id))
    if old is not None:
        await summaries.class_resized(tx, class_id, int(old), enrolled)


async def set_ends_on(tx: Transaction, class_id: int, ends_on: str | None) -> None:
    await tx.execute("UPDATE classes SET ends_on = ? WHERE id = ?", (ends_on, class_id))


async def close(tx: Transaction, class_id: int) -> bool:
    changed = await tx.execute(
        "UPDATE classes SET status = ? WHERE id = ? AND status = ?", (CLOSED, class_id, OPEN)
    )
    return changed == 1


async def close_of_teacher(tx: Transaction, teacher_id: int) -> int:
    """Closes every open class of the teacher (when they erase their data: nobody would be
    left to manage them); their figures stay. Returns how many were closed."""
    return await tx.execute(
        "UPDATE classes SET status = ? WHERE teacher_id = ? AND status = ?",
        (CLOSED, teacher_id, OPEN),
    )


async def joined(tx: Transaction, class_id: int) -> int:
    """Members who joined, including those who later erased their data."""
    count = await tx.fetch_value(
        "SELECT count(*) FROM class_members WHERE class_id = ?", (class_id,)
    )
    return int(count)


async def membership(tx: Transaction, class_id: int, user_id: int) -> Member | None:
    row = await tx.fetch_one(
        _MEMBER_SQL + " WHERE m.class_id = ? AND m.user_id = ?", (class_id, user_id)
    )
    return _member(row) if row else None


async def add_member(tx: Transaction, class_id: int, user_id: int, now: str) -> Member:
    """The next pseudonym number of the class: numbers are never given twice."""
    number = await tx.fetch_value(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM class_members WHERE class_id = ?", (class_id,)
    )
    await tx.execute(
        "INSERT INTO class_members (class_id, user_id, number, joined_at) VALUES (?, ?, ?, ?)",
        (class_id, user_id, number, now),
    )
    await summaries.member_joined(tx, class_id)
    made = await membership(tx, class_id, user_id)
    assert made is not None
    return made


async def set_nickname(tx: Transaction, member_id: int, nickname: str | None) -> None:
    await tx.execute("UPDATE class_members SET nickname = ? WHERE id = ?", (nickname, member_id))


_FIGURES_SQL = """SELECT m.class_id, m.user_id, m.number, m.nickname, m.reached_at,
                         (SELECT MAX(a.score) FROM quiz_attempts a
                          WHERE a.member_id = m.id AND a.status = ?) AS best
                  FROM class_members m WHERE m.class_id IN ({marks})
                  ORDER BY m.class_id, m.number"""


async def figures(tx: Transaction, class_id: int) -> Figures:
    return (await figures_of(tx, [class_id]))[class_id]


async def figures_of(tx: Transaction, class_ids: list[int]) -> dict[int, Figures]:
    """The figures of several classes in one read (an officer's list of a commune's classes:
    one query, not one per class)."""
    if not class_ids:
        return {}
    marks = ", ".join("?" for _ in class_ids)
    found: dict[int, list[Row]] = {class_id: [] for class_id in class_ids}
    for row in await tx.fetch_all(_FIGURES_SQL.format(marks=marks), (FINISHED, *class_ids)):
        found[int(row["class_id"])].append(row)
    return {class_id: _figures(rows) for class_id, rows in found.items()}


def _figures(rows: list[Row]) -> Figures:
    best = [int(r["best"]) for r in rows if r["best"] is not None]
    return Figures(
        joined=len(rows),
        reached=sum(1 for r in rows if r["reached_at"] is not None),
        average=sum(best) / len(best) if best else None,
        waiting=tuple(
            (int(r["number"]), r["nickname"])
            for r in rows
            if r["reached_at"] is None and r["user_id"] is not None
        ),
    )


async def members_of(tx: Transaction, class_ids: list[int]) -> list[Reach]:
    if not class_ids:
        return []
    marks = ", ".join("?" for _ in class_ids)
    rows = await tx.fetch_all(
        f"""SELECT class_id, id AS member_id, user_id, reached_at FROM class_members
            WHERE class_id IN ({marks}) ORDER BY reached_at, id""",
        class_ids,
    )
    return [Reach(**as_dict(r)) for r in rows]
