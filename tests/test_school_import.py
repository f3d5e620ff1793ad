"""Schools from CSV: broken rows reported with their line, good rows kept, nothing half-written."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.app import App
from bot.cli import main
from bot.content.model import Commune
from bot.domain.schools.importing import (
    Problem,
    import_file,
    parse_csv,
    parse_enrolment_text,
    parse_level,
    progress_bar,
)
from bot.storage import schools
from tests.builders import DONG_KINH, TAN_DOAN
from tests.harness_db import rows

NOW = "2026-11-30T01:00:00+00:00"


def communes(app: App) -> tuple[Commune, ...]:
    return app.deps.content.communes


def problems(parsed: object) -> list[tuple[int, str]]:
    return [(p.line, p.english()) for p in parsed.problems]  # type: ignore[attr-defined]


def test_a_clean_file_in_vietnamese_with_excel_habits(app: App) -> None:
    text = (
        "Tên trường;Cấp học;Xã/Phường;Lớp 6;Lớp 7;Lớp 8;Lớp 9;Số học sinh\n"
        "Trường THCS Đông Kinh;THCS;Phường Đông Kinh;120;115;110;98;443\n"
        "\n"
        "Trường Cao đẳng Sư phạm;Cao đẳng/Đại học;6316;;;;;1.200\n"
    )
    parsed = parse_csv(("\ufeff" + text).encode(), communes(app))  # Excel's byte order mark
    assert problems(parsed) == []
    first, second = parsed.rows
    assert (first.line, first.school.commune_code, first.school.level) == (
        2,
        DONG_KINH,
        "lower_secondary",
    )
    assert first.school.enrolment == {"6": 120, "7": 115, "8": 110, "9": 98}
    assert (second.line, second.school.commune_code, second.school.level) == (4, TAN_DOAN, "higher")
    assert second.school.enrolment == {"all": 1200}


def test_each_broken_row_is_reported_with_its_line(app: App) -> None:
    text = """name,level,commune,grade_1,grade_2,students
Trường Tiểu học A,Tiểu học,Đông Kinh,40,38,
,primary,Đông Kinh,40,38,
Trường Tiểu học B,kindergarten,Đông Kinh,40,38,
Trường Tiểu học C,primary,Atlantis,40,38,
Trường Tiểu học D,primary,05977,0,38,
Trường Tiểu học E,primary,05977,100000,38,
Trường Tiểu học F,primary,05977,forty,38,
Trường Tiểu học G,primary,05977,,,
Trường Tiểu học H,primary,05977,40,38,99
"Trường Tiểu học
I",primary,05977,40,38,
Trường tiểu học a,primary,Đông Kinh,1,1,
Trường Tiểu học J,primary,99999,40,38,
Trường Tiểu học K,primary,05977,40,38,,extra
Trường Tiểu học L,primary,,40,38,
Trường Tiểu học M,primary,Tân,40,38,
"""
    parsed = parse_csv(text.encode(), communes(app))
    assert [r.line for r in parsed.rows] == [2, 11]  # the good rows are kept
    assert parsed.rows[1].school.name == "Trường Tiểu học I"  # a quoted name over two lines
    found = dict(problems(parsed))
    assert found[3] == "the school's name is missing"
    assert found[4].startswith("unknown level “kindergarten”")
    assert found[5] == "no commune is called “Atlantis”"
    assert found[6].startswith("grade_1: 0 students is not possible")
    assert found[7].startswith("grade_1: 100000 students is not possible")
    assert found[8] == "grade_1: “forty” is not a whole number"
    assert found[9] == "no enrolment figure: fill the grade columns or students"
    assert found[10] == "the grades add up to 78 students but the students column says 99"
    assert found[13] == "the same school as line 2"
    assert found[14] == "unknown commune code “99999”"
    assert found[15] == "this row has more cells than the header has columns"
    assert found[16] == "the commune is missing"
    assert "matches several communes" in found[17]
    assert not parsed.unreadable


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "the file is empty"),
        ("tên\nTrường A\n".encode("utf-16-be"), "the file is not UTF-8 text"),
        (b"name,level\nA,THCS\n", "the header has no column commune"),
        (b"name,level,commune\nA,THCS,05977\n", "the header has no enrolment column"),
        (b"name,level,commune,pupils\nA,THCS,05977,3\n", "unknown column “pupils”"),
        (b"name,name,level,commune,students\n", "the column “name” appears twice"),
        (b"x" * 2_000_001, "the file is larger than 2 MB"),
    ],
)
def test_a_file_that_cannot_be_read_at_all(app: App, body: bytes, message: str) -> None:
    parsed = parse_csv(body, communes(app))
    assert parsed.unreadable and parsed.rows == []
    assert message in parsed.problems[0].english()


def test_enrolment_typed_in_the_chat() -> None:
    assert parse_enrolment_text("6:120 7:115, 8=110; 9: 98") == {
        "6": 120,
        "7": 115,
        "8": 110,
        "9": 98,
    }
    assert parse_enrolment_text("1.200") == {"all": 1200}
    for typed in ("0", "100000", "6:0", "6:5001", "13:5", "6:1 6:2", "six", "6:120 and more"):
        assert isinstance(parse_enrolment_text(typed), Problem), typed


def test_level_words() -> None:
    assert parse_level("THCS") == "lower_secondary"
    assert parse_level("Tiểu học") == "primary"
    assert parse_level("upper_secondary") == "upper_secondary"
    assert parse_level("Cao đẳng / Đại học") == "higher"
    assert parse_level("mầm non") is None


GOOD_AND_BAD = """name,level,commune,students
Trường THCS Đông Kinh,THCS,05977,443
Trường THCS Tân Đoàn,THCS,06316,0
Trường THPT Việt Bắc,THPT,05977,1200
"""


async def test_the_command_line_import_keeps_good_rows_and_reports_lines(
    app: App, tmp_path: Path
) -> None:
    path = tmp_path / "schools.csv"
    path.write_text(GOOD_AND_BAD, encoding="utf-8")
    err = io.StringIO()
    code = await import_file(app.deps.db, communes(app), path, NOW, err)
    assert code == 1
    assert f"{path}:3: students: 0 students is not possible" in err.getvalue()
    assert "[##############################] 2/2 schools" in err.getvalue()
    assert len(await rows(app, "SELECT * FROM schools")) == 2
    # Importing again updates the same schools: no duplicates.
    path.write_text(GOOD_AND_BAD.replace(",0\n", ",350\n"), encoding="utf-8")
    assert await import_file(app.deps.db, communes(app), path, NOW, io.StringIO()) == 0
    assert len(await rows(app, "SELECT * FROM schools")) == 3
    assert len(await rows(app, "SELECT * FROM school_enrolments")) == 3


async def test_a_failure_half_way_writes_nothing(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "schools.csv"
    path.write_text(GOOD_AND_BAD.replace(",0\n", ",350\n"), encoding="utf-8")
    real_save = schools.save
    calls = 0

    async def failing_save(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError("disk full")
        return await real_save(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(schools, "save", failing_save)
    with pytest.raises(OSError):
        await import_file(app.deps.db, communes(app), path, NOW, io.StringIO())
    assert await rows(app, "SELECT * FROM schools") == []
    assert await rows(app, "SELECT * FROM school_enrolments") == []


def test_python_m_bot_import_schools(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env from the working copy
    for name in ("BOT_ADMINS", "TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN", "BOT_DB_PATH"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "schools.csv"
    path.write_text(GOOD_AND_BAD, encoding="utf-8")
    db = tmp_path / "cli.sqlite3"
    assert main(["import-schools", str(path), "--db", str(db)]) == 1
    out, err = capsys.readouterr()
    assert "2 schools added, 0 updated, 1 lines not imported" in out
    assert ":3: students: 0 students is not possible" in err
    assert main(["import-schools", str(tmp_path / "missing.csv"), "--db", str(db)]) == 2
    assert "cannot read the file" in capsys.readouterr().err


def test_progress_bar() -> None:
    assert progress_bar(0, 4, width=8) == "[--------] 0/4 schools"
    assert progress_bar(2, 4, width=8) == "[####----] 2/4 schools"
    assert progress_bar(0, 0, width=4) == "[####] 0/0 schools"
