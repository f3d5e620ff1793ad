"""Contests across classes or schools: the same questions for everyone, in a time window."""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.storage.db import Row, Transaction


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
