"""The officers' workbook (`/export`, `/annualreport`, `python -m bot export`): one sheet per
subject, headers and words in the reader's language, numbers as numbers, percentages as
percentages, frozen header rows and columns that fit. Pseudonyms and names of units only:
never a person's channel id.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook

from bot.content.model import AUDIENCES, Content
from bot.core.i18n import Translator
from bot.domain.profile import audience_label, level_label
from bot.stats.campaigns import Report, Tally, build_report
from bot.stats.export_plan import task_units_sheet, tasks_sheet
from bot.stats.overview import PLEDGE_METRICS, TIP_KIND, Period, counted
from bot.stats.plan import TaskProgress, progress, read_done
from bot.stats.render import place_columns
from bot.stats.reports import MarketReports, by_market
from bot.stats.sheets import fit, new_sheet, percent_column
from bot.storage.db import Transaction


@dataclass
class Figures:
    """Everything the workbook and the yearly report say, counted once."""

    period: Period
    commune: str | None  # None: the province
    campaigns: list[Report]  # the school years that overlap the calendar year, oldest first
    tasks: list[TaskProgress]
    joined: dict[str, int]
    reached: dict[str, int]
    pledges: dict[str, dict[str, int]]  # commune -> metric -> count
    tips_by_month: list[tuple[str, int, int]]  # month, people, tips
    reports: list[MarketReports] | None  # None: no market reports' tables

    @property
    def current(self) -> Report:
        """The school year that starts in the calendar year."""
        return self.campaigns[-1]


async def gather(
    content: Content, tx: Transaction, period: Period, commune: str | None, day: date
) -> Figures:
    years = [f"{period.calendar - 1}-{period.calendar}", period.school_year]
    campaigns = [await build_report(content, tx, y, commune, per_class=False) for y in years]
    communes = [commune] if commune else None
    pledges: dict[str, dict[str, int]] = {}
    for metric in PLEDGE_METRICS:
        sql = """SELECT commune_code, SUM(value) FROM counters WHERE metric = ? AND period = ?"""
        params: list[object] = [f"pledges.{metric}", str(period.calendar)]
        if commune:
            sql += " AND commune_code = ?"
            params.append(commune)
        for row in await tx.fetch_all(sql + " GROUP BY commune_code", tuple(params)):
            pledges.setdefault(str(row[0]), {})[metric] = int(row[1])
    plan = content.plan_for(date(period.calendar, 12, 31))
    done = await read_done(tx, period.calendar, commune, campaigns[-1].total.activities)
    return Figures(
        period=period,
        commune=commune,
        campaigns=campaigns,
        tasks=progress(content, plan, day, done, commune),
        joined=await counted(tx, "joined", str(period.calendar), communes),
        reached=await counted(tx, "reached", period.school_year, communes),
        pledges=pledges,
        tips_by_month=await _tips_by_month(tx, period.calendar, commune),
        reports=await by_market(content, tx, period.calendar, communes),
    )


async def _tips_by_month(
    tx: Transaction, year: int, commune: str | None
) -> list[tuple[str, int, int]]:
    sql = """SELECT substr(d.day, 1, 7), COUNT(DISTINCT d.user_id), COUNT(*)
             FROM deliveries d JOIN users u ON u.id = d.user_id
             WHERE d.kind = ? AND d.status = 'sent' AND d.day LIKE ?"""
    params: list[object] = [TIP_KIND, f"{year}-%"]
    if commune:
        sql += " AND u.commune_code = ?"
        params.append(commune)
    rows = await tx.fetch_all(sql + " GROUP BY 1 ORDER BY 1", tuple(params))
    return [(str(r[0]), int(r[1]), int(r[2])) for r in rows]


def share(tally: Tally) -> float | None:
    return tally.reached / tally.enrolled if tally.enrolled else None


def workbook(content: Content, _: Translator, figures: Figures) -> bytes:
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    tasks_sheet(book, _, figures.tasks)
    task_units_sheet(book, _, figures.tasks)
    _schools_sheet(book, content, _, figures)
    _units_sheet(book, content, _, figures, districts=False)
    _units_sheet(book, content, _, figures, districts=True)
    _audiences_sheet(book, _, figures)
    _pledges_sheet(book, content, _, figures)
    _reports_sheet(book, content, _, figures)
    _tips_sheet(book, _, figures)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _schools_sheet(book: Workbook, content: Content, _: Translator, figures: Figures) -> None:
    sheet = new_sheet(
        book,
        _("Schools and classes"),
        [
            _("School year"),
            _("Former district"),
            _("Commune or ward"),
            _("School"),
            _("School level"),
            _("Enrolled"),
            _("Classes"),
            _("Joined"),
            _("Reached"),
            _("Reached (%)"),
            _("Activities"),
        ],
    )
    for report in figures.campaigns:
        for school in report.school_list:
            tally = report.schools[school.id]
            sheet.append(
                [
                    report.year,
                    *place_columns(content, school.commune_code),
                    school.name,
                    level_label(_, school.level),
                    tally.enrolled,
                    tally.classes,
                    tally.joined,
                    tally.reached,
                    share(tally),
                    tally.activities,
                ]
            )
    percent_column(sheet, 10)
    fit(sheet)


def _units_sheet(
    book: Workbook, content: Content, _: Translator, figures: Figures, *, districts: bool
) -> None:
    report = figures.current
    title = _("Former districts") if districts else _("Communes")
    first = _("Former district") if districts else _("Commune or ward")
    sheet = new_sheet(
        book,
        title,
        [
            first,
            _("Enrolled"),
            _("Reached"),
            _("Reached (%)"),
            _("Classes"),
            _("Activities"),
            _("Schools counted by their classes' enrolment"),
        ],
    )
    units: list[tuple[str, Tally]]
    if districts:
        units = [
            (d.name, report.districts[d.code])
            for d in content.districts
            if d.code in report.districts
        ]
    else:
        units = [
            (c.name, report.communes[c.code]) for c in content.communes if c.code in report.communes
        ]
    for name, tally in units:
        sheet.append(
            [
                name,
                tally.enrolled,
                tally.reached,
                share(tally),
                tally.classes,
                tally.activities,
                tally.estimated,
            ]
        )
    percent_column(sheet, 4)
    fit(sheet)


def _audiences_sheet(book: Workbook, _: Translator, figures: Figures) -> None:
    sheet = new_sheet(
        book,
        _("Audiences"),
        [
            _("Audience"),
            _("Joined the bot in {year}", year=figures.period.calendar),
            _("Reached by a quiz in {school_year}", school_year=figures.period.school_year),
        ],
    )
    for audience in AUDIENCES:
        sheet.append(
            [
                audience_label(_, audience),
                figures.joined.get(audience, 0),
                figures.reached.get(audience, 0),
            ]
        )
    fit(sheet)


def _pledges_sheet(book: Workbook, content: Content, _: Translator, figures: Figures) -> None:
    sheet = new_sheet(
        book,
        _("Pledges"),
        [_("Commune or ward"), _("Taken"), _("Weeks kept"), _("Completed"), _("Dropped")],
    )
    for code, metrics in sorted(figures.pledges.items()):
        commune = content.commune(code)
        sheet.append(
            [commune.name if commune else (code or "-")]
            + [metrics.get(m, 0) for m in PLEDGE_METRICS]
        )
    fit(sheet)


def _reports_sheet(book: Workbook, content: Content, _: Translator, figures: Figures) -> None:
    if figures.reports is None:
        return
    sheet = new_sheet(
        book,
        _("Market reports"),
        [_("Market"), _("Commune or ward"), _("Reports received"), _("Reports approved")],
    )
    for market in figures.reports:
        commune = content.commune(market.commune_code)
        name = commune.name if commune else market.commune_code
        sheet.append([market.name, name, market.received, market.approved])
    fit(sheet)


def _tips_sheet(book: Workbook, _: Translator, figures: Figures) -> None:
    sheet = new_sheet(
        book,
        _("Subscribers by month"),
        [_("Month"), _("People who got a tip"), _("Tips delivered")],
    )
    for month, people, tips in figures.tips_by_month:
        sheet.append([month, people, tips])
    fit(sheet)
