"""The class campaigns' figures as text and as a CSV file, in the reader's language."""

from __future__ import annotations

import csv
import io

from bot.content.model import Content, Plan
from bot.core.i18n import Translator
from bot.core.router import N_
from bot.domain.campaigns import activity_label, percent
from bot.domain.profile import level_label
from bot.stats.campaigns import Report, Tally
from bot.storage.classes import OPEN, Class, Figures

ACTIVITY_TASK = "2c-school-activities"
STUDENT_TARGET = "students-knowledge"
STATUS_LABELS = {OPEN: N_("open"), "closed": N_("closed")}
CSV_HEADERS = (
    N_("School year"),
    N_("Former district"),
    N_("Commune or ward"),
    N_("School"),
    N_("Class"),
    N_("School level"),
    N_("Activity"),
    N_("Status"),
    N_("Enrolled"),
    N_("Joined"),
    N_("Reached"),
    N_("Reached (%)"),
    N_("Average score"),
)
SCHOOL_CSV_HEADERS = (
    N_("School year"),
    N_("Former district"),
    N_("Commune or ward"),
    N_("School"),
    N_("School level"),
    N_("Classes"),
    N_("Enrolled"),
    N_("Joined"),
    N_("Reached"),
    N_("Reached (%)"),
    N_("School activities"),
)


def student_target(plan: Plan) -> int | None:
    return next((t.percent for t in plan.targets if t.id == STUDENT_TARGET), None)


def activity_quota(plan: Plan) -> tuple[int, int] | None:
    task = next((t for t in plan.tasks if t.id == ACTIVITY_TASK), None)
    if task is None or task.quota.minimum is None:
        return None
    return task.quota.minimum, task.quota.maximum or task.quota.minimum


def reach_text(_: Translator, tally: Tally) -> str:
    """Reached over the denominator; says when part of it is the classes' enrolment."""
    if not tally.enrolled:
        return _("reached {reached} (enrolment not recorded)", reached=_.number(tally.reached))
    text = _(
        "reached {reached} of {enrolled} ({percent})",
        reached=_.number(tally.reached),
        enrolled=_.number(tally.enrolled),
        percent=percent(_, tally.reached, tally.enrolled),
    )
    if tally.estimated:
        text += _(
            "; {count} school(s) counted by their classes' enrolment",
            count=_.number(tally.estimated),
        )
    return text


def summary(_: Translator, tally: Tally) -> str:
    reach = reach_text(_, tally)
    activities = _.number(tally.activities)
    return _.plural(
        "{count} class · {reach} · activities {activities}",
        "{count} classes · {reach} · activities {activities}",
        tally.classes,
        reach=reach,
        activities=activities,
    )


def campaigns_text(content: Content, _: Translator, report: Report, area_name: str) -> str:
    target, quota, total = student_target(content.plan), activity_quota(content.plan), report.total
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
    activities = _.number(total.activities)
    if quota and report.commune is None:
        lines.append(
            _(
                "School activities (rallies, contests, launches, lessons): {count}; the plan "
                "asks {low} to {high} a year.",
                count=activities,
                low=quota[0],
                high=quota[1],
            )
        )
    else:
        lines.append(
            _(
                "School activities (rallies, contests, launches, lessons): {count}.",
                count=activities,
            )
        )
    if report.commune is None:
        lines += ["", _("By former district:")]
        for district in content.districts:
            tally = report.districts.get(district.code)
            if tally and (tally.classes or tally.activities):
                lines.append(f"• {district.name}: " + summary(_, tally))
    units = _by_commune(content, _, report)
    heading = _("By commune:") if report.commune is None else _("By commune and school:")
    lines += ["", heading, *(units or [_("No school is on the list yet.")])]
    return "\n".join(lines)


def _by_commune(content: Content, _: Translator, report: Report) -> list[str]:
    by_school: dict[int, list[tuple[Class, Figures]]] = {}
    for cls, figures in report.classes:
        by_school.setdefault(cls.school_id, []).append((cls, figures))
    lines, quiet = [], 0
    for commune in content.communes:
        tally = report.communes.get(commune.code)
        if tally is None:
            continue
        if not (tally.classes or tally.activities):
            quiet += 1
            continue
        lines.append(f"• {commune.name}: " + summary(_, tally))
        if report.commune is None:  # a province's 650 schools go to the file, not the chat
            continue
        for school in report.school_list:
            school_tally = report.schools[school.id]
            if school.commune_code != commune.code or not (
                school_tally.classes or school_tally.activities
            ):
                continue
            lines.append(f"  – {school.name}: " + summary(_, school_tally))
            for cls, figures in by_school.get(school.id, []):
                lines.append(f"    · {class_line(_, cls, figures)}")
    if quiet:
        lines.append(
            _("Communes with schools but no class campaign this year: {count}.", count=quiet)
        )
    return lines


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


def place_columns(content: Content, commune_code: str) -> list[str]:
    """A file's first place columns: the former district, then the commune (its code when
    the commune is unknown)."""
    commune = content.commune(commune_code)
    district = content.district(commune.former_district) if commune else None
    return [district.name if district else "", commune.name if commune else commune_code]


def classes_csv(content: Content, _: Translator, report: Report) -> bytes:
    """Every class of the report, headers and words in the reader's language; numbers as the
    spreadsheet reads them (a dot for decimals)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_(h) for h in CSV_HEADERS])
    for cls, figures in report.classes:
        writer.writerow(
            [
                report.year,
                *place_columns(content, cls.commune_code),
                cls.school_name,
                cls.name,
                level_label(_, cls.level),
                activity_label(_, cls.activity_type) if cls.activity_type else "",
                _(STATUS_LABELS[cls.status]) if cls.status in STATUS_LABELS else cls.status,
                cls.enrolled,
                figures.joined,
                figures.reached,
                round(100 * figures.reached / cls.enrolled, 1),
                round(figures.average, 2) if figures.average is not None else "",
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode()


def schools_csv(content: Content, _: Translator, report: Report) -> bytes:
    """Every school of the report with its campaigns' figures, from the figures kept per
    school and year (a province's file: 650 rows read, not every class's members)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_(h) for h in SCHOOL_CSV_HEADERS])
    for school in report.school_list:
        tally = report.schools[school.id]
        writer.writerow(
            [
                report.year,
                *place_columns(content, school.commune_code),
                school.name,
                level_label(_, school.level),
                tally.classes,
                tally.enrolled,
                tally.joined,
                tally.reached,
                round(100 * tally.reached / tally.enrolled, 1) if tally.enrolled else "",
                tally.activities,
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode()
