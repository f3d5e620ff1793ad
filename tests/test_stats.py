"""/stats: a known data set and its hand-computed figures, the scoping, the words."""

from __future__ import annotations

import io

from PIL import Image

from bot.app import App
from bot.core.clock import FakeClock
from bot.storage.migrations import MIGRATIONS
from tests.builders import (
    add_school,
    finish_quiz,
    join,
    known_data,
    make_officer,
    make_student,
    make_teacher,
    open_class,
)
from tests.harness import Chat, RecordingSender, onboard


async def test_a_province_officer_sees_every_figure(
    app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    await known_data(app, clock)
    officer = await make_officer(app, "so")
    await officer.send("/stats")
    text = officer.text
    assert "Figures for the whole province: year 2026 (school year 2026-2027)" in text
    # joined in 2026: 3 residents, 4 students, 2 teachers, 1 officer (a worker); no quiz counter
    assert "• Resident: 3 · 0" in text
    assert "• Student: 4 · 0" in text
    assert "• Teacher: 2 · 0" in text
    assert "• Civil servant or enterprise worker: 1 · 0" in text
    assert "Daily-tip subscribers: 1 · tips delivered in 2026: 1" in text
    assert "Pledges in 2026: taken 1 · weeks kept 0 · completed 0 · dropped 0" in text
    assert "Market reports in 2026: received 2 · approved 1\n  – Chợ Đông Kinh: received 2" in text
    # 2 + 1 reached over 443 + 38 (the class stands for the school without a figure) + 50
    assert "Students reached in class campaigns: reached 3 of 531 (0.6%)" in text
    assert "1 school(s) counted by their classes' enrolment" in text
    assert "School activities: 1; the plan asks 5 to 10 a year." in text
    behind = text.split("Communes furthest behind the 90% target:")[1].splitlines()
    # Tân Đoàn: 1 of 88 (1.1%) is ahead of Đông Kinh: 2 of 443 (0.5%)
    assert behind[1] == "• Phường Đông Kinh: 0.5% (2 of 443)"
    assert behind[2] == "• Xã Tân Đoàn: 1.1% (1 of 88)"
    assert "The chart follows in a moment." in text
    await app.outbox.deliver_due()  # the chart follows through the outbox
    [chart] = [r.photo for chat, rs in sender.sent if chat == "so" for r in rs if r.photo]
    assert chart.filename == "stats-2026.png" and chart.mime_type == "image/png"
    with Image.open(io.BytesIO(chart.data)) as image:
        assert image.size == (900, 700)


async def test_a_commune_officer_sees_their_commune_only(app: App, clock: FakeClock) -> None:
    await known_data(app, clock)
    officer = await make_officer(app, "xa", agency="UBND xã", commune="Tân Đoàn")
    await officer.send("thống kê")
    text = officer.text
    assert "Figures for Xã Tân Đoàn" in text
    assert "• Resident: 1 · 0" in text
    assert "Daily-tip subscribers: 0 · tips delivered in 2026: 0" in text
    assert "Pledges in 2026: taken 0 ·" in text
    assert "Market reports in 2026: received 0 · approved 0" in text
    assert "reached 1 of 88 (1.1%)" in text
    schools = text.split("Schools furthest behind the 90% target:")[1].splitlines()
    assert schools[1] == "• Trường Tiểu học Tân Đoàn: 0% (0 of 50)"
    assert schools[2] == "• Trường THCS Tân Đoàn: 2.6% (1 of 38)"
    assert "Đông Kinh" not in text
    await officer.send("/stats Đông Kinh")
    assert "You can see the figures of Xã Tân Đoàn" in officer.text
    await officer.send("/stats tỉnh")
    assert "You can see the figures of Xã Tân Đoàn" in officer.text
    await officer.send("xa minh dang lam the nao")
    assert "Figures for Xã Tân Đoàn" in officer.text


async def test_a_school_a_former_district_and_a_past_year(app: App, clock: FakeClock) -> None:
    await known_data(app, clock)
    officer = await make_officer(app, "so")
    await officer.send("/stats THCS Tân Đoàn")
    assert "Figures for Trường THCS Tân Đoàn" in officer.text
    assert "reached 1 of 38 (2.6%)" in officer.text
    assert "Resident" not in officer.text
    await officer.send("/stats Thành phố Lạng Sơn")
    assert "Figures for Thành phố Lạng Sơn" in officer.text
    assert "reached 2 of 443 (0.5%)" in officer.text
    await officer.send("/stats 2025-2026")
    assert "year 2025 (school year 2025-2026)" in officer.text
    assert "• Resident: 0 · 0" in officer.text
    assert "reached 0 of 493 (0%)" in officer.text
    await officer.send("/stats Nowhere at all")
    assert "I found no commune, former district or school named “Nowhere at all”" in officer.text


async def test_an_empty_commune_says_so(app: App) -> None:
    officer = await make_officer(app, "xa", agency="UBND xã", commune="Tân Đoàn")
    await officer.send("/classstats")
    assert "By commune and school:\nNo school is on the list yet." in officer.text
    await officer.send("/stats")
    assert "Students reached in class campaigns: reached 0 (enrolment not recorded)" in (
        officer.text
    )
    assert "The chart follows" not in officer.text  # no unit to chart


async def test_nobody_else_sees_the_figures(app: App) -> None:
    resident = Chat(app, "dan")
    await onboard(resident)
    await resident.send("/stats")
    assert "Sorry, /stats is not available to you." in resident.text


async def test_the_kept_figures_match_a_rebuild_from_the_member_rows(
    app: App, clock: FakeClock
) -> None:
    """What classes, joins and first quizzes add up as they happen equals what migration 8
    computes from the member rows (a person reached in two classes of a year counts once)."""
    await known_data(app, clock)
    teacher = await make_teacher(app, "co_mai", await add_school(app, "Trường THCS Mai Pha"))
    first, second = await open_class(teacher, "9A"), await open_class(teacher, "9B")
    twice = await make_student(app, "hs_twice", first)
    await finish_quiz(app, twice, 6)
    async with app.deps.db.transaction() as tx:  # one open class at a time: 9A closes
        await tx.execute("UPDATE classes SET status = 'closed' WHERE name = '9A'")
    await join(twice, second)
    await finish_quiz(app, twice, 7)
    kept = await summary_rows(app)
    [migration] = [m for m in MIGRATIONS if m.version == 8]
    rebuild = [s for s in migration.statements if not s.lstrip().startswith("CREATE TABLE")]
    async with app.deps.db.transaction() as tx:
        await tx.execute("DELETE FROM school_year_figures")
        await tx.execute("DELETE FROM school_month_reach")
        for statement in rebuild[: rebuild.index("DROP TABLE first_reach") + 1]:
            await tx.execute(app.deps.db.render(statement))
    assert await summary_rows(app) == kept
    mai_pha = [r for r in kept if r[0] == "year" and r[1] == 4]
    assert mai_pha == [("year", 4, "2026-2027", 2, 2, 60, 2, 1)]  # joined twice, reached once


async def summary_rows(app: App) -> list[tuple[object, ...]]:
    async with app.deps.db.transaction() as tx:
        years = await tx.fetch_all("SELECT * FROM school_year_figures ORDER BY 1, 2")
        months = await tx.fetch_all("SELECT * FROM school_month_reach ORDER BY 1, 2, 3")
    return [("year", *r) for r in years] + [("month", *r) for r in months]
