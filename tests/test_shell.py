"""The terminal shell: a pipe of lines is a reproducible demo."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot import cli
from bot.app import App
from bot.channels.shell import ShellChannel
from bot.core.clock import OffsetClock
from bot.settings import Settings
from tests.harness_app import open_app
from tests.reporting import jpeg_with_gps, kept_photos

DEMO = """\
:user mai en
/start
1
1
dong kinh
/subscribe 18:30
:time 2026-12-01 18:31
:user an en
/start
:photo {photo}
2
:location 21.85 106.76
/mydata
:quit
/never-read
"""


async def run_shell(settings: Settings, tmp_path: Path, script: str) -> tuple[str, App]:
    clock = OffsetClock()
    app = await open_app(settings, clock=clock)
    output = io.StringIO()
    shell = ShellChannel(app, clock, tmp_path / "out", output)
    await shell.run(io.StringIO(script))
    return output.getvalue(), app


async def test_demo_script_through_the_shell(settings: Settings, tmp_path: Path) -> None:
    photo = tmp_path / "market.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 a photo")
    out, app = await run_shell(settings, tmp_path, DEMO.format(photo=photo))
    try:
        assert "(now speaking as mai)" in out
        assert "1. I agree" in out  # choices are numbered lines, as on Zalo
        assert "Commune: Phường Đông Kinh" in out
        assert "📬 mai:" in out and "Your tip for today" in out  # the moved clock delivered
        assert "I can't use a photo here" in out
        assert "I keep nothing about you" in out
        assert "I can't use a location here" in out
        assert "never-read" not in out
        files = list((tmp_path / "out").glob("*mydata.json"))
        assert len(files) == 1 and json.loads(files[0].read_text())["user"][0]["chat_id"] == "an"
        row = await app.deps.db.fetch_one(
            "SELECT tip_time FROM users WHERE channel_user_id = 'mai'"
        )
        assert row is not None and row[0] == "18:30"
    finally:
        await app.close()


async def test_shell_explains_its_commands_and_bad_arguments(
    settings: Settings, tmp_path: Path
) -> None:
    script = ":help\n:time tomorrow\n:location north south\n:photo /no/such/file.jpg\n"
    out, app = await run_shell(settings, tmp_path, script)
    await app.close()
    assert ":user NAME" in out
    assert "usage: :time YYYY-MM-DD HH:MM" in out
    assert "usage: :location LAT LON" in out
    assert "cannot read /no/such/file.jpg" in out


def test_python_m_bot_shell_reads_a_pipe(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "shell", "--db", str(tmp_path / "b.db")],
        input="/start\n2\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "BOT_ADMINS": ""},
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Xin chào" in result.stdout
    assert (tmp_path / "b.db").exists()


def test_check_content_command(capsys: pytest.CaptureFixture[str]) -> None:
    """`bot check-content` in this process (`python -m bot` itself is run by the test above)."""
    code = cli.main(["check-content"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "65 communes" in out


async def test_an_admin_imports_schools_by_sending_a_file(tmp_path: Path) -> None:
    csv_file = tmp_path / "schools.csv"
    csv_file.write_text(
        "name,level,commune,grade_6,grade_7\n"
        "Trường THCS Đông Kinh,lower_secondary,dong kinh,120,115\n"
        "Broken school,no-such-level,dong kinh,10,10\n",
        encoding="utf-8",
    )
    settings = Settings(db_path=str(tmp_path / "s.db"), admins=frozenset({"shell:root"}))
    script = f":user root en\n/start\n1\n1\ndong kinh\n/importschools\n:file {csv_file}\n"
    out, app = await run_shell(settings, tmp_path, script)
    try:
        assert "line 3" in out  # the broken row is reported with its line
        rows = await app.deps.db.fetch_all("SELECT name, commune_code FROM schools")
        assert [tuple(r) for r in rows] == [("Trường THCS Đông Kinh", "05977")]
    finally:
        await app.close()


REPORT = """\
:user mai en
/start
1
1
dong kinh
/report
ky lua
yes
no
no
yes
:photo {photo}
done
:location 21.85 106.76
skip
yes
:quit
"""


async def test_a_market_report_with_a_photo_through_the_shell(
    settings: Settings, tmp_path: Path
) -> None:
    photo = tmp_path / "stall.jpg"
    photo.write_bytes(jpeg_with_gps())
    out, app = await run_shell(settings, tmp_path, REPORT.format(photo=photo))
    try:
        assert "Question 1 of 4: Are nylon bags given out freely?" in out
        assert "I have 1 photo." in out
        assert "Thanks: I keep this place with your report." in out
        assert "Your report no. 1 is with the moderators" in out
        row = await app.deps.db.fetch_one("SELECT latitude, photos FROM reports")
        assert row is not None and row[0] == 21.85
        assert list(await kept_photos(app)) == json.loads(row[1])
    finally:
        await app.close()
