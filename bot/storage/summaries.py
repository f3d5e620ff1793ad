"""Class campaign figures per school and school year, kept as they happen (migration 8).

The classes' storage calls these as a class opens, its size changes, a member joins and a
member is first reached; `bot.stats.campaigns` reads them, so that a province's figures are
650 rows, not 200,000 members. The rules are the ones the member rows give: a person reached
in two classes of one school year counts once, in the class where they were reached first.
"""

from __future__ import annotations

from bot.storage.db import Transaction

_ROW = """INSERT INTO school_year_figures (school_id, school_year) VALUES (?, ?)
          ON CONFLICT (school_id, school_year) DO NOTHING"""


async def class_opened(
    tx: Transaction, school_id: int, school_year: str, enrolled: int, activity: bool
) -> None:
    await tx.execute(_ROW, (school_id, school_year))
    await tx.execute(
        """UPDATE school_year_figures SET classes = classes + 1, activities = activities + ?,
               class_enrolled = class_enrolled + ?
           WHERE school_id = ? AND school_year = ?""",
        (1 if activity else 0, enrolled, school_id, school_year),
    )


async def class_resized(tx: Transaction, class_id: int, old: int, new: int) -> None:
    await tx.execute(
        """UPDATE school_year_figures SET class_enrolled = class_enrolled + ?
           WHERE (school_id, school_year) =
                 (SELECT school_id, school_year FROM classes WHERE id = ?)""",
        (new - old, class_id),
    )


async def member_joined(tx: Transaction, class_id: int) -> None:
    await tx.execute(
        """UPDATE school_year_figures SET joined = joined + 1
           WHERE (school_id, school_year) =
                 (SELECT school_id, school_year FROM classes WHERE id = ?)""",
        (class_id,),
    )


async def member_reached(tx: Transaction, member_id: int, now: str) -> None:
    """Called once the member's `reached_at` is set: +1 for the school, unless the same person
    was reached earlier in another class of that school year."""
    row = await tx.fetch_one(
        """SELECT c.school_id, c.school_year, m.user_id FROM class_members m
           JOIN classes c ON c.id = m.class_id WHERE m.id = ?""",
        (member_id,),
    )
    if row is None:
        return
    school_id, school_year, user_id = int(row[0]), str(row[1]), row[2]
    if user_id is not None:
        earlier = await tx.fetch_value(
            """SELECT COUNT(*) FROM class_members o JOIN classes c ON c.id = o.class_id
               WHERE o.user_id = ? AND c.school_year = ? AND o.reached_at IS NOT NULL
                 AND o.id <> ?""",
            (user_id, school_year, member_id),
        )
        if earlier:
            return
    await tx.execute(
        "UPDATE school_year_figures SET reached = reached + 1 "
        "WHERE school_id = ? AND school_year = ?",
        (school_id, school_year),
    )
    await tx.execute(
        """INSERT INTO school_month_reach (school_id, school_year, month, reached)
           VALUES (?, ?, ?, 1)
           ON CONFLICT (school_id, school_year, month) DO UPDATE
           SET reached = school_month_reach.reached + 1""",
        (school_id, school_year, int(now[5:7])),
    )


async def of_year(
    tx: Transaction, school_year: str, school_ids: list[int]
) -> dict[int, tuple[int, ...]]:
    """school id -> (classes, activities, class_enrolled, joined, reached)."""
    rows = await tx.fetch_all(
        """SELECT school_id, classes, activities, class_enrolled, joined, reached
           FROM school_year_figures WHERE school_year = ?""",
        (school_year,),
    )
    wanted = set(school_ids)
    return {int(r[0]): tuple(int(v) for v in r[1:]) for r in rows if int(r[0]) in wanted}


async def months_of_year(
    tx: Transaction, school_year: str, school_ids: list[int]
) -> dict[int, int]:
    """month -> students first reached that month, over the given schools."""
    rows = await tx.fetch_all(
        "SELECT school_id, month, reached FROM school_month_reach WHERE school_year = ?",
        (school_year,),
    )
    wanted, found = set(school_ids), dict[int, int]()
    for school_id, month, reached in rows:
        if int(school_id) in wanted:
            found[int(month)] = found.get(int(month), 0) + int(reached)
    return found
