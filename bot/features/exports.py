"""/export [year]: the officer's area as an Excel workbook (see `bot.stats.export`);
/annualreport [year]: the workbook and the yearly report's DOCX draft (`bot.stats.annual`),
issued in the name of the officer's body (the one doing its work today)."""

from __future__ import annotations

from datetime import date

from bot.core.auth import STAFF
from bot.core.clock import local_date
from bot.core.context import Context
from bot.core.messages import Attachment
from bot.core.router import N_, Command, MenuItem, Router
from bot.domain.areas import area_label, stats_area
from bot.domain.periods import wanted_period
from bot.stats.annual import report_docx
from bot.stats.export import gather, workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def export(ctx: Context) -> None:
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
    area = stats_area(ctx)
    period = wanted_period(ctx)
    if area is None or period is None:
        return
    today = local_date(ctx.now)
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
    year = period.calendar
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
