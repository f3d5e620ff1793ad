"""The figures of /stats: one unit (province, former district, commune or school), one period.

A period is a calendar year and the school year that starts in it (`/stats 2026` and
`/stats 2026-2027` are the same period): people who joined the bot and tips delivered are
counted by calendar year, quizzes finished and class campaigns by school year, as the bot
records them. Counters outlive the people behind them (see `bot.storage.counters`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.content.model import AUDIENCES, Content
from bot.stats.campaigns import Report, Tally, build_report
from bot.stats.reports import MarketReports, by_market
from bot.storage.db import Transaction

PROVINCE, DISTRICT, COMMUNE, SCHOOL = "province", "district", "commune", "school"
TIP_KIND = "daily_tip"
PLEDGE_METRICS = ("taken", "kept", "completed", "dropped")  # bot.pledging.records
_SCHOOL_YEAR = re.compile(r"^(\d{4})\s*[-/–]\s*(\d{4})$")
_CALENDAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class Period:
    calendar: int

    @property
    def school_year(self) -> str:
        return f"{self.calendar}-{self.calendar + 1}"


def parse_period(text: str) -> Period | None:
    """'2026' or '2026-2027' (the school year must be two years in a row)."""
    value = text.strip()
    if found := _CALENDAR.match(value):
        year = int(found[1])
        return Period(year) if 2000 <= year <= 2100 else None
    found = _SCHOOL_YEAR.match(value)
    if found and int(found[2]) == int(found[1]) + 1 and 2000 <= int(found[1]) <= 2100:
        return Period(int(found[1]))
    return None


@dataclass(frozen=True)
class Scope:
    kind: str  # province, district, commune or school
    code: str = ""  # the district's or commune's code, or the school's id

    def communes(self, content: Content) -> list[str] | None:
        """The communes whose counters add up to this unit (None: all of them)."""
        if self.kind == PROVINCE:
            return None
        if self.kind == DISTRICT:
            return [c.code for c in content.communes if c.former_district == self.code]
        return [self.code] if self.kind == COMMUNE else []


@dataclass
class Overview:
    scope: Scope
    period: Period
    joined: dict[str, int] = field(default_factory=dict)  # audience -> people, calendar year
    reached: dict[str, int] = field(default_factory=dict)  # audience -> people, school year
    subscribers: int = 0
    tips: int = 0
    pledges: dict[str, int] = field(default_factory=dict)  # taken, kept (weeks), completed...
    reports: list[MarketReports] | None = None  # None: no market reports' tables
    campaigns: Report | None = None
    tally: Tally = field(default_factory=Tally)  # the unit's own campaign tally


async def counted(
    tx: Transaction, metric: str, period: str, communes: list[str] | None
) -> dict[str, int]:
    """A counter's totals per audience, over some communes or all."""
    sql = "SELECT audience, SUM(value) FROM counters WHERE metric = ? AND period = ?"
    params: list[object] = [metric, period]
    if communes is not None:
        sql += f" AND commune_code IN ({','.join('?' * len(communes)) or 'NULL'})"
        params += communes
    rows = await tx.fetch_all(sql + " GROUP BY audience", tuple(params))
    return {str(r[0]): int(r[1]) for r in rows}


async def subscribers(tx: Transaction, communes: list[str] | None) -> int:
    sql = """SELECT COUNT(*) FROM users WHERE tip_time IS NOT NULL AND reachable = 1
             AND consent_at IS NOT NULL"""
    params: tuple[str, ...] = ()
    if communes is not None:
        sql += f" AND commune_code IN ({','.join('?' * len(communes)) or 'NULL'})"
        params = tuple(communes)
    return int(await tx.fetch_value(sql, params))


async def build_overview(
    content: Content, tx: Transaction, scope: Scope, period: Period, *, school_commune: str = ""
) -> Overview:
    """Everything /stats says about one unit. A school's figures are its campaigns only."""
    overview = Overview(scope, period)
    communes = scope.communes(content)
    if scope.kind != SCHOOL:
        joined = await counted(tx, "joined", str(period.calendar), communes)
        reached = await counted(tx, "reached", period.school_year, communes)
        overview.joined = {a: joined.get(a, 0) for a in AUDIENCES}
        overview.reached = {a: reached.get(a, 0) for a in AUDIENCES}
        overview.subscribers = await subscribers(tx, communes)
        delivered = await counted(tx, f"delivered.{TIP_KIND}", str(period.calendar), communes)
        overview.tips = sum(delivered.values())
        for metric in PLEDGE_METRICS:
            found = await counted(tx, f"pledges.{metric}", str(period.calendar), communes)
            overview.pledges[metric] = sum(found.values())
        overview.reports = await by_market(content, tx, period.calendar, communes)
    area = scope.code if scope.kind == COMMUNE else school_commune or None
    report = await build_report(content, tx, period.school_year, area, per_class=False)
    overview.campaigns = report
    if scope.kind == PROVINCE or scope.kind == COMMUNE:
        overview.tally = report.total
    elif scope.kind == DISTRICT:
        overview.tally = report.districts.get(scope.code, Tally())
    else:
        overview.tally = report.schools.get(int(scope.code), Tally())
    return overview
