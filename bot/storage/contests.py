"""Contests across classes or schools: the same questions for everyone, in a time window.

The questions are drawn once, when the contest is opened, and stored with it. A class takes
part in at most one contest at a time. Results are each member's best finished score in the
contest; a student shows on a leaderboard only under their class pseudonym and only if they
opted in (`class_members.leaderboard_opt_in`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from bot.storage.db import Row, Transaction, as_dict

FINISHED = "finished"  # quiz_attempts.status of a finished quiz


@dataclass(frozen=True)
class Contest:
    id: int
    name: str
    level: str
    activity_type: str
    question_ids: tuple[str, ...]
    starts_at: str
    ends_at: str
    school_year: str
    created_by: int | None = None


@dataclass(frozen=True)
class Entry:
    """A class taking part, with where it is."""

    class_id: int
    class_name: str
    teacher_id: int | None
    enrolled: int
    school_id: int
    school_name: str
    commune_code: str


@dataclass(frozen=True)
class Score:
    """A member's best score in the contest (None: they did not finish a contest quiz)."""

    member_id: int
    class_id: int
    number: int
    user_id: int | None
    opt_in: bool
    best: int | None


def _contest(row: Row) -> Contest:
    return Contest(
        id=row["id"],
        name=row["name"],
        level=row["level"],
        activity_type=row["activity_type"],
        question_ids=tuple(json.loads(row["question_ids"])),
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        school_year=row["school_year"],
        created_by=row["created_by"],
    )


async def get(tx: Transaction, contest_id: int) -> Contest | None:
    row = await tx.fetch_one("SELECT * FROM contests WHERE id = ?", (contest_id,))
    return _contest(row) if row else None


async def running_for_class(tx: Transaction, class_id: int, now: str) -> Contest | None:
    """The contest this class takes part in that is running now, if any."""
    row = await tx.fetch_one(
        """SELECT c.* FROM contests c JOIN contest_classes cc ON cc.contest_id = c.id
           WHERE cc.class_id = ? AND c.starts_at <= ? AND c.ends_at > ?
           ORDER BY c.starts_at DESC""",
        (class_id, now, now),
    )
    return _contest(row) if row else None


async def create(
    tx: Transaction,
    *,
    name: str,
    created_by: int,
    level: str,
    question_ids: Sequence[str],
    starts_at: str,
    ends_at: str,
    school_year: str,
    class_ids: Sequence[int],
    now: str,
) -> Contest:
    await tx.execute(
        """INSERT INTO contests (name, created_by, level, question_ids, starts_at, ends_at,
                                 school_year, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        (
            name,
            created_by,
            level,
            json.dumps(list(question_ids)),
            starts_at,
            ends_at,
            school_year,
            now,
        ),
    )
    contest_id = int(await tx.fetch_value("SELECT max(id) FROM contests"))
    await tx.execute_many(
        "INSERT INTO contest_classes (contest_id, class_id) VALUES (?, ?)",
        [(contest_id, class_id) for class_id in sorted(set(class_ids))],
    )
    made = await get(tx, contest_id)
    assert made is not None
    return made


async def entries(tx: Transaction, contest_id: int) -> list[Entry]:
    rows = await tx.fetch_all(
        """SELECT c.id AS class_id, c.name AS class_name, c.teacher_id, c.enrolled,
                  s.id AS school_id, s.name AS school_name, s.commune_code
           FROM contest_classes cc JOIN classes c ON c.id = cc.class_id
                JOIN schools s ON s.id = c.school_id
           WHERE cc.contest_id = ? ORDER BY s.folded_name, c.name""",
        (contest_id,),
    )
    return [Entry(**as_dict(r)) for r in rows]


async def clashes(
    tx: Transaction, class_ids: Sequence[int], starts_at: str, ends_at: str
) -> list[tuple[str, str]]:
    """(class name, contest name) for each class already in a contest at that time."""
    if not class_ids:
        return []
    marks = ", ".join("?" for _ in class_ids)
    rows = await tx.fetch_all(
        f"""SELECT c.name AS class_name, k.name AS contest_name
            FROM contest_classes cc JOIN contests k ON k.id = cc.contest_id
                 JOIN classes c ON c.id = cc.class_id
            WHERE cc.class_id IN ({marks}) AND k.starts_at < ? AND k.ends_at > ?
            ORDER BY c.name""",
        [*class_ids, ends_at, starts_at],
    )
    return [(r["class_name"], r["contest_name"]) for r in rows]


async def visible(
    tx: Transaction,
    *,
    user_id: int,
    teacher: bool = False,
    member: bool = False,
    area: str | None = None,
    everywhere: bool = False,
    limit: int = 10,
) -> list[Contest]:
    """The latest contests a person may see: everywhere (admins, province officers), in a
    commune (`area`), those of their classes (`teacher`) or of the classes they are in
    (`member`), and always those they opened."""
    conditions = ["k.created_by = ?"]
    params: list[object] = [user_id]
    if everywhere:
        conditions.append("1 = 1")
    if area is not None:
        conditions.append("s.commune_code = ?")
        params.append(area)
    if teacher:
        conditions.append("c.teacher_id = ?")
        params.append(user_id)
    if member:
        conditions.append("c.id IN (SELECT class_id FROM class_members WHERE user_id = ?)")
        params.append(user_id)
    rows = await tx.fetch_all(
        f"""SELECT DISTINCT k.* FROM contests k
            LEFT JOIN contest_classes cc ON cc.contest_id = k.id
            LEFT JOIN classes c ON c.id = cc.class_id
            LEFT JOIN schools s ON s.id = c.school_id
            WHERE {" OR ".join(conditions)}
            ORDER BY k.starts_at DESC, k.id DESC LIMIT ?""",
        [*params, limit],
    )
    return [_contest(r) for r in rows]


async def scores(tx: Transaction, contest_id: int) -> list[Score]:
    """Every member of the classes taking part, with their best score in the contest."""
    rows = await tx.fetch_all(
        """SELECT m.id AS member_id, m.class_id, m.number, m.user_id,
                  m.leaderboard_opt_in AS opt_in,
                  (SELECT MAX(a.score) FROM quiz_attempts a
                   WHERE a.member_id = m.id AND a.contest_id = ? AND a.status = ?) AS best
           FROM contest_classes cc JOIN class_members m ON m.class_id = cc.class_id
           WHERE cc.contest_id = ? ORDER BY m.class_id, m.number""",
        (contest_id, FINISHED, contest_id),
    )
    return [
        Score(
            member_id=r["member_id"],
            class_id=r["class_id"],
            number=r["number"],
            user_id=r["user_id"],
            opt_in=bool(r["opt_in"]),
            best=r["best"],
        )
        for r in rows
    ]


async def participants(tx: Transaction, contest_id: int) -> list[int]:
    """The people (still here) who finished a quiz of the contest."""
    rows = await tx.fetch_all(
        """SELECT DISTINCT user_id FROM quiz_attempts
           WHERE contest_id = ? AND status = ? AND user_id IS NOT NULL ORDER BY user_id""",
        (contest_id, FINISHED),
    )
    return [int(r[0]) for r in rows]


async def ended_between(tx: Transaction, since: str, until: str) -> list[Contest]:
    rows = await tx.fetch_all(
        "SELECT * FROM contests WHERE ends_at > ? AND ends_at <= ? ORDER BY ends_at, id",
        (since, until),
    )
    return [_contest(r) for r in rows]


async def schools_of_year(tx: Transaction, school_year: str) -> dict[int, set[int]]:
    """For each contest of the school year, the schools whose classes take part."""
    rows = await tx.fetch_all(
        """SELECT k.id, c.school_id FROM contests k
           JOIN contest_classes cc ON cc.contest_id = k.id
           JOIN classes c ON c.id = cc.class_id
           WHERE k.school_year = ?""",
        (school_year,),
    )
    found: dict[int, set[int]] = {}
    for row in rows:
        found.setdefault(int(row[0]), set()).add(int(row[1]))
    return found


async def own_best(tx: Transaction, contest_id: int, user_id: int) -> tuple[int, int | None] | None:
    """The person's best finished score in the contest and the class membership it counted for."""
    row = await tx.fetch_one(
        """SELECT a.score, m.class_id FROM quiz_attempts a
           LEFT JOIN class_members m ON m.id = a.member_id
           WHERE a.contest_id = ? AND a.user_id = ? AND a.status = ?
           ORDER BY a.score DESC LIMIT 1""",
        (contest_id, user_id, FINISHED),
    )
    return (int(row[0]), row[1]) if row else None
