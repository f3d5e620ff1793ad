"""The plan's percentage targets with their numerators and denominators.

- students: reached in class campaigns over enrolment (`campaigns`);
- press and radio staff (100% trained): those who finished the officials' quiz in the school
  year (the `trained` counter) over the count officers gave (`/setcount media N`);
- enterprise workers and civil servants (90%): the `worker` audience reached by a quiz over
  the people working for the agencies, as officers gave them (`/setcount workers N`).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.model import Plan
from bot.stats.campaigns import Tally
from bot.stats.overview import counted
from bot.storage import denominators
from bot.storage.db import Transaction

STUDENTS, MEDIA, WORKERS = "students-knowledge", "media-trained", "workers-knowledge"


@dataclass(frozen=True)
class TargetFigure:
    target_id: str
    percent: int
    done: int
    whole: int | None  # None: no denominator was given
    setting: str  # the /setcount kind that gives the denominator ('' for students)


async def target_figures(
    tx: Transaction, plan: Plan, school_year: str, students: Tally, communes: list[str] | None
) -> list[TargetFigure]:
    wanted = {t.id: t.percent for t in plan.targets if t.percent}
    found = []
    if STUDENTS in wanted:
        found.append(
            TargetFigure(
                STUDENTS, wanted[STUDENTS], students.reached, students.enrolled or None, ""
            )
        )
    if MEDIA in wanted:
        trained = await counted(tx, "trained", school_year, communes)
        whole = await denominators.total(tx, denominators.MEDIA)
        found.append(TargetFigure(MEDIA, wanted[MEDIA], sum(trained.values()), whole, "media"))
    if WORKERS in wanted:
        reached = await counted(tx, "reached", school_year, communes)
        whole = await denominators.total(tx, denominators.WORKERS)
        found.append(
            TargetFigure(WORKERS, wanted[WORKERS], reached.get("worker", 0), whole, "workers")
        )
    return found
