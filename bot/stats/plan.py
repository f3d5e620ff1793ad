"""The plan's tasks against what was done in a year: quota, done, met / behind / not started.

What counts as done:
- the school activities of task 2c (class campaigns with an activity and contests, see
  `campaigns`) count automatically;
- the yearly report of task 4 counts automatically: each body (an agency, with its commune for
  a commune's body) that produced `/annualreport` for the year has done it;
- the activities officers log count for their task. A quota per former district (task 2b's
  visual propaganda: 1-2 products per district a year) is checked district by district, a
  commune counting for the former district it mostly came from (`content/units.yaml`).

A task whose lead body has since ended is shown under the body doing its work today
(`Content.successor`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from bot.content.model import Content, Plan, Task
from bot.storage import activities, annual_reports
from bot.storage.annual_reports import Body
from bot.storage.db import Transaction

MET, BEHIND, NOT_STARTED = "met", "behind", "not_started"
AUTOMATIC = {"2c-school-activities"}  # task id -> counted from the class campaigns
REPORTED = {"4-report-and-review"}  # task id -> counted from the yearly reports made
PER_DISTRICT, PER_BODY = "district", "body"  # what a task's `units` are


@dataclass(frozen=True)
class UnitProgress:
    """One former district's (or reporting body's) part of a task."""

    code: str
    name: str
    done: int
    minimum: int

    @property
    def met(self) -> bool:
        return self.done >= self.minimum


@dataclass(frozen=True)
class TaskProgress:
    task: Task
    lead: str  # the lead body's short name today
    minimum: int  # what "met" needs in the year (1 for a regular or yearly task)
    maximum: int | None
    automatic: int
    logged: int
    per: str = "year"  # PER_DISTRICT or PER_BODY when `units` break the quota down
    units: tuple[UnitProgress, ...] = ()  # the furthest behind first
    unplaced: int = 0  # logged for the whole province: in `done`, in no district

    @property
    def done(self) -> int:
        return self.automatic + self.logged

    @property
    def behind(self) -> list[UnitProgress]:
        return [u for u in self.units if not u.met]

    @property
    def status(self) -> str:
        if self.done <= 0:
            return NOT_STARTED
        if self.units:
            return BEHIND if self.behind else MET
        return MET if self.done >= self.minimum else BEHIND


@dataclass
class Done:
    """What was done in the year, as read from the database (see `read_done`)."""

    school_activities: int = 0
    logged: dict[str, dict[str | None, int]] = field(default_factory=dict)  # task -> commune
    reports_made: set[Body] = field(default_factory=set)
    reporting_bodies: set[Body] = field(default_factory=set)  # bodies with an officer


async def read_done(
    tx: Transaction, year: int, commune: str | None, school_activities: int
) -> Done:
    return Done(
        school_activities=school_activities,
        logged=await activities.per_task(tx, year, commune),
        reports_made=await annual_reports.bodies_made(tx, year),
        reporting_bodies=await annual_reports.bodies_with_officers(tx),
    )


def lead_today(content: Content, code: str, day: date) -> str:
    heirs = content.successor(code, day)
    found = heirs[0] if heirs else content.agency(code)
    return found.short if found else code


def progress(
    content: Content, plan: Plan, day: date, done: Done, commune: str | None = None
) -> list[TaskProgress]:
    """Every task of the plan, in the plan's order, for one commune or the province (None)."""
    rows = []
    for task in plan.tasks:
        quota = task.quota
        counted = quota.kind == "count" and quota.minimum is not None
        minimum = (quota.minimum or 1) if counted else 1
        row = TaskProgress(
            task=task,
            lead=lead_today(content, task.lead, day),
            minimum=minimum,
            maximum=quota.maximum if counted else None,
            automatic=done.school_activities if task.id in AUTOMATIC else 0,
            logged=sum(done.logged.get(task.id, {}).values()),
        )
        if task.id in REPORTED:
            row = _reports(content, row, done, commune, day)
        elif quota.per == PER_DISTRICT and commune is None:
            row = _districts(content, row, done.logged.get(task.id, {}))
        rows.append(row)
    return rows


def _districts(content: Content, row: TaskProgress, logged: dict[str | None, int]) -> TaskProgress:
    district_of = {c.code: c.former_district for c in content.communes}
    counts = {d.code: 0 for d in content.districts}
    for commune, count in logged.items():
        if commune is not None and district_of.get(commune) in counts:
            counts[district_of[commune]] += count
    units = [UnitProgress(d.code, d.name, counts[d.code], row.minimum) for d in content.districts]
    return _with_units(row, PER_DISTRICT, units, unplaced=logged.get(None, 0))


def _reports(
    content: Content, row: TaskProgress, done: Done, commune: str | None, day: date
) -> TaskProgress:
    """Task 4: one report a year from each body; a commune's /plan sees its own bodies."""

    def today(body: Body) -> Body:
        heirs = content.successor(body[0], day)
        return (heirs[0].key if heirs else body[0], body[1])

    made = {today(b) for b in done.reports_made}
    expected = {today(b) for b in done.reporting_bodies} | made
    if commune is not None:
        expected = {b for b in expected if b[1] == commune}
    units = [
        UnitProgress(f"{a}:{c or ''}", _body_name(content, (a, c)), int((a, c) in made), 1)
        for a, c in sorted(expected, key=lambda b: (b[1] or "", b[0]))
    ]
    automatic = sum(u.done for u in units)
    return _with_units(replace(row, automatic=automatic), PER_BODY, units)


def _body_name(content: Content, body: Body) -> str:
    agency, commune = content.agency(body[0]), content.commune(body[1])
    name = agency.short if agency else body[0]
    return f"{name} ({commune.name})" if commune else name


def _with_units(
    row: TaskProgress, per: str, units: list[UnitProgress], *, unplaced: int = 0
) -> TaskProgress:
    ordered = sorted(units, key=lambda u: u.done - u.minimum)  # ties keep the given order
    return replace(row, per=per, units=tuple(ordered), unplaced=unplaced)
