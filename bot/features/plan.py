"""/plan [year]: the plan's tasks, what was done in the year and whether each is met, behind
or not started, grouped by the body leading it today (see `bot.stats.plan`)."""

from __future__ import annotations

from datetime import date

from bot.core.auth import STAFF
from bot.core.clock import local_date
from bot.core.context import Context
from bot.core.router import N_, Command, MenuItem, Router
from bot.domain.areas import area_label, stats_area
from bot.domain.periods import wanted_period
from bot.stats.campaigns import build_report
from bot.stats.plan import progress, read_done
from bot.stats.plan_text import plan_text
from bot.stats.targets import STUDENTS, target_figures
from bot.storage import denominators


async def plan(ctx: Context) -> None:
    area = stats_area(ctx)
    period = wanted_period(ctx)
    if area is None or period is None:
        return
    content = ctx.deps.content
    chosen = content.plan_for(date(period.calendar, 12, 31))
    report = await build_report(content, ctx.tx, period.school_year, area.commune, per_class=False)
    done = await read_done(ctx.tx, period.calendar, area.commune, report.total.activities)
    rows = progress(content, chosen, local_date(ctx.now), done, area.commune)
    targets = await target_figures(
        ctx.tx, chosen, period.school_year, report.total, [area.commune] if area.commune else None
    )
    if area.commune:  # the counts officers give are the province's: not for one commune
        targets = [t for t in targets if t.target_id == STUDENTS]
    ctx.say(plan_text(ctx._, chosen, rows, period.calendar, area_label(ctx, area), targets))


async def setcount(ctx: Context) -> None:
    """`/setcount media N` (reporters, editors and radio staff of the province) or
    `/setcount workers N` (people working for the officer's agency)."""
    _ = ctx._
    words = ctx.incoming.args.split()
    kinds = {"media": denominators.MEDIA, "workers": denominators.WORKERS}
    if len(words) != 2 or words[0].lower() not in kinds or not words[1].isdigit():
        ctx.say(
            _(
                "Usage: /setcount media N (how many reporters, editors and radio staff the "
                "province has) or /setcount workers N (how many people work for your agency)."
            )
        )
        return
    if ctx.user.officer_commune:
        ctx.say(_("These counts are the province's: officers of the province set them."))
        return
    kind, value = kinds[words[0].lower()], int(words[1])
    scope = (ctx.user.officer_agency or "") if kind == denominators.WORKERS else ""
    await denominators.set_value(ctx.tx, kind, scope, value, ctx.user.id, ctx.now_iso)
    ctx.say(_("Saved: {count}. /plan shows the targets with it.", count=_.number(value)))


def register(router: Router) -> None:
    router.add_command(
        Command(
            "plan",
            plan,
            STAFF,
            N_("the plan's tasks and how far each is (e.g. /plan 2026)"),
            order=60,
        )
    )
    router.add_menu_item(MenuItem("plan", N_("The plan's tasks"), order=38))
    router.add_command(
        Command(
            "setcount",
            setcount,
            STAFF,
            N_("how many press and radio staff, or workers of your agency (/setcount media 120)"),
            order=66,
        )
    )
