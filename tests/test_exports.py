"""/export and /annualreport: the workbook and the DOCX draft, opened and checked against the
known data set of tests/test_stats.py; the command line writes the same files."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

from docx import Document
from openpyxl import load_workbook

from bot.app import App
from bot.core.clock import LOCAL_TZ, FakeClock
from bot.officer_files import write_files
from tests.builders import known_data, make_officer
from tests.harness import Chat, RecordingSender, attachment, onboard

SHEETS = [
    "Nhiệm vụ kế hoạch",
    "Nhiệm vụ theo đơn vị",
    "Trường và lớp",
    "Xã, phường",
    "Huyện cũ",
    "Đối tượng",
    "Cam kết",
    "Phản ánh tại chợ",
    "Người nhận mẹo theo tháng",
]


async def test_the_workbook_of_a_province_officer(app: App, clock: FakeClock) -> None:
    await known_data(app, clock)
    officer = await make_officer(app, "so")
    await officer.send("/lang vi")
    await officer.send("/export 2026")
    book = load_workbook(io.BytesIO(attachment(officer, ".xlsx")))
    assert book.sheetnames == SHEETS
    schools = book["Trường và lớp"]
    assert schools.freeze_panes == "A2"
    assert [c.value for c in schools[1]][:6] == [
        "Năm học",
        "Huyện cũ",
        "Xã, phường",
        "Trường",
        "Cấp học",
        "Sĩ số",
    ]
    rows = {(r[0], r[3]): r for r in schools.iter_rows(min_row=2, values_only=True)}
    dong_kinh = rows[("2026-2027", "Trường THCS Đông Kinh")]
    assert dong_kinh[4] == "Trung học cơ sở" and dong_kinh[5:9] == (443, 1, 3, 2)
    assert isinstance(dong_kinh[9], float) and abs(dong_kinh[9] - 2 / 443) < 1e-9
    tan_doan = rows[("2026-2027", "Trường THCS Tân Đoàn")]
    assert tan_doan[5:9] == (38, 1, 1, 1)  # the class's 38 stand for the missing figure
    assert rows[("2025-2026", "Trường THCS Đông Kinh")][6] == 0  # no class last school year
    percent_cell = schools.cell(row=2, column=10)
    assert percent_cell.number_format == "0.0%"
    communes = {r[0]: r for r in book["Xã, phường"].iter_rows(min_row=2, values_only=True)}
    assert communes["Xã Tân Đoàn"][1:3] == (88, 1)
    tasks = list(book["Nhiệm vụ kế hoạch"].iter_rows(min_row=2, values_only=True))
    school_task = next(t for t in tasks if t[0] == "2c" and t[3] == 5)
    assert school_task[2] == "Sở GD&ĐT" and school_task[5] == 1 and school_task[8] == "Chưa đạt"
    radio = next(t for t in tasks if t[0] == "1")
    assert radio[2] == "Sở VHTTDL" and radio[8] == "Chưa triển khai"  # Sở TT&TT's successor
    audiences = {r[0]: r for r in book["Đối tượng"].iter_rows(min_row=2, values_only=True)}
    assert audiences["Người dân"][1] == 3
    pledges = list(book["Cam kết"].iter_rows(min_row=2, values_only=True))
    assert pledges == [("Phường Đông Kinh", 1, 0, 0, 0)]
    markets = list(book["Phản ánh tại chợ"].iter_rows(min_row=2, values_only=True))
    assert markets == [("Chợ Đông Kinh", "Phường Đông Kinh", 2, 1)]
    months = list(book["Người nhận mẹo theo tháng"].iter_rows(min_row=2, values_only=True))
    assert months == [("2026-11", 1, 1)]
    ids = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
    assert not [c for c in ids if c.startswith("shell:") or c in ("ba", "ong", "so")]


async def test_a_commune_officers_workbook_is_their_commune(app: App, clock: FakeClock) -> None:
    await known_data(app, clock)
    officer = await make_officer(app, "xa", agency="UBND xã", commune="Tân Đoàn")
    await officer.send("/export")
    book = load_workbook(io.BytesIO(attachment(officer, ".xlsx")))
    names = {r[3] for r in book["Schools and classes"].iter_rows(min_row=2, values_only=True)}
    assert names == {"Trường THCS Tân Đoàn", "Trường Tiểu học Tân Đoàn"}
    assert [r[0] for r in book["Communes"].iter_rows(min_row=2, values_only=True)] == [
        "Xã Tân Đoàn"
    ]
    assert list(book["Pledges"].iter_rows(min_row=2, values_only=True)) == []
    assert list(book["Market reports"].iter_rows(min_row=2, values_only=True)) == []


async def test_the_annual_report_draft(app: App, clock: FakeClock) -> None:
    await known_data(app, clock)
    officer = await make_officer(app, "so")
    await officer.send("/annualreport 2026")
    assert "The yearly report of the whole province for 2026" in officer.text
    draft = Document(io.BytesIO(attachment(officer, ".docx")))
    heading = [p.text for cell in draft.tables[0].rows[0].cells for p in cell.paragraphs]
    assert heading[:3] == ["UBND TỈNH LẠNG SƠN", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "Số:      /BC-"]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in heading
    assert "Độc lập - Tự do - Hạnh phúc" in heading
    assert "Lạng Sơn, ngày 30 tháng 11 năm 2026" in heading
    body = [p.text for p in draft.paragraphs]
    assert "BÁO CÁO" in body
    assert "I. KẾT QUẢ" in body and "II. CÁC ĐƠN VỊ CÒN CHẬM" in body
    assert (
        "1. Học sinh được tiếp cận trong năm học 2026-2027: 3 trên 531 học sinh (0,6%); "
        "mục tiêu của kế hoạch là 90%." in body
    )
    assert (
        "Xã Tân Đoàn được hợp thành từ một phần của Huyện Cao Lộc và Huyện Văn Quan: số liệu "
        "được tính cho Huyện Văn Quan." in body
    )
    assert "- Phường Đông Kinh: 0,5% học sinh được tiếp cận (2/443), 1 hoạt động" in body
    tasks = [line for line in body if line.startswith("- Nhiệm vụ ")]
    school = next(line for line in tasks if line.startswith("- Nhiệm vụ 2c (Sở GD&ĐT): Tổ chức"))
    assert school.endswith("… Đã thực hiện: 1; chỉ tiêu: 5 - 10/năm.")
    # The three tasks numbered 2b are told apart by their words, not by the number alone.
    assert len({line.split(" Đã thực hiện")[0] for line in tasks if "2b" in line}) == 3
    not_started = body[body.index("Nhiệm vụ chưa triển khai:") + 1 :]
    assert any(line.startswith("- 1. ") and "(Sở VHTTDL)" in line for line in not_started)
    footer = [p.text for cell in draft.tables[1].rows[0].cells for p in cell.paragraphs]
    assert "Nơi nhận:" in footer and "- Lưu: VT." in footer


async def test_the_command_line_writes_the_same_files(
    app: App, clock: FakeClock, tmp_path: Path
) -> None:
    await known_data(app, clock)
    [sheet] = await write_files(app.deps, 2026, tmp_path / "out.xlsx", "export")
    assert load_workbook(sheet).sheetnames == SHEETS
    written = await write_files(app.deps, 2026, tmp_path / "bao-cao", "annual-report")
    assert [p.name for p in written] == ["so-lieu-2026.xlsx", "bao-cao-2026.docx"]
    body = [p.text for p in Document(str(written[1])).paragraphs]
    assert any("3 trên 531" in line for line in body)


async def test_nobody_else_gets_the_files(app: App) -> None:
    resident = Chat(app, "dan")
    await onboard(resident)
    for command in ("/export", "/annualreport"):
        await resident.send(command)
        assert "is not available to you" in resident.text
        assert not [r for r in resident.replies if r.document]


async def run_outbox(app: App) -> None:
    await app.outbox.run_jobs()
    await app.outbox.deliver_due()


async def test_reminders_until_the_report_is_made(
    app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    clock.set(datetime(2026, 11, 19, 9, 0, tzinfo=LOCAL_TZ))
    province = await make_officer(app, "so")
    await make_officer(app, "so2")  # same body as "so": Sở GD&ĐT, the whole province
    commune = await make_officer(app, "xa", agency="UBND xã", commune="Đông Kinh")
    await run_outbox(app)
    assert sender.sent == []  # not before 20 November
    clock.set(datetime(2026, 11, 20, 8, 59, tzinfo=LOCAL_TZ))
    await run_outbox(app)
    assert sender.sent == []  # from 09:00
    clock.set(datetime(2026, 11, 20, 9, 0, tzinfo=LOCAL_TZ))
    for _ in range(2):
        await run_outbox(app)
    reminded = {name: sender.to(name) for name in ("so", "so2", "xa")}
    assert all(len(texts) == 1 for texts in reminded.values()), reminded
    assert reminded["so"][0].startswith(
        "Reminder: the yearly report on the plan against plastic waste for 2026 is due before "
        "December 2, 2026. Send /annualreport 2026"
    )
    await province.send("/annualreport")
    sender.sent.clear()
    clock.set(datetime(2026, 11, 25, 9, 30, tzinfo=LOCAL_TZ))
    await app.outbox.run_jobs()  # queued for xa only: Sở GD&ĐT made it
    await commune.send("/annualreport 2026")  # made before the reminder went out
    await app.outbox.deliver_due()
    assert sender.sent == []
    clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=LOCAL_TZ))
    await run_outbox(app)
    assert sender.sent == []  # due before 2 December: no reminder on the day
