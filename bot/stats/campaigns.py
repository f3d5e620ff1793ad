"""The class campaigns' figures of an area for one school year.

The counting rules (issue 5, "Counting"; issue 10):
- a student is reached in a school year (September to August) when they finished at least one
  quiz in it; in a class, that is `class_members.reached_at`, set on the member's first
  finished quiz of the class's school year. A person in two classes of one year counts once.
- a school's denominator is its enrolment (`school_enrolments`); a school whose enrolment was
  never given counts the enrolment of its classes of the year instead (a class of 38 counts
  38), and is listed as estimated. A commune's or former district's is the sum over its schools.
- each class campaign with an activity type, and each contest, is one school activity of the
  plan's task 2c (5-10 a year), attributed to its school, commune and former district. A
  contest across several schools counts for the smallest of these units that holds them all.
- member rows, classes and contests are never deleted, so these figures survive /deleteme.
- the figures per school and school year are kept as they happen (`bot.storage.summaries`):
  a province's report reads 650 rows, not every member.
- the former district of a commune is the one of `content/units.yaml` (its main one when it was
  made of parts of two).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from bot.content.model import Content
from bot.storage import classes, contests, schools, summaries
from bot.storage.classes import Class, Figures
from bot.storage.db import Transaction
from bot.storage.schools import School

K = TypeVar("K")


@dataclass
class Tally:
    enrolled: int = 0
    classes: int = 0
    joined: int = 0
    reached: int = 0
    activities: int = 0
    estimated: int = 0  # schools whose denominator is their classes' enrolment

    @property
    def share(self) -> float | None:
        return self.reached / self.enrolled if self.enrolled else None


@dataclass
class Report:
    year: str
    commune: str | None  # None: the whole province
    total: Tally = field(default_factory=Tally)
    schools: dict[int, Tally] = field(default_factory=dict)
    communes: dict[str, Tally] = field(default_factory=dict)
    districts: dict[str, Tally] = field(default_factory=dict)
    school_list: list[School] = field(default_factory=list)
    classes: list[tuple[Class, Figures]] = field(default_factory=list)

    def school(self, school_id: int) -> School | None:
        return next((s for s in self.school_list if s.id == school_id), None)


async def build_report(
    content: Content, tx: Transaction, year: str, commune: str | None, *, per_class: bool = True
) -> Report:
    """The campaigns of `year` in one commune (or the province, None)."""
    report = Report(year, commune)
    report.school_list = await schools.in_area(tx, commune)
    recorded = await schools.enrolment_totals(tx, [s.id for s in report.school_list])
    where: dict[int, tuple[str, str]] = {}  # school -> (commune, former district)

    def tallies(school_id: int) -> list[Tally]:
        commune_code, district = where[school_id]
        return [
            report.schools[school_id],
            report.communes.setdefault(commune_code, Tally()),
            report.districts.setdefault(district, Tally()),
            report.total,
        ]

    district_of = {c.code: c.former_district for c in content.communes}
    for school in report.school_list:
        where[school.id] = (school.commune_code, district_of.get(school.commune_code, ""))
        report.schools[school.id] = Tally()
        for tally in tallies(school.id):
            tally.enrolled += recorded.get(school.id, 0)
    kept = await summaries.of_year(tx, year, list(where))
    for school_id, (opened, activities, class_enrolled, joined, reached) in kept.items():
        unmeasured = recorded.get(school_id, 0) <= 0
        for tally in tallies(school_id):
            tally.classes += opened
            tally.activities += activities
            tally.joined += joined
            tally.reached += reached
            if unmeasured and opened:
                tally.enrolled += class_enrolled
                tally.estimated += 1
    if per_class:
        listed = [c for c in await classes.in_year(tx, year, commune) if c.school_id in where]
        counted = await classes.figures_of(tx, [c.id for c in listed])
        report.classes = [(cls, counted[cls.id]) for cls in listed]
    for taking_part in (await contests.schools_of_year(tx, year)).values():
        _attribute(report, where, taking_part)
    return report


def _attribute(report: Report, where: dict[int, tuple[str, str]], taking_part: set[int]) -> None:
    """One contest: +1 for each unit (school, commune, district) that holds all its schools.

    In a commune's report, a contest with schools outside the commune is not counted.
    """
    inside = [s for s in taking_part if s in where]
    if not inside or len(inside) != len(taking_part):
        return
    communes = {where[s][0] for s in inside}
    districts = {where[s][1] for s in inside}
    if len(inside) == 1:
        report.schools[inside[0]].activities += 1
    if len(communes) == 1:
        report.communes[communes.pop()].activities += 1
    if len(districts) == 1:
        report.districts[districts.pop()].activities += 1
    report.total.activities += 1


def behind_first(units: Iterable[tuple[K, Tally]]) -> list[tuple[K, Tally]]:
    """Units with a denominator, the lowest share first (ties: the larger enrolment first)."""
    measured = [(key, tally) for key, tally in units if tally.enrolled]
    return sorted(
        measured, key=lambda item: (item[1].reached / item[1].enrolled, -item[1].enrolled)
    )
