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
from bot.stats.plan import progress
from bot.stats.plan_text import plan_text


async def plan(ctx: Context) -> None:
    area = stats_area(ctx)
    period = wanted_period(ctx)
    if area is None or period is None:
        return
    content = ctx.deps.content
    chosen = content.plan_for(date(period.calendar, 12, 31))
    report = await build_report(content, ctx.tx, period.school_year, area.commune, per_class=False)
    rows = progress(content, chosen, local_date(ctx.now), school_activities=report.total.activities)
    ctx.say(plan_text(ctx._, chosen, rows, period.calendar, area_label(ctx, area)))


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
