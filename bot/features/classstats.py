"""/classstats: the class campaigns' figures of an officer's area, for one school year.

The counting is `bot.stats.campaigns` (its docstring has the rules) and the text and CSV file
`bot.stats.render`; this module only reads the command and the officer's area. The reply sums
up by former district (province view) and by commune and school. A province's view reads only
the figures kept per school and year (`bot.storage.summaries`) and attaches every school's; a
commune's attaches every class's (and lists them in the text).
"""

from __future__ import annotations

import re
from typing import Literal

from bot.core.auth import STAFF
from bot.core.clock import local_date, school_year
from bot.core.context import Context
from bot.core.messages import Attachment
from bot.core.router import N_, Command, MenuItem, Router
from bot.domain.areas import Area, area_label, stats_area
from bot.stats.campaigns import build_report
from bot.stats.render import campaigns_text, classes_csv, schools_csv

_YEAR = re.compile(r"^(\d{4})\s*[-/]\s*(\d{4})$")
CSV = "text/csv"
USAGE = N_("Usage: /classstats or /classstats 2025-2026 (a school year).")


async def classstats(ctx: Context) -> None:
    """`/classstats [commune] [YYYY-YYYY]`. A province's view is read from the figures kept
    per school and year and comes with a file of every school; a commune's (an officer's own,
    or one a province officer names) with a file of every class."""
    _ = ctx._
    area = stats_area(ctx)
    if area is None:
        return
    args = ctx.incoming.args.strip()
    words = [args] if _YEAR.match(args) else args.split()  # "2025 - 2026" is one year
    year = school_year(local_date(ctx.now))
    if words and (found := _YEAR.match(words[-1])):
        if int(found[2]) != int(found[1]) + 1:
            ctx.say(_(USAGE))
            return
        year, words = f"{found[1]}-{found[2]}", words[:-1]
    commune = await _commune(ctx, area, " ".join(words))
    if commune is False:
        return
    content = ctx.deps.content
    report = await build_report(content, ctx.tx, year, commune, per_class=commune is not None)
    text = campaigns_text(content, _, report, area_label(ctx, Area(commune)))
    if commune is None and report.school_list:
        ctx.say(
            text
            + "\n\n"
            + _(
                "The figures of every school are in the attached file; those of every class "
                "of a commune with /classstats and its name (for example: /classstats dong kinh)."
            ),
            document=Attachment(schools_csv(content, _, report), f"schools-{year}.csv", CSV),
        )
        return
    if not report.classes:  # a commune without classes, or a province without schools
        ctx.say(text)
        return
    ctx.say(
        text + "\n\n" + _("The figures of every class are in the attached file."),
        document=Attachment(classes_csv(content, _, report), f"classes-{year}.csv", CSV),
    )


async def _commune(ctx: Context, area: Area, text: str) -> str | Literal[False] | None:
    """The commune asked for (None: the officer's area as it is), or False once told why not."""
    _ = ctx._
    if not text:
        return area.commune
    if text.isdigit():
        ctx.say(_(USAGE))
        return False
    found = ctx.deps.content.units.search(text)
    if not found.communes:
        ctx.say(
            _(
                "I found no commune or ward named “{text}”. Usage: /classstats, /classstats "
                "2025-2026 or /classstats dong kinh 2025-2026.",
                text=text[:60],
            )
        )
        return False
    code = found.communes[0].code
    if area.commune not in (None, code):
        ctx.say(
            _(
                "You can see the figures of {area} and its schools only.",
                area=area_label(ctx, area),
            )
        )
        return False
    return code


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
