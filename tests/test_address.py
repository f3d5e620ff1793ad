"""The form of address: "bạn" by default, "ông/bà" when chosen in /settings or for officers."""

from __future__ import annotations

from datetime import datetime

from bot.app import App
from bot.core.clock import LOCAL_TZ, FakeClock
from bot.core.i18n import I18n
from tests.builders import make_officer
from tests.harness import Chat, RecordingSender, onboard


async def onboard_vi(chat: Chat) -> None:
    await chat.send("/start")
    await chat.send("dong y")
    await chat.send("nguoi dan")
    await chat.send("dong kinh")
    assert "Xong rồi!" in chat.text, chat.text


def test_the_formal_form_replaces_every_you_but_not_friends() -> None:
    formal = I18n().translator("vi", "ongba")
    assert formal.addressed("Bạn muốn gì? Cảm ơn bạn.") == "Ông/Bà muốn gì? Cảm ơn ông/bà."
    assert formal.addressed("Rủ bạn bè đi chợ.") == "Rủ bạn bè đi chợ."
    assert I18n().translator("vi", "quyvi").addressed("Chào bạn!") == "Chào quý vị!"
    assert I18n().translator("en", "ongba")("Hello! What would you like to do today?") == (
        "Hello! What would you like to do today?"
    )


async def test_a_person_chooses_the_formal_address_and_keeps_it(
    app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    ba = Chat(app, "ba-tu", hint=None)
    await onboard_vi(ba)
    await ba.send("/settings")
    assert "Cách xưng hô: bạn" in ba.text
    await ba.send("cach xung ho")
    assert "Bạn muốn mình xưng hô với bạn thế nào?" in ba.text
    await ba.send("trang trong")
    row = await ba.row()
    assert row is not None and row["address_form"] == "ongba"
    assert "Cách xưng hô: ông/bà" in ba.text
    await ba.send("/menu")
    await ba.send("chao")
    assert "Chào ông/bà!" in ba.text and "bạn" not in ba.text.lower().replace("bạn bè", "")
    await ba.send("/subscribe 7 gio sang")
    assert "Mỗi ngày ông/bà sẽ nhận một mẹo lúc 07:00" in ba.text
    clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=LOCAL_TZ))
    await app.outbox.run_jobs()
    await app.outbox.deliver_due()
    [tip] = sender.to("ba-tu")
    assert " bạn " not in tip  # the daily tip, from the outbox, is addressed formally too


async def test_officers_are_addressed_formally_by_default(app: App) -> None:
    officer = await make_officer(app, "can-bo", "Sở GD&ĐT")
    await officer.send("/lang vi")
    await officer.send("chao")
    assert "Chào ông/bà!" in officer.text, officer.text


async def test_an_officers_notices_from_the_outbox_are_formal(
    app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    officer = await make_officer(app, "can-bo-2", "Sở GD&ĐT")
    await officer.send("/lang vi")
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=LOCAL_TZ))  # a yearly-report reminder day
    await app.outbox.run_jobs()
    await app.outbox.deliver_due()
    texts = sender.to("can-bo-2")
    assert texts, "no reminder was sent"
    assert all("bạn" not in t.replace("bạn bè", "") for t in texts), texts
    assert any("Ông/Bà" in t or "ông/bà" in t for t in texts), texts


async def test_the_bot_calls_itself_toi_when_it_says_ong_ba(app: App) -> None:
    officer = await make_officer(app, "can-bo-3", "Sở GD&ĐT")
    await officer.send("/lang vi")
    await officer.send("/help")
    # "mình" (familiar) only as "của mình", the person's own; the bot is "tôi".
    assert "mình" not in officer.text.replace("của mình", ""), officer.text
    assert "tôi" in officer.text.lower(), officer.text
    resident = Chat(app, "ba-con")
    await onboard(resident)
    await resident.send("/lang vi")
    await resident.send("/help")
    assert "mình" in resident.text.lower(), resident.text  # to "bạn", the bot stays "mình"


def test_a_tip_keeps_the_readers_minh_in_the_formal_address() -> None:
    _ = I18n().translator("vi", "ongba")
    tip = "Phân loại rác nhà mình giúp bạn tiết kiệm."
    assert _.addressed(tip) == "Phân loại rác nhà mình giúp ông/bà tiết kiệm."
    assert _("Sorry, I didn't understand “{text}”.", text="x").startswith("Xin lỗi, tôi")
