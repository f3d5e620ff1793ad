"""/classstats: the class campaigns' figures of an officer's area, for one school year.

The counting is `bot.stats.campaigns` (its docstring has the rules) and the text and CSV file
`bot.stats.render`; this module only reads the command and the officer's area. The reply sums
up by former district (province view) and by commune and school; the figures of every class
come as an attached CSV file (and in the text for a commune).
"""

from __future__ import annotations

import re

from bot.core.auth import STAFF
from bot.core.clock import local_date, school_year
from bot.core.context import Context
from bot.core.messages import Attachment
from bot.core.router import N_, Command, MenuItem, Router
from bot.domain.areas import area_label, stats_area
from bot.stats.campaigns import build_report
from bot.stats.render import campaigns_text, classes_csv

_YEAR = re.compile(r"^(\d{4})\s*[-/]\s*(\d{4})$")


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
    content = ctx.deps.content
    report = await build_report(content, ctx.tx, year, area.commune)
    text = campaigns_text(content, _, report, area_label(ctx, area))
    if not report.classes:
        ctx.say(text)
        return
    ctx.say(
        text + "\n\n" + _("The figures of every class are in the attached file."),
        document=Attachment(classes_csv(content, _, report), f"classes-{year}.csv", "text/csv"),
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
