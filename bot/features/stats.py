"""/stats (or `thống kê`, `xã mình thế nào`): how far an officer's area is from the plan.

`/stats [unit] [year]`: the unit is a commune, a former district, a school (by name) or
`tỉnh` (the province); the year a calendar year (2026) or a school year (2026-2027). An
officer scoped to a commune sees that commune and its schools only; province officers and
admins see any unit. The counting is `bot.stats`.
"""

from __future__ import annotations

import json

from bot.core.auth import STAFF
from bot.core.context import Context
from bot.core.deps import Deps
from bot.core.messages import Attachment, Reply
from bot.core.router import N_, Command, MenuItem, Router
from bot.core.text import fold
from bot.domain.areas import Area, area_label, stats_area
from bot.domain.periods import this_period
from bot.stats.overview import (
    COMMUNE,
    DISTRICT,
    PROVINCE,
    SCHOOL,
    Period,
    Scope,
    build_overview,
    parse_period,
)
from bot.stats.overview_text import behind_groups, overview_text
from bot.stats.render import student_target
from bot.storage import deliveries, schools
from bot.storage.db import Transaction
from bot.storage.deliveries import Delivery

CHART = "stats_chart"
PROVINCE_WORDS = {"tinh", "toan tinh", "ca tinh", "province", "lang son", "tinh lang son"}


async def stats(ctx: Context) -> None:
    _ = ctx._
    area = stats_area(ctx)
    if area is None:
        return
    words = ctx.incoming.args.split()
    period = this_period(ctx)
    if words and (wanted := parse_period(words[-1])) is not None:
        period, words = wanted, words[:-1]
    found = await _scope(ctx, area, " ".join(words))
    if found is None:
        return
    scope, name, school_commune = found
    overview = await build_overview(
        ctx.deps.content, ctx.tx, scope, period, school_commune=school_commune
    )
    content = ctx.deps.content
    text = overview_text(content, _, overview, name)
    groups = behind_groups(content, _, overview)
    if not groups or not groups[0][1]:
        ctx.say(text)
        return
    # The chart takes matplotlib about 0.2 s to draw: the figures answer at once, and the
    # chart follows through the outbox (committed with this answer, so it is never lost).
    request = {"kind": scope.kind, "code": scope.code, "year": period.calendar, "name": name}
    request["school_commune"] = school_commune
    await deliveries.enqueue(
        ctx.tx, ctx.user.id, CHART, ctx.now_iso, json.dumps(request), ctx.now_iso
    )
    ctx.say(text + "\n\n" + _("The chart follows in a moment."))


async def render_chart(deps: Deps, tx: Transaction, delivery: Delivery) -> list[Reply] | None:
    """The chart of a /stats answer: reach by unit against the 90% line, and by month."""
    # matplotlib takes 0.2 s to import: not at start-up, but with the first chart.
    from bot.stats.chart import chart_png, monthly_reached

    request = json.loads(delivery.payload)
    _ = deps.i18n.translator(delivery.locale, delivery.address)
    scope, period = Scope(request["kind"], request["code"]), Period(int(request["year"]))
    content = deps.content
    overview = await build_overview(
        content, tx, scope, period, school_commune=request["school_commune"]
    )
    groups = behind_groups(content, _, overview)
    if not groups or not groups[0][1]:
        return None
    communes = scope.communes(content)
    report = overview.campaigns
    school_ids = [
        s.id
        for s in (report.school_list if report else [])
        if communes is None or s.commune_code in communes
    ]
    months = await monthly_reached(tx, period.school_year, school_ids)
    title = _(
        "Students reached in the school year {year}: {area}",
        year=period.school_year,
        area=request["name"],
    )
    png = chart_png(_, title, groups[0][1], months, student_target(content.plan))
    return [Reply(title, photo=Attachment(png, f"stats-{period.calendar}.png", "image/png"))]


async def _scope(ctx: Context, area: Area, text: str) -> tuple[Scope, str, str] | None:
    """The unit asked for, its name and (for a school) its commune; says why not if it is
    unknown or outside the officer's area."""
    _, content = ctx._, ctx.deps.content
    if not text.strip():
        if area.commune is None:
            return Scope(PROVINCE), area_label(ctx, area), ""
        return Scope(COMMUNE, area.commune), area_label(ctx, area), ""
    if fold(text) in PROVINCE_WORDS and area.commune is None:
        return Scope(PROVINCE), area_label(ctx, area), ""
    school = await _school(ctx, area, text)
    if school is not None:
        return Scope(SCHOOL, str(school.id)), school.name, school.commune_code
    search = content.units.search(text)
    if search.communes:
        commune = search.communes[0]
        if area.commune in (None, commune.code):
            return Scope(COMMUNE, commune.code), commune.name, ""
    elif search.district is not None and area.commune is None:
        return Scope(DISTRICT, search.district.code), search.district.name, ""
    if area.commune is not None:
        ctx.say(
            _(
                "You can see the figures of {area} and its schools only.",
                area=area_label(ctx, area),
            )
        )
        return None
    ctx.say(
        _(
            "I found no commune, former district or school named “{text}”. Usage: /stats, "
            "/stats Đông Kinh, /stats Tràng Định 2026 or /stats tỉnh 2025-2026.",
            text=text,
        )
    )
    return None


async def _school(ctx: Context, area: Area, text: str) -> schools.School | None:
    """A school of the area whose name holds the text (only when the text names one)."""
    key = fold(text)
    if len(key) < 4:
        return None
    matches = [s for s in await schools.in_area(ctx.tx, area.commune) if key in fold(s.name)]
    return matches[0] if len(matches) == 1 else None


def register(router: Router) -> None:
    router.add_renderer(CHART, render_chart)
    router.add_command(
        Command(
            "stats",
            stats,
            STAFF,
            N_("figures of the plan for your area (e.g. /stats Đông Kinh 2026)"),
            order=61,
        )
    )
    router.add_menu_item(MenuItem("stats", N_("Figures of the plan"), order=39))
