"""What every sheet of the officers' workbook shares: a bold, frozen header row, columns
that fit, percentages formatted."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

PERCENT = "0.0%"


def new_sheet(book: Workbook, title: str, headers: list[str]) -> Worksheet:
    sheet: Worksheet = book.create_sheet(title[:31])
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    return sheet


def fit(sheet: Worksheet) -> None:
    """Column widths that fit the longest value (capped)."""
    for index, column in enumerate(sheet.iter_cols(), start=1):
        longest = max(len(str(c.value)) if c.value is not None else 0 for c in column)
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(8, longest + 2))


def percent_column(sheet: Worksheet, column: int) -> None:
    for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
        cell.number_format = PERCENT
