"""Draws the PNG chart that comes with /stats: reach by unit against the target line, and the
students reached month by month over the school year.

Drawn with matplotlib (a Figure rendered straight to PNG, without pyplot) in Be Vietnam Pro,
which has every Vietnamese letter with its marks. This module runs in the chart worker
process only (`bot.stats.chart_worker`): the bot's own process never imports matplotlib.
"""

from __future__ import annotations

import io
from pathlib import Path

import fontpkg_be_vietnam_pro
from matplotlib.figure import Figure  # a figure of its own: no pyplot, no display
from matplotlib.font_manager import FontProperties

from bot.stats.chart_worker import ChartSpec

FONT_DIR = Path(fontpkg_be_vietnam_pro.ROOT) / "files"
REGULAR = FontProperties(fname=FONT_DIR / "BeVietnamPro-Regular.ttf", size=9)
BOLD = FontProperties(fname=FONT_DIR / "BeVietnamPro-Bold.ttf", size=11)
SIZE_INCHES, DPI = (9.0, 7.0), 100  # 900 x 700 pixels


def chart_png(spec: ChartSpec) -> bytes:
    figure = Figure(figsize=SIZE_INCHES, dpi=DPI)
    bars, trend = figure.subplots(2, 1, gridspec_kw={"height_ratios": [3, 2]})
    names = [name for name, _share in spec.units]
    bars.barh(range(len(names)), [share for _name, share in spec.units], color="#166534")
    bars.set_yticks(range(len(names)), names, fontproperties=REGULAR)
    bars.invert_yaxis()  # the furthest behind on top
    bars.set_xlim(0, 100)
    if spec.target:
        bars.axvline(spec.target, color="#b91c1c", linestyle="--")
        bars.text(spec.target, -0.7, f"{spec.target}%", color="#b91c1c", fontproperties=REGULAR)
    bars.set_title(spec.title, fontproperties=BOLD)
    bars.set_xlabel(spec.share_label, fontproperties=REGULAR)
    trend.plot(range(len(spec.months)), spec.months, marker="o", color="#1d4ed8")
    trend.set_xticks(
        range(len(spec.months)), spec.month_labels, fontproperties=REGULAR, rotation=45
    )
    trend.set_title(spec.trend_title, fontproperties=BOLD)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
