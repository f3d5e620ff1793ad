"""The yearly report (task 4 of the plan) as a DOCX draft, laid out as Decree 30/2020/NĐ-CP
sets out an administrative document: the issuing body and its parent, the number and symbol
(left blank), the national title (Quốc hiệu and tiêu ngữ), place and date, the title, the body
with the figures and the units behind, then the recipients and the signature block.

It is always written in Vietnamese (the language of administrative documents); the officer
opens it in Word, corrects it and signs it. Its figures are the workbook's (`export.gather`).
"""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from bot.content.model import Content
from bot.core.i18n import Translator
from bot.domain.campaigns import percent
from bot.stats.campaigns import Tally, behind_first
from bot.stats.export import Figures
from bot.stats.plan import MET, NOT_STARTED
from bot.stats.plan_text import quota_text, short_task, units_text
from bot.stats.render import student_target

FONT = "Times New Roman"
HONOURS = 3


def _line(
    where: _Cell | DocxDocument,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: int = 13,
    align: WD_ALIGN_PARAGRAPH | None = WD_ALIGN_PARAGRAPH.CENTER,
    underline: bool = False,
) -> Paragraph:
    first = where.paragraphs[0] if isinstance(where, _Cell) else None
    unused = first is not None and not first.text and len(where.paragraphs) == 1
    paragraph = first if unused and first is not None else where.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run(text)
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.name, run.font.size = FONT, Pt(size)
    return paragraph


def report_docx(
    content: Content,
    _: Translator,
    figures: Figures,
    *,
    issuer: str,
    parent: str,
    place_day: date,
    area_name: str,
) -> bytes:
    document = Document()
    header = document.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = header.rows[0].cells
    _line(left, parent.upper(), size=12)
    _line(left, issuer.upper(), bold=True, size=12)
    _line(left, _("No.:      /BC-"), size=13)
    _line(right, _("SOCIALIST REPUBLIC OF VIETNAM"), bold=True, size=12)
    _line(right, _("Independence - Freedom - Happiness"), bold=True, underline=True, size=13)
    _line(
        right,
        _(
            "Lạng Sơn, day {day} month {month} year {year}",
            day=f"{place_day.day:02d}",
            month=f"{place_day.month:02d}",
            year=place_day.year,
        ),
        italic=True,
    )
    _line(document, _("REPORT"), bold=True, size=14)
    _line(
        document,
        _(
            "Results of the communication plan against plastic waste in {year} ({area})",
            year=figures.period.calendar,
            area=area_name,
        ),
        bold=True,
    )
    _body(document, content, _, figures)
    _recipients(document, content, _, figures)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _para(document: DocxDocument, text: str, *, bold: bool = False) -> None:
    _line(document, text, bold=bold, align=WD_ALIGN_PARAGRAPH.JUSTIFY)


def _body(document: DocxDocument, content: Content, _: Translator, figures: Figures) -> None:
    report, period = figures.current, figures.period
    total, target = report.total, student_target(content.plan)
    _para(document, _("I. RESULTS"), bold=True)
    _para(
        document,
        _(
            "1. Students reached in the school year {school_year}: {reached} of {enrolled} "
            "enrolled ({percent}); the plan's target is {target}%.",
            school_year=report.year,
            reached=_.number(total.reached),
            enrolled=_.number(total.enrolled),
            percent=percent(_, total.reached, total.enrolled),
            target=target or "-",
        ),
    )
    joined = sum(figures.joined.values())
    reached = sum(figures.reached.values())
    _para(
        document,
        _(
            "2. People who joined the bot in {year}: {joined}; people who finished a quiz in "
            "the school year {school_year}: {reached}.",
            year=period.calendar,
            joined=_.number(joined),
            school_year=period.school_year,
            reached=_.number(reached),
        ),
    )
    met = sum(1 for t in figures.tasks if t.status == MET)
    idle = [t for t in figures.tasks if t.status == NOT_STARTED]
    _para(
        document,
        _(
            "3. Tasks of the plan: {met} of {count} met; school activities {activities}.",
            met=met,
            count=len(figures.tasks),
            activities=_.number(total.activities),
        ),
    )
    for task in figures.tasks:
        _para(
            document,
            _(
                "- Task {number} ({lead}): {task} Done: {done}; quota: {quota}.",
                number=task.task.number,
                lead=task.lead,
                task=short_task(_, task),
                done=_.number(task.done),
                quota=quota_text(_, task),
            ),
        )
        for line in units_text(_, task):  # per former district (2b) or body (4), behind first
            _para(document, "  " + line.strip())
    for note in split_communes(content, _, set(report.communes)):
        _para(document, note)
    _para(document, _("II. UNITS BEHIND"), bold=True)
    names = {c.code: c.name for c in content.communes}
    behind = behind_first((names.get(k, k), t) for k, t in report.communes.items())
    for name, tally in behind[:5]:
        _para(document, "- " + _unit(_, name, tally))
    if idle:
        _para(document, _("Tasks not started:"))
        for task in idle:
            _para(document, f"- {task.task.number}. {short_task(_, task)} ({task.lead})")
    _para(document, _("III. PROPOSED FOR THE PLAN'S HONOURS"), bold=True)
    ahead = list(reversed(behind))[:HONOURS]
    schools = {s.id: s.name for s in report.school_list}
    best_schools = list(reversed(behind_first((schools[k], t) for k, t in report.schools.items())))
    for name, tally in ahead + best_schools[:HONOURS]:
        _para(document, "- " + _unit(_, name, tally))
    _para(document, _("IV. PROPOSALS"), bold=True)
    _para(document, "…")


def split_communes(content: Content, _: Translator, codes: set[str]) -> list[str]:
    """A note for each commune of the report made of parts of two former districts: its
    figures count for its main one (the one of `content/units.yaml`)."""
    notes = []
    for commune in content.communes:
        districts = {u.district for u in commune.former} - {commune.former_district}
        if commune.code not in codes or not districts:
            continue
        main = content.district(commune.former_district)
        others = [d.name for code in sorted(districts) if (d := content.district(code))]
        notes.append(
            _(
                "{commune} was formed from parts of {others} and {main}: its figures count for "
                "{main}.",
                commune=commune.name,
                others=", ".join(others),
                main=main.name if main else "-",
            )
        )
    return notes


def _unit(_: Translator, name: str, tally: Tally) -> str:
    return _(
        "{name}: {percent} of students reached ({reached} of {enrolled}), {activities} activities",
        name=name,
        percent=percent(_, tally.reached, tally.enrolled),
        reached=_.number(tally.reached),
        enrolled=_.number(tally.enrolled),
        activities=_.number(tally.activities),
    )


def _recipients(document: DocxDocument, content: Content, _: Translator, figures: Figures) -> None:
    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    recipient = content.report_recipient(date(figures.period.calendar, 12, 1))
    _line(left, _("Recipients:"), bold=True, italic=True, size=12, align=None)
    _line(
        left,
        "- " + (recipient.name.get("vi") if recipient else _("(the body receiving the report)")),
        size=11,
        align=None,
    )
    _line(left, _("- Archived: clerical office."), size=11, align=None)
    _line(right, _("ON BEHALF OF THE ISSUING BODY"), bold=True, size=13)
    _line(right, _("(Signature, full name)"), italic=True, size=13)
