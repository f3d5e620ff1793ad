"""One school's fields as people type them: level, commune, enrolment figures.

Shared by /addschool (typed answers) and the CSV import (cells). Each parser returns the value
or a `Problem`: an English message id with its placeholders, which the bot translates and the
command line prints as it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.content.model import LEVELS, Commune
from bot.content.units import search_communes
from bot.core.router import N_
from bot.core.text import clean, fold, fold_unit_name
from bot.storage.schools import WHOLE_SCHOOL

MAX_NAME = 120
MIN_STUDENTS, MAX_STUDENTS = 1, 5000  # per grade, or for a whole school given as one figure
GRADES = tuple(str(n) for n in range(1, 13))

LEVEL_WORDS = {
    "primary": "primary",
    "tieu hoc": "primary",
    "th": "primary",
    "lower secondary": "lower_secondary",
    "thcs": "lower_secondary",
    "trung hoc co so": "lower_secondary",
    "upper secondary": "upper_secondary",
    "thpt": "upper_secondary",
    "trung hoc pho thong": "upper_secondary",
    "higher": "higher",
    "college": "higher",
    "university": "higher",
    "college university": "higher",
    "cao dang": "higher",
    "dai hoc": "higher",
    "cao dang dai hoc": "higher",
}
_PAIR = re.compile(r"(\d{1,2})\s*[:=]\s*(\d+(?:[.,]\d{3})*)")
_NUMBER = re.compile(r"^\d+(?:[.,]\d{3})*$")


@dataclass(frozen=True)
class Problem:
    """What is wrong: an English message id and the values of its placeholders."""

    message: str
    values: dict[str, str] = field(default_factory=dict)
    line: int = 0  # 0: the whole file

    def english(self) -> str:
        return self.message.format(**self.values)


def words_key(text: str) -> str:
    return " ".join(re.sub(r"[_\-/&.]", " ", fold(text)).split())


def parse_level(text: str) -> str | None:
    key = words_key(text)
    if key.replace(" ", "_") in LEVELS:
        return key.replace(" ", "_")
    return LEVEL_WORDS.get(key)


def find_commune(communes: Sequence[Commune], text: str) -> Commune | Problem:
    value = clean(text)
    if value.isdigit():
        code = value.zfill(5)
        found = [c for c in communes if c.code == code]
        if found:
            return found[0]
        return Problem(N_("unknown commune code “{value}”"), {"value": value[:40]})
    matches = search_communes(communes, value)
    exact = [c for c in matches if c.folded == fold_unit_name(value)]
    if len(exact) == 1 or len(matches) == 1:
        return (exact or matches)[0]
    if not matches:
        return Problem(N_("no commune is called “{value}”"), {"value": value[:40]})
    return Problem(
        N_("“{value}” matches several communes: write the commune's code instead"),
        {"value": value[:40]},
    )


def _count(text: str) -> int | None:
    value = clean(text)
    return int(re.sub(r"[.,]", "", value)) if _NUMBER.match(value) else None


def parse_students(text: str, column: str) -> int | Problem:
    """One cell of a CSV file: a whole number of students, within bounds."""
    students = _count(text)
    if students is None:
        return Problem(
            N_("{column}: “{value}” is not a whole number"),
            {"column": column, "value": clean(text)[:20]},
        )
    if not MIN_STUDENTS <= students <= MAX_STUDENTS:
        return Problem(
            N_(
                "{column}: {value} students is not possible: give a number from 1 to 5,000, "
                "or leave the cell empty"
            ),
            {"column": column, "value": str(students)},
        )
    return students


def parse_enrolment_text(text: str) -> dict[str, int] | Problem:
    """'6:120 7:115 8:110' (grade: students) or one number for the whole school."""
    value = clean(text)
    out_of_range = N_(
        "{value} students is not possible: give a number from 1 to 5,000 for each grade "
        "(or for the whole school)."
    )
    whole = _count(value)
    if whole is not None:
        if not MIN_STUDENTS <= whole <= MAX_STUDENTS:
            return Problem(out_of_range, {"value": str(whole)})
        return {WHOLE_SCHOOL: whole}
    pairs = _PAIR.findall(value)
    leftover = _PAIR.sub(" ", value).replace(",", " ").replace(";", " ").strip()
    if not pairs or leftover:
        return Problem(
            N_(
                "Please write grade:students pairs, for example 6:120 7:115 8:110 9:98, "
                "or one number for the whole school."
            )
        )
    enrolment: dict[str, int] = {}
    for grade_text, students_text in pairs:
        grade = str(int(grade_text))
        if grade not in GRADES:
            return Problem(
                N_("There is no grade {value}: grades go from 1 to 12."), {"value": grade}
            )
        if grade in enrolment:
            return Problem(N_("Grade {value} is given twice."), {"value": grade})
        students = _count(students_text)
        assert students is not None  # the pattern only matches numbers
        if not MIN_STUDENTS <= students <= MAX_STUDENTS:
            return Problem(out_of_range, {"value": str(students)})
        enrolment[grade] = students
    return enrolment
