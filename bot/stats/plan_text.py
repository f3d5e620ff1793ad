"""/plan as text: every task of the plan, grouped by the body leading it today."""

from __future__ import annotations

from bot.content.model import Plan
from bot.core.i18n import Translator
from bot.core.router import N_
from bot.domain.campaigns import percent
from bot.stats.plan import BEHIND, MET, NOT_STARTED, PER_BODY, PER_DISTRICT, TaskProgress
from bot.stats.targets import MEDIA, STUDENTS, WORKERS, TargetFigure

MARKS = {MET: "✅", BEHIND: "⏳", NOT_STARTED: "⭕"}
STATUS = {MET: N_("met"), BEHIND: N_("behind"), NOT_STARTED: N_("not started")}
SHORT_TASK = 90


def quota_text(_: Translator, row: TaskProgress) -> str:
    quota = row.task.quota
    if quota.kind != "count" or quota.minimum is None:
        return _("regular work") if quota.kind == "regular" else _("every year")
    if row.per == PER_BODY:
        return _("{count} a year from each body", count=row.minimum)
    if row.maximum and row.maximum != row.minimum:
        if quota.per == PER_DISTRICT:
            return _(
                "{low} to {high} a year per former district", low=row.minimum, high=row.maximum
            )
        return _("{low} to {high} a year", low=row.minimum, high=row.maximum)
    if quota.per == PER_DISTRICT:
        return _("{count} a year per former district", count=row.minimum)
    return _("{count} a year", count=row.minimum)


def short_task(_: Translator, row: TaskProgress) -> str:
    """The task's words, cut to a line: several tasks share a number (2b has three)."""
    text = row.task.text.get(_.locale)
    if len(text) <= SHORT_TASK:
        return text
    return text[:SHORT_TASK].rsplit(" ", 1)[0].rstrip(",;:") + "…"  # cut between words


def units_text(_: Translator, row: TaskProgress) -> list[str]:
    """The former districts (or bodies) still behind on a task, the furthest behind first."""
    if not row.units:
        return []
    behind = row.behind
    if row.per == PER_DISTRICT:
        lines = [
            _(
                "{met} of {count} former districts met",
                met=len(row.units) - len(behind),
                count=len(row.units),
            )
        ]
        if behind:
            names = ", ".join(f"{u.name} {_.number(u.done)}" for u in behind)
            lines.append(_("behind: {names}", names=names))
        if row.unplaced:
            lines.append(
                _("{count} logged for the whole province, in no district", count=row.unplaced)
            )
    else:
        lines = [
            _(
                "{made} of {count} bodies made their report",
                made=len(row.units) - len(behind),
                count=len(row.units),
            )
        ]
        if behind:
            lines.append(_("not yet: {names}", names=", ".join(u.name for u in behind)))
    return ["   " + "; ".join(lines)]


TARGET_LABELS = {
    STUDENTS: N_("Students who received the essential knowledge"),
    MEDIA: N_("Reporters, editors and radio staff trained"),
    WORKERS: N_("Workers and civil servants who received the essential knowledge"),
}


def targets_text(_: Translator, figures: list[TargetFigure]) -> list[str]:
    lines = ["", _("The plan's targets:")]
    for figure in figures:
        label = _(TARGET_LABELS[figure.target_id])
        if figure.whole:
            value = _(
                "{done} of {whole} ({percent}); target {target}%",
                done=_.number(figure.done),
                whole=_.number(figure.whole),
                percent=percent(_, figure.done, figure.whole),
                target=figure.percent,
            )
        else:
            value = _(
                "{done}; target {target}% (how many there are is not set: /setcount {kind} N)",
                done=_.number(figure.done),
                target=figure.percent,
                kind=figure.setting or "-",
            )
        lines.append(f"• {label}: {value}")
    return lines


def plan_text(
    _: Translator,
    plan: Plan,
    rows: list[TaskProgress],
    year: int,
    area_name: str,
    targets: list[TargetFigure] | None = None,
) -> str:
    lines = [
        "📋 "
        + _(
            "The plan's tasks in {year}: {area}",
            year=year,
            area=area_name,
        ),
        plan.title.get(_.locale),
    ]
    if not plan.period[0] <= year <= plan.period[1]:
        lines.append(
            _(
                "This plan ran from {start} to {end}; no newer plan is loaded, so its tasks are "
                "shown for reference.",
                start=plan.period[0],
                end=plan.period[1],
            )
        )
    met = sum(1 for r in rows if r.status == MET)
    lines.append(_("Met: {met} of {count} tasks.", met=met, count=len(rows)))
    if targets:
        lines += targets_text(_, targets)
    leads: dict[str, list[TaskProgress]] = {}
    for row in rows:
        leads.setdefault(row.lead, []).append(row)
    for lead, tasks in leads.items():
        lines += ["", f"🏛 {lead}"]
        for row in tasks:
            lines.append(f"{MARKS[row.status]} {row.task.number}. {short_task(_, row)}")
            lines.append(
                "   "
                + _(
                    "{status}: done {done} ({automatic} counted by the bot, {logged} logged) · "
                    "quota: {quota}",
                    status=_(STATUS[row.status]),
                    done=_.number(row.done),
                    automatic=_.number(row.automatic),
                    logged=_.number(row.logged),
                    quota=quota_text(_, row),
                )
            )
            lines += units_text(_, row)
    return "\n".join(lines)
