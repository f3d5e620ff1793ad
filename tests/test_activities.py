"""/activity: an officer logs an activity against a task; /plan and the workbook count it."""

from __future__ import annotations

import io

from PIL import Image

from bot.app import App
from bot.core.clock import FakeClock
from bot.features.activities import parse_audiences
from tests.builders import make_officer
from tests.harness import Chat, onboard
from tests.harness_db import rows
from tests.reporting import EACH_PHOTO_STORE, kept_photos


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


@EACH_PHOTO_STORE
async def test_an_officer_logs_a_clean_up_with_a_photo(app: App, clock: FakeClock) -> None:
    officer = await make_officer(app, "xa", agency="UBND xã", commune="Tân Đoàn")
    await officer.send("/activity")
    assert "Which task of the plan was the activity for?" in officer.text
    await officer.press("2đ.")
    assert "When did it take place?" in officer.text
    await officer.send("15/11/2026")
    assert "How many people took part?" in officer.text
    await officer.send("khoảng 120 người")
    await officer.send("người dân 100, học sinh 20")
    await officer.send("Ra quân dọn rác bờ sông Kỳ Cùng")
    await officer.photo(jpeg())
    assert (
        "Logged: an activity of Xã Tân Đoàn for task 2đ on November 15, 2026, 120 taking part. "
        "/plan counts it." in officer.text
    )
    [row] = await rows(
        app,
        "SELECT day, task_id, lead_agency, commune_code, participants, audiences, note, photo "
        "FROM activities",
    )
    assert tuple(row)[:7] == (
        "2026-11-15",
        "2dd-clean-up-campaigns",
        "ubnd-xa",
        "06316",
        120,
        '{"resident": 100, "student": 20}',
        "Ra quân dọn rác bờ sông Kỳ Cùng",
    )
    assert list(await kept_photos(app)) == [row["photo"]]
    await officer.send("/plan")
    assert "met: done 1 (0 counted by the bot, 1 logged)" in officer.text


async def test_skips_and_answers_out_of_range(app: App) -> None:
    officer = await make_officer(app, "so")
    await officer.send("/activity")
    await officer.press("1.")
    assert "Which commune or ward does the activity belong to?" in officer.text
    await officer.send("toan tinh")
    await officer.press("Today")
    await officer.send("nhiều lắm")  # no number: asked again
    assert "How many people took part?" in officer.text
    await officer.send("40")
    await officer.send("ai đó 3")  # not an audience: asked again
    assert "Who were they?" in officer.text
    await officer.press("Skip")
    await officer.press("Skip")
    await officer.press("Skip")
    assert (
        "Logged: an activity of the whole province for task 1 on November 30, 2026, 40 taking "
        "part." in officer.text
    )
    [row] = await rows(app, "SELECT lead_agency, commune_code, audiences, photo FROM activities")
    assert tuple(row) == ("so-gddt", None, "{}", None)
    await officer.send("/plan")
    assert "✅ 1. " in officer.text  # one training conference a year: met


async def test_a_province_officer_names_the_commune(app: App) -> None:
    """Typed without accents, picked through a former district, or the whole province by its
    button; a commune's officer is never asked (above)."""
    officer = await make_officer(app, "so")
    await officer.send("/activity")
    await officer.press("2đ.")
    assert "pick The whole province" in officer.text
    assert officer.choice_labels[0] == "The whole province"
    await officer.send("tan doan")
    assert "When did it take place?" in officer.text
    await officer.press("Today")
    await officer.send("30")
    for _ in range(3):
        await officer.press("Skip")
    await officer.send("/activity")
    await officer.press("2đ.")
    await officer.press("Huyện Văn Quan")
    await officer.press("Tân Đoàn")
    await officer.press("Today")
    await officer.send("12")
    for _ in range(3):
        await officer.press("Skip")
    assert "Logged: an activity of Xã Tân Đoàn for task 2đ" in officer.text
    await officer.send("/activity")
    await officer.press("2đ.")
    await officer.press("The whole province")
    await officer.press("Today")
    await officer.send("0")
    for _ in range(3):
        await officer.press("Skip")
    found = await rows(app, "SELECT commune_code, participants FROM activities ORDER BY id")
    assert [tuple(r) for r in found] == [("06316", 30), ("06316", 12), (None, 0)]


def test_participants_by_audience_as_typed() -> None:
    assert parse_audiences("Người dân 30; hs 12, giáo viên 2") == {
        "resident": 30,
        "student": 12,
        "teacher": 2,
    }
    assert parse_audiences("30 người dân") == {"resident": 30}
    assert parse_audiences("dân") is None
    assert parse_audiences("người ngoài hành tinh 3") is None


async def test_nobody_else_logs_activities(app: App) -> None:
    resident = Chat(app, "dan")
    await onboard(resident)
    await resident.send("/activity")
    assert "Sorry, /activity is not available to you." in resident.text
