"""The plan's sheets of the workbook: every task with its quota and what was done, and the
tasks whose quota is per former district (task 2b) or per body (task 4, the yearly report)
unit by unit, the furthest behind first."""

from __future__ import annotations

from openpyxl import Workbook

from bot.core.i18n import Translator
from bot.core.router import N_
from bot.stats.plan import BEHIND, MET, NOT_STARTED, PER_DISTRICT, TaskProgress
from bot.stats.sheets import fit, new_sheet

STATUS_LABELS = {MET: N_("Met"), BEHIND: N_("Behind"), NOT_STARTED: N_("Not started")}


def tasks_sheet(book: Workbook, _: Translator, tasks: list[TaskProgress]) -> None:
    sheet = new_sheet(
        book,
        _("Plan tasks"),
        [
            _("Task"),
            _("Content"),
            _("Lead body"),
            _("Quota (minimum)"),
            _("Quota (maximum)"),
            _("Done automatically"),
            _("Logged"),
            _("Done in the year"),
            _("Status"),
        ],
    )
    for row in tasks:
        sheet.append(
            [
                row.task.number,
                row.task.text.get(_.locale)[:200],
                row.lead,
                row.minimum,
                row.maximum,
                row.automatic,
                row.logged,
                row.done,
                _(STATUS_LABELS.get(row.status, row.status)),
            ]
        )
    fit(sheet)


def task_units_sheet(book: Workbook, _: Translator, tasks: list[TaskProgress]) -> None:
    sheet = new_sheet(
        book,
        _("Tasks by unit"),
        [
            _("Task"),
            _("Counted per"),
            _("Unit"),
            _("Done in the year"),
            _("Quota (minimum)"),
            _("Status"),
        ],
    )
    for row in tasks:
        per = _("former district") if row.per == PER_DISTRICT else _("body")
        for unit in row.units:
            status = MET if unit.met else (BEHIND if unit.done else NOT_STARTED)
            label = _(STATUS_LABELS[status])
            sheet.append([row.task.number, per, unit.name, unit.done, unit.minimum, label])
    fit(sheet)
