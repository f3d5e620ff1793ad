"""/classstats: the class campaigns' figures of an officer's area, for one school year.

The counting rules (issue 5, "Counting"):
- a student is reached in a school year (September to August) when they finished at least one
  quiz in it; in a class, that is `class_members.reached_at`, set on the member's first
  finished quiz of the class's school year. A person in two classes of one year counts once.
- a school's reach is its reached students over its enrolment (`school_enrolments`), and a
  commune's or former district's is the sum over all its schools: the denominators come from
  the enrolment figures officers gave, not from who happened to join.
- each class campaign with an activity type, and each contest, is one school activity of the
  plan's task 2c (5-10 a year), attributed to its school, commune and former district. A
  contest across several schools counts for the smallest of these units that holds them all
  (across two communes of one former district: for that district only).
- member rows, classes and contests are never deleted, so these figures survive /deleteme.

The reply sums up by former district (province view) and by commune and school; the figures
of every class come as an attached CSV file (and in the text for a commune).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from bot.core.auth import STAFF, Role
from bot.core.clock import local_date, school_year
from bot.core.context import Context
from bot.core.deps import Deps
from bot.core.i18n import Translator
from bot.core.messages import Attachment
from bot.core.router import N_, Command, MenuItem, Router
from bot.domain.areas import Area, area_label
from bot.domain.campaigns import percent
from bot.domain.profile import level_label
from bot.storage import classes, contests, schools
from bot.storage.classes import Class, Figures
from bot.storage.db import Transaction
from bot.storage.schools import School

_YEAR = re.compile(r"^(\d{4})\s*[-/]\s*(\d{4})$")
ACTIVITY_TASK = "2c-school-activities"
STUDENT_TARGET = "students-knowledge"


@dataclass
class Tally:
    enrolled: int = 0
    classes: int = 0
    joined: int = 0
    reached: int = 0  # in schools whose enrolment is recorded: the share's numerator
    unmeasured: int = 0  # reached in schools without an enrolment figure (not in the share)
    activities: int = 0


@dataclass
class Report:
    year: str
    area: Area
    total: Tally = field(default_factory=Tally)
    schools: dict[int, Tally] = field(default_factory=dict)
    communes: dict[str, Tally] = field(default_factory=dict)
    districts: dict[str, Tally] = field(default_factory=dict)
    school_list: list[School] = field(default_factory=list)
    classes: list[tuple[Class, Figures]] = field(default_factory=list)


def stats_area(ctx: Context) -> Area | None:
    """Admins see the province; officers their commune, or the province."""
    if ctx.role is Role.ADMIN:
        return Area(None)
    if ctx.role is Role.OFFICER:
        return Area(ctx.user.officer_commune or None)
    return None


async def build_report(deps: Deps, tx: Transaction, year: str, area: Area) -> Report:
    report = Report(year, area)
    report.school_list = await schools.in_area(tx, area.commune)
    enrolled = await schools.enrolment_totals(tx, [s.id for s in report.school_list])
    where: dict[int, tuple[str, str]] = {}  # school -> (commune, former district)

    def tallies(school_id: int) -> list[Tally]:
        commune, district = where[school_id]
        return [
            report.schools[school_id],
            report.communes.setdefault(commune, Tally()),
            report.districts.setdefault(district, Tally()),
            report.total,
        ]

    for school in report.school_list:
        found = deps.content.commune(school.commune_code)
        where[school.id] = (school.commune_code, found.former_district if found else "")
        report.schools[school.id] = Tally()
        for tally in tallies(school.id):
            tally.enrolled += enrolled.get(school.id, 0)
    year_classes = await classes.in_year(tx, year, area.commune)
    school_of = {c.id: c.school_id for c in year_classes}
    for cls in year_classes:
        report.classes.append((cls, await classes.figures(tx, cls.id)))
        for tally in tallies(cls.school_id):
            tally.classes += 1
            tally.activities += 1 if cls.activity_type else 0
    counted: set[tuple[str, int]] = set()
    for member in await classes.members_of(tx, [c.id for c in year_classes]):
        school_id = school_of[member.class_id]
        for tally in tallies(school_id):
            tally.joined += 1
        person = ("user", member.user_id) if member.user_id else ("member", member.member_id)
        if member.reached_at and person not in counted:
            counted.add(person)
            measured = enrolled.get(school_id, 0) > 0
            for tally in tallies(school_id):
                if measured:
                    tally.reached += 1
                else:
                    tally.unmeasured += 1
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


def reach_text(_: Translator, tally: Tally) -> str:
    """Reached over enrolment, counting only schools whose enrolment is recorded; students
    reached elsewhere are named apart so that the share never mixes the two."""
    if not tally.enrolled:
        reached = tally.reached + tally.unmeasured
        return _("reached {reached} (enrolment not recorded)", reached=_.number(reached))
    text = _(
        "reached {reached} of {enrolled} ({percent})",
        reached=_.number(tally.reached),
        enrolled=_.number(tally.enrolled),
        percent=percent(_, tally.reached, tally.enrolled),
    )
    if tally.unmeasured:
        text += _(
            "; {count} more in schools without an enrolment figure",
            count=_.number(tally.unmeasured),
        )
    return text


def render(deps: Deps, _: Translator, report: Report, area_name: str) -> str:
    plan = deps.content.plan
    target = next((t.percent for t in plan.targets if t.id == STUDENT_TARGET), None)
    task = next((t for t in plan.tasks if t.id == ACTIVITY_TASK), None)
    total = report.total
    lines = [
        "📊 "
        + _("Class campaigns in the school year {year}: {area}", year=report.year, area=area_name),
        _(
            "Schools on the list: {schools}, with {enrolled} students enrolled.",
            schools=_.number(len(report.school_list)),
            enrolled=_.number(total.enrolled),
        ),
        _(
            "Classes: {classes} · students joined: {joined} · {reach}",
            classes=_.number(total.classes),
            joined=_.number(total.joined),
            reach=reach_text(_, total),
        ),
    ]
    if target:
        lines.append(_("The plan's target: {target}% of students.", target=target))
    if task and task.quota.minimum and report.area.commune is None:
        lines.append(
            _(
                "School activities (rallies, contests, launches, lessons): {count}; the plan "
                "asks {low} to {high} a year.",
                count=_.number(total.activities),
                low=task.quota.minimum,
                high=task.quota.maximum,
            )
        )
    else:
        lines.append(
            _(
                "School activities (rallies, contests, launches, lessons): {count}.",
                count=_.number(total.activities),
            )
        )
    if report.area.commune is None:
        lines += ["", _("By former district:")]
        for district in deps.content.districts:
            tally = report.districts.get(district.code)
            if tally and (tally.classes or tally.activities):
                lines.append(f"• {district.name}: " + _summary(_, tally))
    lines += ["", _("By commune and school:")]
    by_school: dict[int, list[tuple[Class, Figures]]] = {}
    for cls, figures in report.classes:
        by_school.setdefault(cls.school_id, []).append((cls, figures))
    quiet = 0
    for commune in deps.content.communes:
        tally = report.communes.get(commune.code)
        if tally is None:
            continue
        if not (tally.classes or tally.activities):
            quiet += 1
            continue
        lines.append(f"• {commune.name}: " + _summary(_, tally))
        for school in report.school_list:
            school_tally = report.schools[school.id]
            if school.commune_code != commune.code or not (
                school_tally.classes or school_tally.activities
            ):
                continue
            lines.append(f"  – {school.name}: " + _summary(_, school_tally))
            if report.area.commune is not None:
                for cls, figures in by_school.get(school.id, []):
                    lines.append(f"    · {class_line(_, cls, figures)}")
    if quiet:
        lines.append(
            _("Communes with schools but no class campaign this year: {count}.", count=quiet)
        )
    return "\n".join(lines)


def _summary(_: Translator, tally: Tally) -> str:
    return _.plural(
        "{count} class · {reach} · activities {activities}",
        "{count} classes · {reach} · activities {activities}",
        tally.classes,
        reach=reach_text(_, tally),
        activities=_.number(tally.activities),
    )


def class_line(_: Translator, cls: Class, figures: Figures) -> str:
    return _(
        "{name} ({level}): joined {joined} · finished a quiz {reached} · average {average} · "
        "reached {reached} of {enrolled} ({percent})",
        name=cls.name,
        level=level_label(_, cls.level),
        joined=_.number(figures.joined),
        reached=_.number(figures.reached),
        average=_.number(round(figures.average, 1)) if figures.average is not None else "-",
        enrolled=_.number(cls.enrolled),
        percent=percent(_, figures.reached, cls.enrolled),
    )


def classes_csv(deps: Deps, report: Report) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "school_year",
            "former_district",
            "commune",
            "school",
            "class",
            "level",
            "activity",
            "status",
            "enrolled",
            "joined",
            "reached",
            "reach_percent",
            "average_score",
        ]
    )
    for cls, figures in report.classes:
        commune = deps.content.commune(cls.commune_code)
        district = deps.content.district(commune.former_district) if commune else None
        writer.writerow(
            [
                report.year,
                district.name if district else "",
                commune.name if commune else cls.commune_code,
                cls.school_name,
                cls.name,
                cls.level,
                cls.activity_type or "",
                cls.status,
                cls.enrolled,
                figures.joined,
                figures.reached,
                round(100 * figures.reached / cls.enrolled, 1),
                round(figures.average, 2) if figures.average is not None else "",
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode()


async def classstats(ctx: Context) -> None:
    _ = ctx._
    area = stats_area(ctx)
    if area is None:
        return
    year = school_year(local_date(ctx.now))
    wanted = ctx.incoming.args.strip()
    if wanted:
        found = _YEAR.match(wanted)
        if not found or int(found[2]) != int(found[1]) + 1:
            ctx.say(_("Usage: /classstats or /classstats 2025-2026 (a school year)."))
            return
        year = f"{found[1]}-{found[2]}"
    report = await build_report(ctx.deps, ctx.tx, year, area)
    text = render(ctx.deps, _, report, area_label(ctx, area))
    if not report.classes:
        ctx.say(text)
        return
    ctx.say(
        text + "\n\n" + _("The figures of every class are in the attached file."),
        document=Attachment(classes_csv(ctx.deps, report), f"classes-{year}.csv", "text/csv"),
    )


def register(router: Router) -> None:
    router.add_command(
        Command(
            "classstats",
            classstats,
            STAFF,
            N_("class campaigns' figures for your area (e.g. /classstats 2025-2026)"),
            order=63,
        )
    )
    router.add_menu_item(MenuItem("classstats", N_("Class campaigns' figures"), order=41))
