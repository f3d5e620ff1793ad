"""/stats (or `thống kê`, `xã mình thế nào`): how far an officer's area is from the plan.

`/stats [unit] [year]`: the unit is a commune, a former district, a school (by name) or
`tỉnh` (the province); the year a calendar year (2026) or a school year (2026-2027). An
officer scoped to a commune sees that commune and its schools only; province officers and
admins see any unit. The counting is `bot.stats`.
"""

from __future__ import annotations

import json
from typing import Any

from bot.core.auth import STAFF
from bot.core.context import Context
from bot.core.deps import Deps
from bot.core.messages import Attachment, Reply
from bot.core.router import N_, Command, Later, MenuItem, Router
from bot.core.text import fold
from bot.domain.areas import Area, area_label, stats_area
from bot.domain.periods import this_period
from bot.stats.campaigns import Tally
from bot.stats.chart_worker import MAX_UNITS, MONTHS, ChartSpec, draw, monthly_reached
from bot.stats.overview import (
    COMMUNE,
    DISTRICT,
    PROVINCE,
    SCHOOL,
    Overview,
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
    # The chart takes about 0.2 s to draw: the figures answer at once, and the chart follows
    # through the outbox. Its row, committed with this answer (so a restart cannot lose it),
    # holds what the chart shows; the worker draws it when it is sent.
    await deliveries.enqueue(
        ctx.tx,
        ctx.user.id,
        CHART,
        ctx.now_iso,
        json.dumps(_chart_request(ctx, scope, overview, groups[0][1], name)),
        ctx.now_iso,
    )
    ctx.say(text + "\n\n" + _("The chart follows in a moment."))


def _chart_request(
    ctx: Context, scope: Scope, overview: Overview, units: list[tuple[str, Tally]], name: str
) -> dict[str, Any]:
    """What the chart needs: the bars (unit, % reached), and the schools whose month-by-month
    figures it draws (read when it is sent)."""
    communes = scope.communes(ctx.deps.content)
    report = overview.campaigns
    schools = [
        s.id
        for s in (report.school_list if report else [])
        if communes is None or s.commune_code in communes
    ]
    bars = [
        (unit, round(100 * t.reached / t.enrolled, 1) if t.enrolled else 0.0)
        for unit, t in units[:MAX_UNITS]
    ]
    return {
        "year": overview.period.calendar,
        "name": name,
        "units": bars,
        "schools": schools,
    }


async def render_chart(deps: Deps, tx: Transaction, delivery: Delivery) -> Later | None:
    """The chart of a /stats answer: reach by unit against the 90% line, and by month."""
    request = json.loads(delivery.payload)
    if "units" not in request:  # queued by a version that redrew the figures: not drawable
        return None
    _ = deps.i18n.translator(delivery.locale, delivery.address)
    period = Period(int(request["year"]))
    months = await monthly_reached(tx, period.school_year, [int(i) for i in request["schools"]])
    title = _(
        "Students reached in the school year {year}: {area}",
        year=period.school_year,
        area=request["name"],
    )
    spec = ChartSpec(
        title=title,
        units=[(str(unit), float(share)) for unit, share in request["units"]],
        months=months,
        month_labels=[_("Month {month}", month=m) for m in MONTHS],
        share_label=_("Students reached (%)"),
        trend_title=_("Students reached, month by month"),
        target=student_target(deps.content.plan),
    )

    async def drawn() -> list[Reply]:  # 0.2 s in the chart worker: after the claim committed
        png = await draw(spec)
        return [Reply(title, photo=Attachment(png, f"stats-{period.calendar}.png", "image/png"))]

    return drawn


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
