"""The PNG chart that comes with /stats: reach by unit against the target line, and the
students reached month by month over the school year.

Drawn with matplotlib (a Figure rendered straight to PNG, without pyplot) in Be Vietnam Pro,
which has every Vietnamese letter with its marks; labels come from the translator.
"""

from __future__ import annotations

import io
from pathlib import Path

import fontpkg_be_vietnam_pro
from matplotlib.figure import Figure  # a figure of its own: no pyplot, no display
from matplotlib.font_manager import FontProperties

from bot.core.i18n import Translator
from bot.stats.campaigns import Tally
from bot.storage import summaries
from bot.storage.db import Transaction

FONT_DIR = Path(fontpkg_be_vietnam_pro.ROOT) / "files"
REGULAR = FontProperties(fname=FONT_DIR / "BeVietnamPro-Regular.ttf", size=9)
BOLD = FontProperties(fname=FONT_DIR / "BeVietnamPro-Bold.ttf", size=11)
SIZE_INCHES, DPI = (9.0, 7.0), 100  # 900 x 700 pixels
MAX_UNITS = 12
MONTHS = (9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8)  # a school year


async def monthly_reached(tx: Transaction, school_year: str, school_ids: list[int]) -> list[int]:
    """Students first reached in a class each month of the school year, September first."""
    found = await summaries.months_of_year(tx, school_year, school_ids)
    return [found.get(month, 0) for month in MONTHS]


def chart_png(
    _: Translator,
    title: str,
    units: list[tuple[str, Tally]],
    months: list[int],
    target: int | None,
) -> bytes:
    figure = Figure(figsize=SIZE_INCHES, dpi=DPI)
    bars, trend = figure.subplots(2, 1, gridspec_kw={"height_ratios": [3, 2]})
    shown = units[:MAX_UNITS]
    names = [name for name, _tally in shown]
    shares = [100 * t.reached / t.enrolled if t.enrolled else 0 for _n, t in shown]
    bars.barh(range(len(shown)), shares, color="#166534")
    bars.set_yticks(range(len(shown)), names, fontproperties=REGULAR)
    bars.invert_yaxis()  # the furthest behind on top
    bars.set_xlim(0, 100)
    if target:
        bars.axvline(target, color="#b91c1c", linestyle="--")
        bars.text(target, -0.7, f"{target}%", color="#b91c1c", fontproperties=REGULAR)
    bars.set_title(title, fontproperties=BOLD)
    bars.set_xlabel(_("Students reached (%)"), fontproperties=REGULAR)
    labels = [_("Month {month}", month=m) for m in MONTHS]
    trend.plot(range(len(MONTHS)), months, marker="o", color="#1d4ed8")
    trend.set_xticks(range(len(MONTHS)), labels, fontproperties=REGULAR, rotation=45)
    trend.set_title(_("Students reached, month by month"), fontproperties=BOLD)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
