"""/export [year]: the officer's area as an Excel workbook (see `bot.stats.export`);
/annualreport [year]: the workbook and the yearly report's DOCX draft (`bot.stats.annual`),
issued in the name of the officer's body (the one doing its work today)."""

from __future__ import annotations

from datetime import date, time

from bot.core.auth import STAFF
from bot.core.clock import iso, local, local_date
from bot.core.context import Context
from bot.core.deps import Deps
from bot.core.messages import Attachment, Reply
from bot.core.router import N_, Command, MenuItem, Router
from bot.domain.areas import area_label, stats_area
from bot.domain.periods import wanted_period
from bot.storage import annual_reports, deliveries
from bot.storage.db import Transaction
from bot.storage.deliveries import Delivery

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def export(ctx: Context) -> None:
    from bot.stats.export import gather, workbook  # openpyxl: imported when first used

    area = stats_area(ctx)
    period = wanted_period(ctx)
    if area is None or period is None:
        return
    figures = await gather(ctx.deps.content, ctx.tx, period, area.commune, local_date(ctx.now))
    data = workbook(ctx.deps.content, ctx._, figures)
    ctx.say(
        ctx._(
            "The figures of {area} for {year}, one sheet per subject.",
            area=area_label(ctx, area),
            year=period.calendar,
        ),
        document=Attachment(data, f"so-lieu-{period.calendar}.xlsx", XLSX),
    )


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PROVINCE_COMMITTEE = "UBND tỉnh Lạng Sơn"


def issuer(ctx: Context) -> tuple[str, str]:
    """The issuing body and its parent body, as the report's heading names them."""
    content, commune = ctx.deps.content, ctx.deps.content.commune(ctx.user.officer_commune)
    heirs = content.successor(ctx.user.officer_agency or "", local_date(ctx.now))
    agency = heirs[0] if heirs else None
    if agency is not None and agency.level == "commune" and commune is not None:
        return f"UBND {commune.name}", ""
    if agency is None:
        return "…", PROVINCE_COMMITTEE
    if agency.key == "ubnd-tinh":
        return agency.name.get("vi"), ""
    return agency.name.get("vi"), PROVINCE_COMMITTEE


async def annualreport(ctx: Context) -> None:
    # openpyxl and python-docx take 0.3 s to import: not at start-up, but when first used.
    from bot.stats.annual import report_docx
    from bot.stats.export import gather, workbook

    area = stats_area(ctx)
    period = wanted_period(ctx)
    if area is None or period is None:
        return
    today = local_date(ctx.now)
    year = period.calendar
    # Made before the figures are read: the report counts for task 4 of its own body (an
    # admin who is no officer makes it for nobody's body).
    if ctx.user.officer_agency:
        await annual_reports.made(
            ctx.tx, ctx.user.id, year, ctx.now_iso, ctx.user.officer_agency, area.commune
        )
    figures = await gather(ctx.deps.content, ctx.tx, period, area.commune, today)
    vi = ctx.deps.i18n.translator("vi")  # an administrative document is in Vietnamese
    name, parent = issuer(ctx)
    commune = ctx.deps.content.commune(area.commune)
    draft = report_docx(
        ctx.deps.content,
        vi,
        figures,
        issuer=name,
        parent=parent,
        place_day=min(today, date(period.calendar, 12, 31)),
        area_name=vi("the whole province") if commune is None else commune.name,
    )
    ctx.say(
        ctx._(
            "The yearly report of {area} for {year}: the figures (Excel) and a draft report "
            "(Word). Open the draft, correct it, add the number and sign it.",
            area=area_label(ctx, area),
            year=year,
        ),
        document=Attachment(
            workbook(ctx.deps.content, ctx._, figures), f"so-lieu-{year}.xlsx", XLSX
        ),
    )
    ctx.say(ctx._("The draft report:"), document=Attachment(draft, f"bao-cao-{year}.docx", DOCX))


REMINDER = "annualreport_reminder"
REMINDER_DAYS = ((11, 20), (11, 25), (11, 30), (12, 1))  # the report is due before 2/12
REMINDER_FROM = time(9, 0)  # office hours, after the 08:00 digests


async def enqueue_reminders(deps: Deps) -> int:
    """On the reminder days, officers whose body (agency and commune) has not made this year's
    report get one reminder, once that day."""
    now = deps.clock.now()
    today = local_date(now)
    if (today.month, today.day) not in REMINDER_DAYS or local(now).time() < REMINDER_FROM:
        return 0
    count = 0
    async with deps.db.transaction() as tx:
        for officer in await annual_reports.officers_still_due(tx, today.year):
            count += await deliveries.enqueue(
                tx, officer, REMINDER, today.isoformat(), "", iso(now)
            )
    return count


async def render_reminder(deps: Deps, tx: Transaction, delivery: Delivery) -> list[Reply] | None:
    """Nothing if the report was made since the reminder was queued."""
    year = int(delivery.day[:4])
    if not await annual_reports.still_due(tx, delivery.user_id, year):
        return None
    _ = deps.i18n.translator(delivery.locale, delivery.address)
    month, day = deps.content.plan_for(date(year, 12, 31)).report_deadline
    return [
        Reply(
            _(
                "Reminder: the yearly report on the plan against plastic waste for {year} is due "
                "before {deadline}. Send /annualreport {year}: you get the figures and a draft "
                "to correct and sign.",
                year=year,
                deadline=_.date(date(year, month, day)),
            )
        )
    ]


def register(router: Router) -> None:
    router.add_command(
        Command(
            "export",
            export,
            STAFF,
            N_("the figures as an Excel file (e.g. /export 2026)"),
            order=64,
        )
    )
    router.add_menu_item(MenuItem("export", N_("Figures as an Excel file"), order=42))
    router.add_command(
        Command(
            "annualreport",
            annualreport,
            STAFF,
            N_("the yearly report: the figures and a Word draft (e.g. /annualreport 2026)"),
            order=65,
        )
    )
    router.add_job(enqueue_reminders)
    router.add_renderer(REMINDER, render_reminder)
