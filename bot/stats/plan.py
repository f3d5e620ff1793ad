"""The plan's tasks against what was done in a year: quota, done, met / behind / not started.

What counts as done: the school activities of task 2c (class campaigns with an activity and
contests, see `campaigns`) count automatically. Activities officers log are added by the
caller (`logged`: task id -> count). A task whose lead body has since ended is shown under
the body doing its work today (`Content.successor`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.content.model import Content, Plan, Task

MET, BEHIND, NOT_STARTED = "met", "behind", "not_started"
AUTOMATIC = {"2c-school-activities"}  # task id -> counted from the class campaigns


@dataclass(frozen=True)
class TaskProgress:
    task: Task
    lead: str  # the lead body's short name today
    minimum: int  # what "met" needs in the year (1 for a regular or yearly task)
    maximum: int | None
    automatic: int
    logged: int

    @property
    def done(self) -> int:
        return self.automatic + self.logged

    @property
    def status(self) -> str:
        if self.done <= 0:
            return NOT_STARTED
        return MET if self.done >= self.minimum else BEHIND


def lead_today(content: Content, code: str, day: date) -> str:
    heirs = content.successor(code, day)
    found = heirs[0] if heirs else content.agency(code)
    return found.short if found else code


def progress(
    content: Content,
    plan: Plan,
    day: date,
    *,
    school_activities: int,
    logged: dict[str, int] | None = None,
) -> list[TaskProgress]:
    """Every task of the plan, in the plan's order."""
    rows = []
    for task in plan.tasks:
        quota = task.quota
        counted = quota.kind == "count" and quota.minimum is not None
        rows.append(
            TaskProgress(
                task=task,
                lead=lead_today(content, task.lead, day),
                minimum=(quota.minimum or 1) if counted else 1,
                maximum=quota.maximum if counted else None,
                automatic=school_activities if task.id in AUTOMATIC else 0,
                logged=(logged or {}).get(task.id, 0),
            )
        )
    return rows
