"""Natural answers through the real engine (shell), Zalo and Telegram (issue 8): people type
without accents, with typos, with everyday words, and the bot understands or asks briefly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.app import App
from bot.core.clock import LOCAL_TZ, FakeClock
from tests.harness import Chat, RecordingSender
from tests.telegram_harness import Harness, telegram_harness
from tests.zalo_harness import Zalo

GREETING_VI = "Mình là chatbot của chiến dịch"
BRIEF_CONSENT_VI = "Bạn có đồng ý để mình lưu những thông tin này"
MENU_VI = [
    "Nhận mẹo ngay",
    "Làm bài trắc nghiệm",
    "Nhận mẹo mỗi ngày",
    "Nhận một cam kết",
    "Cam kết của tôi",
    "Báo cáo về chợ",
    "Cài đặt",
    "Mình làm được gì?",
]


@pytest.fixture
def ba(app: App) -> Chat:
    """A grandmother in Lạng Sơn: her phone says Vietnamese."""
    return Chat(app, "ba", hint="vi")


async def onboard_vi(chat: Chat) -> None:
    for text in ("/start", "dong y", "nguoi dan", "tan tein"):
        await chat.send(text)
    assert "Xong rồi!" in chat.text, chat.text


async def test_a_grandmother_without_accents_from_start_to_her_first_daily_tip(
    ba: Chat, app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    await ba.send("/start")
    assert GREETING_VI in ba.text
    await ba.send("dong y")
    assert "Bạn thuộc nhóm nào?" in ba.text
    await ba.send("nguoi dan")
    assert "xã/phường nào" in ba.text
    await ba.send("tan tein")  # a typo in Tân Tiến
    assert "Xã Tân Tiến" in ba.text and "Xong rồi!" in ba.text
    assert ba.choice_labels == MENU_VI
    await ba.send("nhan meo moi ngay")
    assert "Bạn muốn nhận mẹo mỗi ngày vào lúc nào?" in ba.text
    await ba.send("6 gio sang")
    assert "Mỗi ngày bạn sẽ nhận một mẹo lúc 06:00" in ba.text
    row = await ba.row()
    assert row is not None and row["tip_time"] == "06:00" and row["audience"] == "resident"
    clock.set(datetime(2026, 12, 1, 6, 0, tzinfo=LOCAL_TZ))
    await app.outbox.run_jobs()
    await app.outbox.deliver_due()
    [tip] = sender.to("ba")
    assert "💡" in tip and "Nguồn:" in tip


async def test_everyday_yes_words_answer_the_consent(app: App) -> None:
    for number, text in enumerate(["vâng", "ok", "co", "dạ", "đc", "Đồng ý!"]):
        chat = Chat(app, f"p{number}", hint="vi")
        await chat.send("/start")
        await chat.send(text)
        assert "Bạn thuộc nhóm nào?" in chat.text, text


@pytest.mark.parametrize("text", ["ko dong y", "không đồng ý", "khong", "ko", "thôi", "chưa"])
async def test_a_no_is_never_taken_for_a_yes(app: App, text: str) -> None:
    chat = Chat(app, "nay", hint="vi")
    await chat.send("/start")
    await chat.send(text)
    assert "mình sẽ không lưu thông tin gì về bạn" in chat.text, chat.text
    row = await chat.row()
    assert row is not None and row["consent_at"] is None


async def test_a_miss_gets_one_line_and_the_brief_question_then_an_example(ba: Chat) -> None:
    await ba.send("/start")
    await ba.send("xyz")
    line, question = ba.replies  # one line, then the question in brief
    assert line.text == "Xin lỗi, mình chưa hiểu “xyz”."
    assert question.text == BRIEF_CONSENT_VI + ", chỉ dùng cho chiến dịch không?"
    assert GREETING_VI not in ba.text  # the greeting is never repeated
    assert "Ví dụ" not in ba.text
    assert ba.choice_labels == ["Tôi đồng ý", "Không, cảm ơn", "English"]
    await ba.send("hihi")
    assert GREETING_VI not in ba.text
    assert "Ví dụ: gõ 1 hoặc “Tôi đồng ý”." in ba.text
    await ba.send("9")
    assert "Bạn vui lòng trả lời bằng một số từ 1 đến 3 nhé." in ba.text
    assert GREETING_VI not in ba.text


async def test_an_ambiguous_answer_asks_which_showing_only_those(ba: Chat) -> None:
    await ba.send("/start")
    await ba.send("vâng")
    await ba.send("nguoi")  # Người dân, người lao động, or người bán hàng?
    assert "Bạn muốn chọn cái nào?" in ba.text
    assert ba.choice_labels == [
        "Người dân",
        "Cán bộ, công chức, người lao động",
        "Tiểu thương, người bán hàng ở chợ",
    ]
    await ba.send("2")  # the second option SHOWN
    row = await ba.row()
    assert row is not None and row["audience"] == "worker"


async def test_words_outside_a_question(ba: Chat) -> None:
    await onboard_vi(ba)
    await ba.send("cam on")
    assert "Không có gì!" in ba.text and "chưa hiểu" not in ba.text
    assert ba.choice_labels == MENU_VI
    await ba.send("chao")
    assert "Chào bạn!" in ba.text and ba.choice_labels == MENU_VI
    await ba.send("meo")
    assert ba.text.startswith("💡") and "Nguồn:" in ba.text
    await ba.send("menu")
    assert "Bạn muốn làm gì?" in ba.text and "Làm bài trắc nghiệm" in ba.choice_labels
    await ba.send("trac nghiem")
    assert "❓ Câu hỏi 1/10" in ba.text
    assert [label[:3] for label in ba.choice_labels] == ["A. ", "B. ", "C. ", "D. "][
        : len(ba.choice_labels)
    ]
    await ba.send("C")
    assert ba.text[:1] in ("✅", "❌") and "Câu hỏi 2/10" in ba.text


async def test_a_student_answers_role_level_and_age_in_words_and_meets_the_guardian(
    app: App,
) -> None:
    em = Chat(app, "em", hint="vi")
    for text in ("/start", "ok", "hoc sinh", "thcs"):
        await em.send(text)
    assert "Bạn bao nhiêu tuổi?" in em.text
    await em.send("13")
    assert "bố mẹ hoặc người giám hộ" in em.text
    assert em.choice_labels == ["Có, bố mẹ hoặc người giám hộ đã đồng ý", "Chưa"]
    row = await em.row()
    assert row is not None
    assert (row["audience"], row["school_level"], row["age_band"]) == (
        "student",
        "lower_secondary",
        None,  # nothing beyond the level before a parent agrees
    )
    await em.send("chua")
    row = await em.row()
    assert row is not None and row["age_band"] is None and row["commune_code"] is None


# -- Zalo: words only, no buttons ------------------------------------------------------------
async def test_zalo_a_grandmother_in_words(zalo: Zalo) -> None:
    first = await zalo.say("ba", "/start")
    assert "Bạn có đồng ý không?" in first[0]
    missed = await zalo.say("ba", "hmm")
    assert missed[0].startswith("Xin lỗi, mình chưa hiểu “hmm”.")
    assert not any(GREETING_VI in t for t in missed)
    role = await zalo.say("ba", "dong y")
    assert any("Bạn thuộc nhóm nào?" in t for t in role)
    await zalo.say("ba", "nguoi dan")
    done = await zalo.say("ba", "tan tein")
    assert any("Xã Tân Tiến" in t for t in done)
    assert any("2. Làm bài trắc nghiệm" in t for t in done)  # the menu, numbered
    thanks = await zalo.say("ba", "cam on")
    assert any("Không có gì!" in t for t in thanks)
    tip = await zalo.say("ba", "meo")
    assert tip[0].startswith("💡")
    quiz = await zalo.say("ba", "trac nghiem")
    assert any("A. " in t and "B. " in t for t in quiz)
    answered = await zalo.say("ba", "C")
    assert any("Câu hỏi 2/10" in t for t in answered)


async def test_zalo_ambiguous_and_student_words(zalo: Zalo) -> None:
    await zalo.say("em", "/start")
    await zalo.say("em", "vâng")
    which = await zalo.say("em", "nguoi")
    shown = "\n".join(which)
    assert "Bạn muốn chọn cái nào?" in shown and "Học sinh" not in shown
    await zalo.say("em", "hoc sinh")
    await zalo.say("em", "cap 2")
    guardian = await zalo.say("em", "13 tuoi")
    assert any("người giám hộ" in t for t in guardian)


# -- Telegram ----------------------------------------------------------------------------------
@pytest.fixture
async def tg(tmp_path: Path) -> AsyncIterator[Harness]:
    async with telegram_harness(tmp_path) as harness:
        yield harness


async def test_telegram_typed_answers_without_accents(tg: Harness) -> None:
    ba = tg.person(7001, "vi")
    await ba.say("/start")
    assert "Bạn có đồng ý không?" in await ba.read_text()
    await ba.say("xyz")
    missed = await ba.read_text(2)
    assert BRIEF_CONSENT_VI in missed
    assert missed.startswith("Xin lỗi, mình chưa hiểu “xyz”.") and GREETING_VI not in missed
    await ba.say("dong y")
    assert "Bạn thuộc nhóm nào?" in await ba.read_text(2)
    await ba.say("nguoi")
    which = (await ba.read())[0]
    assert which.params["text"] == "Bạn muốn chọn cái nào?"
    assert which.buttons == [
        "Người dân",
        "Cán bộ, công chức, người lao động",
        "Tiểu thương, người bán hàng ở chợ",
    ]
    await ba.say("nguoi dan")
    assert "xã/phường nào" in await ba.read_text(2)
    await ba.say("tan tein")
    assert "Xã Tân Tiến" in await ba.read_text(2)
    await ba.say("cam on")
    thanks = (await ba.read())[0]
    assert "Không có gì!" in thanks.params["text"] and thanks.buttons == MENU_VI
    await ba.say("trac nghiem")
    question = (await ba.read(2))[-1]
    assert question.buttons[0].startswith("A. ")
    await ba.say("c")
    assert "Câu hỏi 2/10" in await ba.read_text(2)
