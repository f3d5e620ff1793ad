"""/plan, the workbook and the yearly report check task 2b's visual propaganda (1-2 products a
year per former district) district by district, the districts behind first."""

from __future__ import annotations

import io

from docx import Document
from openpyxl import load_workbook

from bot.app import App
from bot.core.clock import FakeClock
from tests.builders import known_data, make_officer
from tests.harness import Chat, attachment

NOT_MET = (
    "Huyện Tràng Định 0, Huyện Bình Gia 0, Huyện Văn Lãng 0, Huyện Cao Lộc 0, Huyện Bắc Sơn 0, "
    "Huyện Hữu Lũng 0, Huyện Chi Lăng 0, Huyện Lộc Bình 0, Huyện Đình Lập 0"
)


async def log_visual(officer: Chat, where: str) -> None:
    """A province officer logs a poster campaign (task 2b) for a commune or the province."""
    await officer.send("/activity")
    await officer.press("Visual propaganda")
    if where == "province":
        await officer.press("The whole province")
    else:
        await officer.send(where)
    await officer.press("Today")
    await officer.send("0")
    for _ in range(3):
        await officer.press("Skip")
    assert "Logged: an activity of" in officer.text, officer.text


async def logged_data(app: App, clock: FakeClock) -> Chat:
    """Tân Đoàn (counted for Huyện Văn Quan) once, Đông Kinh (Thành phố Lạng Sơn) twice, the
    whole province once."""
    await known_data(app, clock)
    officer = await make_officer(app, "so")
    for where in ("tan doan", "dong kinh", "Đông Kinh", "province"):
        await log_visual(officer, where)
    return officer


async def test_plan_checks_the_quota_district_by_district(app: App, clock: FakeClock) -> None:
    officer = await logged_data(app, clock)
    await officer.send("/plan")
    lines = officer.text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("⏳ 2b. Visual propaganda"))
    assert lines[at + 1] == (
        "   behind: done 4 (0 counted by the bot, 4 logged) · quota: 1 to 2 a year per former "
        "district"
    )
    assert lines[at + 2] == (
        f"   2 of 11 former districts met; behind: {NOT_MET}; 1 logged for the whole province, "
        "in no district"
    )
    commune = await make_officer(app, "xa", agency="UBND xã", commune="Tân Đoàn")
    await commune.send("/plan")
    lines = commune.text.splitlines()
    at = next(i for i, line in enumerate(lines) if "2b. Visual propaganda" in line)
    assert lines[at].startswith("✅")  # its own product meets a district's minimum
    assert "done 1 (0 counted by the bot, 1 logged)" in lines[at + 1]
    assert "former districts met" not in commune.text  # no other commune's figures


async def test_the_workbook_and_the_report_list_the_districts_behind(
    app: App, clock: FakeClock
) -> None:
    officer = await logged_data(app, clock)
    await officer.send("/lang vi")
    await officer.send("/export 2026")
    book = load_workbook(io.BytesIO(attachment(officer, ".xlsx")))
    sheet = book["Nhiệm vụ theo đơn vị"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == [
        "Nhiệm vụ",
        "Tính theo",
        "Đơn vị",
        "Đã thực hiện trong năm",
        "Chỉ tiêu (tối thiểu)",
        "Trạng thái",
    ]
    districts = [r for r in rows[1:] if r[1] == "huyện cũ"]
    assert districts[0] == ["2b", "huyện cũ", "Huyện Tràng Định", 0, 1, "Chưa triển khai"]
    assert districts[-2:] == [
        ["2b", "huyện cũ", "Huyện Văn Quan", 1, 1, "Đạt"],
        ["2b", "huyện cũ", "Thành phố Lạng Sơn", 2, 1, "Đạt"],
    ]
    assert len(districts) == 11
    await officer.send("/annualreport 2026")
    body = [p.text for p in Document(io.BytesIO(attachment(officer, ".docx"))).paragraphs]
    visual = [line for line in body if line.startswith("- Nhiệm vụ 2b (UBND xã, phường): Tuyên")]
    assert visual == [
        "- Nhiệm vụ 2b (UBND xã, phường): Tuyên truyền cổ động trực quan: pano, áp phích, biểu "
        "ngữ, tranh cổ động; màn hình điện tử… Đã thực hiện: 4; chỉ tiêu: 1 - 2/năm mỗi huyện cũ."
    ]
    assert (
        "  2/11 huyện cũ đạt; chưa đạt: Huyện Tràng Định 0, Huyện Bình Gia 0, Huyện Văn Lãng 0, "
        "Huyện Cao Lộc 0, Huyện Bắc Sơn 0, Huyện Hữu Lũng 0, Huyện Chi Lăng 0, Huyện Lộc Bình 0, "
        "Huyện Đình Lập 0; 1 hoạt động ghi cho toàn tỉnh, không thuộc huyện nào" in body
    )
