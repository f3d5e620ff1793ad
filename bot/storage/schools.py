"""Schools and their enrolment by grade.

Officers add schools (one at a time or from a CSV file); a teacher may propose a school that
is missing (status 'proposed' until an officer approves the teacher's registration). A school
is identified by its commune and its folded name ("Trường THCS Đông Kinh" -> "thcs dong
kinh"), so importing the same school again updates it instead of adding a second one.
Enrolment figures are the denominators of school and commune reach.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.core.text import clean, fold
from bot.storage.db import Row, Transaction

ACTIVE = "active"
PROPOSED = "proposed"
WHOLE_SCHOOL = "all"  # the enrolment "grade" of a school given as one figure
_PREFIXES = ("truong ",)


@dataclass(frozen=True)
class School:
    id: int
    name: str
    level: str
    commune_code: str
    status: str
    created_at: str


@dataclass(frozen=True)
class SchoolData:
    """What an officer gives for one school (from /addschool or a CSV row)."""

    name: str
    level: str
    commune_code: str
    enrolment: Mapping[str, int]


def fold_school_name(name: str) -> str:
    """The matching form of a school's name: 'Trường THCS Đông Kinh' -> 'thcs dong kinh'."""
    folded = " ".join(fold(name).replace(".", " ").split())
    for prefix in _PREFIXES:
        if folded.startswith(prefix):
            folded = folded[len(prefix) :]
    return folded


def _school(row: Row) -> School:
    return School(
        id=row["id"],
        name=row["name"],
        level=row["level"],
        commune_code=row["commune_code"],
        status=row["status"],
        created_at=row["created_at"],
    )


_COLUMNS = "id, name, level, commune_code, status, created_at"


async def get(tx: Transaction, school_id: int) -> School | None:
    row = await tx.fetch_one(f"SELECT {_COLUMNS} FROM schools WHERE id = ?", (school_id,))
    return _school(row) if row else None


async def find(tx: Transaction, commune_code: str, name: str) -> School | None:
    row = await tx.fetch_one(
        f"SELECT {_COLUMNS} FROM schools WHERE commune_code = ? AND folded_name = ?",
        (commune_code, fold_school_name(name)),
    )
    return _school(row) if row else None


async def in_commune(tx: Transaction, commune_code: str) -> list[School]:
    """The commune's schools, added by officers or proposed by teachers, by name."""
    rows = await tx.fetch_all(
        f"SELECT {_COLUMNS} FROM schools WHERE commune_code = ? ORDER BY folded_name",
        (commune_code,),
    )
    return [_school(r) for r in rows]


async def in_area(tx: Transaction, commune_code: str | None) -> list[School]:
    """Every school of one commune, or of the province (None)."""
    if commune_code is not None:
        return await in_commune(tx, commune_code)
    rows = await tx.fetch_all(f"SELECT {_COLUMNS} FROM schools ORDER BY commune_code, folded_name")
    return [_school(r) for r in rows]


async def save(tx: Transaction, data: SchoolData, now: str) -> tuple[School, bool]:
    """Adds the school, or updates the one with the same name in the commune.

    Its enrolment is replaced by the figures given and a proposed school becomes active.
    Returns the school and whether it was new.
    """
    name = clean(data.name)
    folded = fold_school_name(name)
    existing = await find(tx, data.commune_code, name)
    if existing is None:
        await tx.execute(
            """INSERT INTO schools (name, folded_name, level, commune_code, status, created_at)
               VALUES (?, ?, ?, ?, ?, ?)""",
            (name, folded, data.level, data.commune_code, ACTIVE, now),
        )
    else:
        await tx.execute(
            "UPDATE schools SET name = ?, level = ?, status = ? WHERE id = ?",
            (name, data.level, ACTIVE, existing.id),
        )
    school = await find(tx, data.commune_code, name)
    assert school is not None
    await tx.execute("DELETE FROM school_enrolments WHERE school_id = ?", (school.id,))
    await tx.execute_many(
        "INSERT INTO school_enrolments (school_id, grade, students) VALUES (?, ?, ?)",
        [(school.id, grade, students) for grade, students in sorted(data.enrolment.items())],
    )
    return school, existing is None


async def propose(tx: Transaction, name: str, level: str, commune_code: str, now: str) -> School:
    """A school a teacher says is missing; an existing one with that name is reused."""
    existing = await find(tx, commune_code, name)
    if existing is not None:
        return existing
    name = clean(name)
    await tx.execute(
        """INSERT INTO schools (name, folded_name, level, commune_code, status, created_at)
           VALUES (?, ?, ?, ?, ?, ?)""",
        (name, fold_school_name(name), level, commune_code, PROPOSED, now),
    )
    school = await find(tx, commune_code, name)
    assert school is not None
    return school


async def activate(tx: Transaction, school_id: int) -> None:
    await tx.execute("UPDATE schools SET status = ? WHERE id = ?", (ACTIVE, school_id))


async def enrolment(tx: Transaction, school_id: int) -> dict[str, int]:
    rows = await tx.fetch_all(
        "SELECT grade, students FROM school_enrolments WHERE school_id = ?", (school_id,)
    )
    return {str(r["grade"]): int(r["students"]) for r in rows}


async def enrolment_totals(tx: Transaction, school_ids: Iterable[int]) -> dict[int, int]:
    """Students enrolled per school (schools without figures are left out)."""
    wanted = sorted(set(school_ids))
    if not wanted:
        return {}
    marks = ", ".join("?" for _ in wanted)
    rows = await tx.fetch_all(
        f"""SELECT school_id, SUM(students) FROM school_enrolments
            WHERE school_id IN ({marks}) GROUP BY school_id""",
        wanted,
    )
    return {int(r[0]): int(r[1]) for r in rows}
