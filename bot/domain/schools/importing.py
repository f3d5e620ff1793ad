"""Schools from a CSV file, and enrolment figures from a line of text.

Shared by the bot (an officer sends the file, or types one school with /addschool) and the
command line (`python -m bot import-schools FILE`). Parsing never touches the database: it
returns the good rows and, for each broken row, its line number and what is wrong, so the
caller can write the good rows in one transaction and report the rest.

The file has a header row. Columns (in any order; English or Vietnamese, with or without
accents; case and spaces do not matter):

- `name` (tên trường): the school's name;
- `level` (cấp học): primary, lower_secondary, upper_secondary or higher, or Tiểu học, THCS,
  THPT, Cao đẳng/Đại học;
- `commune` (xã/phường): the commune's code (05977) or its name (Đông Kinh);
- `grade_1` ... `grade_12` (lớp 1 ... lớp 12): students enrolled in each grade, and/or
  `students` (số học sinh): the whole school's enrolment (colleges give only this).

Messages are English message ids with `{placeholders}`: the bot translates them, the command
line prints them as they are.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot.content.model import Commune
from bot.core.router import N_
from bot.core.text import clean
from bot.domain.schools.fields import (
    GRADES,
    MAX_NAME,
    Problem,
    find_commune,
    parse_enrolment_text,
    parse_level,
    parse_students,
    words_key,
)
from bot.storage import schools
from bot.storage.db import Database
from bot.storage.schools import WHOLE_SCHOOL, SchoolData, fold_school_name

__all__ = [
    "MAX_NAME",
    "Parsed",
    "Problem",
    "SchoolRow",
    "import_file",
    "parse_csv",
    "parse_enrolment_text",
    "parse_level",
    "progress_bar",
]

MAX_FILE_BYTES = 2_000_000
MAX_ROWS = 5000

_NAME_HEADERS = {"name", "school", "school name", "ten", "ten truong", "truong"}
_LEVEL_HEADERS = {"level", "cap", "cap hoc"}
_COMMUNE_HEADERS = {"commune", "commune code", "xa", "xa phuong", "ma xa", "phuong xa"}
_TOTAL_HEADERS = {
    "students",
    "enrolment",
    "enrollment",
    "total",
    "hoc sinh",
    "so hoc sinh",
    "tong",
    "tong so hoc sinh",
}
_GRADE_HEADER = re.compile(r"^(?:grade|lop|khoi) ?(\d{1,2})$")


@dataclass(frozen=True)
class SchoolRow:
    line: int
    school: SchoolData


@dataclass
class Parsed:
    rows: list[SchoolRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def unreadable(self) -> bool:
        """The file itself could not be read (nothing in it can be imported)."""
        return any(p.line == 0 for p in self.problems)


def _decode(data: bytes) -> str | None:
    """UTF-8 (with or without Excel's byte order mark) or UTF-16 with its mark."""
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _columns(header: list[str]) -> dict[int, str] | Problem:
    """Maps each column to 'name', 'level', 'commune', 'all' or a grade."""
    columns: dict[int, str] = {}
    for index, raw in enumerate(header):
        key = words_key(raw)
        grade = _GRADE_HEADER.match(key)
        if key in _NAME_HEADERS:
            meaning = "name"
        elif key in _LEVEL_HEADERS:
            meaning = "level"
        elif key in _COMMUNE_HEADERS:
            meaning = "commune"
        elif key in _TOTAL_HEADERS:
            meaning = WHOLE_SCHOOL
        elif grade and str(int(grade[1])) in GRADES:
            meaning = str(int(grade[1]))
        elif not key:
            continue
        else:
            return Problem(
                N_(
                    "unknown column “{value}” in the header: use name, level, commune, "
                    "grade_1 ... grade_12 and students"
                ),
                {"value": clean(raw)[:40]},
            )
        if meaning in columns.values():
            return Problem(N_("the column “{value}” appears twice"), {"value": clean(raw)[:40]})
        columns[index] = meaning
    missing = [m for m in ("name", "level", "commune") if m not in columns.values()]
    if missing:
        return Problem(
            N_("the header has no column {value}: the first line must name the columns"),
            {"value": ", ".join(missing)},
        )
    if not set(columns.values()) - {"name", "level", "commune"}:
        return Problem(N_("the header has no enrolment column (grade_1 ... grade_12 or students)"))
    return columns


def parse_csv(data: bytes, communes: Sequence[Commune], area: str | None = None) -> Parsed:
    """The file's good rows and a problem for each broken one (with its line number).

    `area` limits the rows to one commune (a commune officer's import).
    """
    parsed = Parsed()
    if len(data) > MAX_FILE_BYTES:
        parsed.problems.append(Problem(N_("the file is larger than 2 MB")))
        return parsed
    text = _decode(data)
    if text is None:
        parsed.problems.append(
            Problem(N_("the file is not UTF-8 text: save it as “CSV UTF-8” and send it again"))
        )
        return parsed
    if not text.strip():
        parsed.problems.append(Problem(N_("the file is empty")))
        return parsed
    first = text.lstrip().split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error:
        parsed.problems.append(Problem(N_("the file is not a CSV table")))
        return parsed
    columns = _columns(header)
    if isinstance(columns, Problem):
        parsed.problems.append(columns)
        return parsed
    seen: dict[tuple[str, str], int] = {}
    line = reader.line_num + 1
    try:
        for cells in reader:
            if len(parsed.rows) + len(parsed.problems) >= MAX_ROWS:
                parsed.problems.append(
                    Problem(N_("more than 5,000 rows: split the file"), line=line)
                )
                break
            if any(c.strip() for c in cells):
                row = _row(cells, columns, communes, area)
                if isinstance(row, Problem):
                    parsed.problems.append(Problem(row.message, row.values, line))
                else:
                    key = (row.commune_code, fold_school_name(row.name))
                    if key in seen:
                        parsed.problems.append(
                            Problem(
                                N_("the same school as line {value}"),
                                {"value": str(seen[key])},
                                line,
                            )
                        )
                    else:
                        seen[key] = line
                        parsed.rows.append(SchoolRow(line, row))
            line = reader.line_num + 1
    except csv.Error as exc:
        parsed.problems.append(
            Problem(N_("the file cannot be read from here on: {value}"), {"value": str(exc)}, line)
        )
    return parsed


def _row(
    cells: list[str], columns: dict[int, str], communes: Sequence[Commune], area: str | None
) -> SchoolData | Problem:
    if len(cells) > len(columns) and any(c.strip() for c in cells[max(columns) + 1 :]):
        return Problem(N_("this row has more cells than the header has columns"))
    values = {meaning: clean(cells[i]) if i < len(cells) else "" for i, meaning in columns.items()}
    name = values["name"]
    if not name or not any(c.isalpha() for c in name):
        return Problem(N_("the school's name is missing"))
    if len(name) > MAX_NAME:
        return Problem(N_("the school's name is longer than {value} characters"), {"value": "120"})
    level = parse_level(values["level"])
    if level is None:
        return Problem(
            N_(
                "unknown level “{value}”: use primary, lower_secondary, upper_secondary or "
                "higher (or Tiểu học, THCS, THPT, Cao đẳng/Đại học)"
            ),
            {"value": values["level"][:40]},
        )
    if not values["commune"]:
        return Problem(N_("the commune is missing"))
    commune = find_commune(communes, values["commune"])
    if isinstance(commune, Problem):
        return commune
    if area is not None and commune.code != area:
        return Problem(N_("{value} is outside your area"), {"value": commune.name})
    enrolment: dict[str, int] = {}
    for meaning, value in values.items():
        if meaning in ("name", "level", "commune") or not value:
            continue
        column = "students" if meaning == WHOLE_SCHOOL else f"grade_{meaning}"
        count = parse_students(value, column)
        if isinstance(count, Problem):
            return count
        enrolment[meaning] = count
    if not enrolment:
        return Problem(N_("no enrolment figure: fill the grade columns or students"))
    whole = enrolment.pop(WHOLE_SCHOOL, None)
    if whole is not None and enrolment and sum(enrolment.values()) != whole:
        return Problem(
            N_("the grades add up to {value} students but the students column says {total}"),
            {"value": str(sum(enrolment.values())), "total": str(whole)},
        )
    if not enrolment and whole is not None:
        enrolment[WHOLE_SCHOOL] = whole
    return SchoolData(name=name, level=level, commune_code=commune.code, enrolment=enrolment)


def progress_bar(done: int, total: int, width: int = 30) -> str:
    """'[##########--------------------]  12/36 schools'"""
    filled = width * done // total if total else width
    return f"[{'#' * filled}{'-' * (width - filled)}] {done:>{len(str(total))}}/{total} schools"


async def import_file(
    db: Database, communes: Sequence[Commune], path: Path, now: str, err: TextIO
) -> int:
    """`python -m bot import-schools FILE`: 0 all imported, 1 some lines broken, 2 unreadable.

    Broken lines go to `err` with their line number; the good rows are written in one
    transaction (all of them or, on a failure, none), with a progress bar on `err`.
    """
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        print(f"{path}: cannot read the file: {exc.strerror}", file=err)
        return 2
    parsed = parse_csv(data, communes)
    for problem in parsed.problems:
        where = f"{path}:{problem.line}" if problem.line else str(path)
        print(f"{where}: {problem.english()}", file=err)
    if parsed.unreadable:
        return 2
    created = updated = 0
    total = len(parsed.rows)
    async with db.transaction() as tx:
        for done, row in enumerate(parsed.rows, 1):
            _school, new = await schools.save(tx, row.school, now)
            created, updated = created + new, updated + (not new)
            err.write("\r" + progress_bar(done, total))
            err.flush()
    if total:
        err.write("\n")
    print(
        f"{path}: {created} schools added, {updated} updated, "
        f"{len(parsed.problems)} lines not imported"
    )
    return 1 if parsed.problems else 0
