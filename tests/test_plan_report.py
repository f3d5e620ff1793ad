"""Task 4 (the yearly report) counts by itself: each body that produced /annualreport for the
year has done it; /plan shows who has and who has not, without anyone logging it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document

from bot.app import App
from bot.core.clock import FakeClock
from bot.storage import migrations
from bot.storage.db import Database
from bot.storage.migrations import MIGRATIONS, migrate
from tests.builders import known_data, make_officer
from tests.harness import Chat, attachment

NOW = "2026-11-30T01:00:00+00:00"


def task_4(chat: Chat) -> list[str]:
    lines = chat.text.splitlines()
    at = next(i for i, line in enumerate(lines) if " 4. " in line)
    return lines[at : at + 3]


async def test_the_yearly_report_counts_for_its_body(app: App, clock: FakeClock) -> None:
    await known_data(app, clock)
    so = await make_officer(app, "so")
    xa = await make_officer(app, "xa", agency="UBND xã", commune="Tân Đoàn")
    await so.send("/plan")
    first, done, bodies = task_4(so)
    assert first.startswith("⭕ 4. ")
    assert done == (
        "   not started: done 0 (0 counted by the bot, 0 logged) · quota: 1 a year from each body"
    )
    assert bodies == (
        "   0 of 2 bodies made their report; not yet: Sở GD&ĐT, UBND xã, phường (Xã Tân Đoàn)"
    )
    await xa.send("/annualreport 2026")
    await xa.send("/plan")
    first, done, bodies = task_4(xa)
    assert first.startswith("✅ 4. ")
    assert "met: done 1 (1 counted by the bot, 0 logged)" in done
    assert bodies == "   1 of 1 bodies made their report"  # its own body only
    await so.send("/plan")
    first, done, bodies = task_4(so)
    assert first.startswith("⏳ 4. ")
    assert bodies == "   1 of 2 bodies made their report; not yet: Sở GD&ĐT"
    await so.send("/annualreport 2026")  # counts itself: the draft says both have reported
    body = [p.text for p in Document(io.BytesIO(attachment(so, ".docx"))).paragraphs]
    assert any(
        p.startswith("- Nhiệm vụ 4 (") and "Đã thực hiện: 2; chỉ tiêu: 1/năm mỗi cơ quan." in p
        for p in body
    )
    assert "  2/2 cơ quan đã làm báo cáo" in body
    await so.send("/plan")
    assert task_4(so)[0].startswith("✅ 4. ")
    await so.send("/plan 2025")  # a report of 2026 is not one of 2025
    assert task_4(so)[0].startswith("⭕ 4. ")


async def test_a_report_outlives_its_makers_account(app: App, clock: FakeClock) -> None:
    so = await make_officer(app, "so")
    xa = await make_officer(app, "xa", agency="UBND xã", commune="Tân Đoàn")
    await xa.send("/annualreport 2026")
    await xa.send("/deleteme")
    await xa.press("Yes, erase my data")
    row = await app.deps.db.fetch_one("SELECT user_id, agency, commune_code FROM annual_reports")
    assert row is not None and tuple(row) == (None, "ubnd-xa", "06316")  # who made it: forgotten
    await so.send("/plan")
    assert task_4(so)[2] == "   1 of 2 bodies made their report; not yet: Sở GD&ĐT"


async def test_reports_made_before_migration_11_know_their_body(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = await Database.open(tmp_path / "old.sqlite3")
    try:
        monkeypatch.setattr(
            migrations, "MIGRATIONS", tuple(m for m in MIGRATIONS if m.version < 11)
        )
        await migrate(db, NOW)
        async with db.transaction() as tx:
            await tx.execute(
                """INSERT INTO users (channel, channel_user_id, chat_id, created_at,
                       officer_agency, officer_commune) VALUES ('shell', 'x', 'x', ?, ?, ?)""",
                (NOW, "ubnd-xa", "06316"),
            )
            await tx.execute(
                "INSERT INTO annual_reports (user_id, year, made_at) VALUES (1, 2025, ?)", (NOW,)
            )
        monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS)
        await migrate(db, NOW)
        row = await db.fetch_one("SELECT agency, commune_code FROM annual_reports")
        assert row is not None and tuple(row) == ("ubnd-xa", "06316")
    finally:
        await db.close()
