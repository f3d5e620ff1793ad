"""/tip, /subscribe, /unsubscribe and the daily delivery through the outbox."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta

import pytest

from bot.app import App
from bot.content.model import Tip
from bot.core.clock import FakeClock
from bot.core.sending import PermanentFailure, RecipientGone, TemporaryFailure, Throttled
from bot.features.tips import tip_text
from bot.runner import DUE_SLACK, scheduler_pause
from tests.builders import subscribed_chats
from tests.conftest import AppFactory
from tests.harness import Chat, RecordingSender, at, onboard
from tests.sources import ENGLISH_CITATION


async def tick(app: App) -> None:
    await app.outbox.run_jobs()
    await app.outbox.deliver_due()


async def test_tip_now_names_its_source_and_does_not_repeat(alice: Chat) -> None:
    await onboard(alice)
    seen = []
    for _ in range(15):
        await alice.send("/tip")
        assert "💡" in alice.text and "Source:" in alice.text
        seen.append(alice.text)
    assert len(set(seen)) == 15


def shown(tips: Iterable[Tip], line: str, locale: str) -> Tip | None:
    """The tip whose text (its {commune} and {market} filled in) is this line."""
    for tip in tips:
        pattern = re.escape(tip.text.get(locale))
        pattern = re.sub(r"\\\{[a-z_]+\\\}", ".+", pattern)
        if re.fullmatch(pattern, line.removeprefix("💡 ")):
            return tip
    return None


def shown_tip(app: App, text: str, locale: str) -> tuple[Tip, str]:
    """The tip a /tip reply shows, and its source line."""
    first, source_line = text.splitlines()[-2:]
    tip = shown(app.deps.content.tips, first, locale)
    assert tip is not None, first
    assert "{" not in first, first
    return tip, source_line


async def test_a_vietnamese_reader_gets_the_source_in_vietnamese(app: App) -> None:
    chat = Chat(app, "ba", hint=None)
    await chat.send("/start")
    await chat.press("Tôi đồng ý")
    await chat.press("Người dân")
    await chat.send("dong kinh")
    row = await chat.row()
    assert row is not None and row["locale"] == "vi"
    translated = 0
    for _ in range(25):
        await chat.send("/tip")
        tip, source_line = shown_tip(app, chat.text, "vi")
        full = " (nguồn đầy đủ: /source)" if tip.source_long else ""
        assert source_line == "Nguồn: " + tip.source.vi + full, chat.text
        assert not ENGLISH_CITATION.search(source_line), source_line
        translated += tip.source.vi != tip.source.en
    assert translated  # not only sources that were already in Vietnamese


async def test_an_english_reader_gets_the_source_in_english(alice: Chat, app: App) -> None:
    await onboard(alice)
    for _ in range(10):
        await alice.send("/tip")
        tip, source_line = shown_tip(app, alice.text, "en")
        full = " (full source: /source)" if tip.source_long else ""
        assert source_line == "Source: " + tip.source.en + full, alice.text


def test_the_tip_text_cites_the_law_in_each_language(app: App) -> None:
    tip = app.deps.content.tip("law-lep-2020-in-force")
    assert tip is not None
    content, day = app.deps.content, date(2026, 1, 1)
    vi = tip_text(app.deps.i18n.translator("vi"), tip, content, None, day)
    en = tip_text(app.deps.i18n.translator("en"), tip, content, None, day)
    assert vi.splitlines()[-1].startswith("Nguồn: Luật Bảo vệ môi trường số 72/2020/QH14, ")
    assert "Điều 75 khoản 1" in vi and "Law on" not in vi
    assert en.splitlines()[-1].startswith("Source: Law on Environmental Protection 72/2020/QH14")


async def test_tip_suits_the_students_level(app: App) -> None:
    chat = Chat(app, "pupil")
    await onboard(chat, "Student", level="Primary")
    student_tips = [t for t in app.deps.content.tips if t.suits("student", "primary")]
    for _ in range(10):
        await chat.send("/tip")
        tip = shown(app.deps.content.tips, chat.text.splitlines()[0], "en")
        assert tip is not None and tip in student_tips, chat.text
        assert tip.levels != frozenset({"higher"})


async def test_dated_tip_comes_on_its_day(alice: Chat, clock: FakeClock) -> None:
    await onboard(alice)
    clock.set(at("2026-06-05", "09:00"))
    await alice.send("/tip")
    assert "World Environment Day" in alice.text or "5 June" in alice.text


async def test_subscribe_default_time_and_invalid_times(alice: Chat) -> None:
    await onboard(alice)
    await alice.send("/subscribe 25:99")
    assert "is not a time I understand" in alice.text
    row = await alice.row()
    assert row is not None and row["tip_time"] is None
    await alice.send("/subscribe")
    labels = alice.choice_labels
    names = [label.split(" (")[0] for label in labels]
    assert names == ["Morning", "Noon", "Evening", "Another time"]
    assert labels[0].startswith("Morning (7:00") and labels[2].startswith("Evening (7:30")
    await alice.send("toi")
    assert await alice.column("tip_time") == "19:30"
    await alice.send("/subscribe 18h30")
    row = await alice.row()
    assert row is not None and row["tip_time"] == "18:30"
    await alice.send("/unsubscribe")
    assert "Stop your daily tip at 18:30?" in alice.text
    await alice.send("ko")
    assert await alice.column("tip_time") == "18:30"
    await alice.send("dung")  # the word works like /unsubscribe, and asks first too
    await alice.send("dong y")
    assert "not get daily tips any more" in alice.text
    row = await alice.row()
    assert row is not None and row["tip_time"] is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("6 gio sang", "06:00"),
        ("6h sáng", "06:00"),
        ("7 giờ tối", "19:00"),
        ("18h30", "18:30"),
        ("trưa", "11:30"),
        ("6 ruoi chieu", "18:30"),
    ],
)
async def test_subscribe_understands_times_in_words(alice: Chat, typed: str, expected: str) -> None:
    await onboard(alice)
    await alice.send(f"/subscribe {typed}")
    assert await alice.column("tip_time") == expected


async def test_another_time_is_typed_in_words(alice: Chat) -> None:
    await onboard(alice)
    await alice.send("/subscribe")
    await alice.send("another")
    assert "For example 18:30, 6 giờ sáng or 7h tối" in alice.text
    await alice.send("25 gio")
    assert "is not a time I understand" in alice.text
    await alice.send("6 gio sang")
    assert "every day at 6:00" in alice.text


async def test_daily_tip_arrives_once_at_the_chosen_local_time(
    alice: Chat, app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    await onboard(alice)
    await alice.send("/subscribe 18:30")
    clock.set(at("2026-11-30", "18:29"))
    await tick(app)
    assert sender.to("alice") == []
    clock.set(at("2026-11-30", "18:30"))
    await tick(app)
    await tick(app)
    assert len(sender.to("alice")) == 1
    assert "Your tip for today" in sender.to("alice")[0]
    clock.set(at("2026-12-01", "18:31"))
    await tick(app)
    assert len(sender.to("alice")) == 2


async def test_subscribing_after_todays_time_starts_tomorrow(
    alice: Chat, app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    await onboard(alice)
    clock.set(at("2026-11-30", "09:00"))
    await alice.send("/subscribe 07:00")
    await tick(app)
    assert sender.to("alice") == []
    clock.set(at("2026-12-01", "07:00"))
    await tick(app)
    assert len(sender.to("alice")) == 1


async def test_outbox_restart_mid_run_neither_skips_nor_repeats(
    make_app: AppFactory, clock: FakeClock, sender: RecordingSender
) -> None:
    first = await make_app()
    await subscribed_chats(first, 6)
    clock.set(at("2026-12-01", "07:00"))
    assert await first.outbox.run_jobs() == 6
    # The process dies after two deliveries: one sent, one claimed but not finished.
    batch = await first.outbox.deliver_due(limit=2)
    assert batch.sent == 2
    async with first.deps.db.transaction() as tx:
        await tx.execute(
            "UPDATE deliveries SET status = 'sending' WHERE id = "
            "(SELECT MIN(id) FROM deliveries WHERE status = 'pending')"
        )
    await first.close()

    second = await make_app()
    assert await second.outbox.recover() == 1
    assert await second.outbox.run_jobs() == 0  # today's deliveries exist already
    await second.outbox.deliver_due()
    await second.outbox.deliver_due()
    delivered = sorted(chat_id for chat_id, _ in sender.sent)
    assert delivered == [f"s{n}" for n in range(6)]


async def test_blocked_recipient_is_marked_and_unsubscribed(
    app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    chats = await subscribed_chats(app, 3)
    sender.failures["s1"] = RecipientGone("bot was blocked by the user")
    clock.set(at("2026-12-01", "07:00"))
    await tick(app)
    assert sorted(cid for cid, _ in sender.sent) == ["s0", "s2"]
    row = await chats[1].row()
    assert row is not None and (row["reachable"], row["tip_time"]) == (0, None)
    clock.set(at("2026-12-02", "07:00"))
    await tick(app)
    assert [cid for cid, _ in sender.sent].count("s1") == 0
    await chats[1].blocked(False)
    assert "Welcome back" in chats[1].text


async def test_throttled_and_temporary_failures_are_retried_then_given_up(
    app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    await subscribed_chats(app, 3)
    sender.failures["s0"] = Throttled(30)
    sender.failures["s1"] = TemporaryFailure("502")
    sender.failures["s2"] = PermanentFailure("400 chat not found")
    clock.set(at("2026-12-01", "07:00"))
    stats = await app.outbox.deliver_due() if await app.outbox.run_jobs() else None
    assert stats is not None and (stats.retried, stats.failed) == (2, 1)
    # The scheduler's next round is when the 429 has been waited out, not its usual round.
    assert await scheduler_pause(app, 60.0) == pytest.approx(30 + DUE_SLACK)
    del sender.failures["s0"]
    clock.advance(timedelta(seconds=31))
    await app.outbox.deliver_due()
    assert [cid for cid, _ in sender.sent] == ["s0"]
    for _ in range(6):
        clock.advance(timedelta(minutes=31))
        await app.outbox.deliver_due()
    rows = await app.deps.db.fetch_all("SELECT status, attempts FROM deliveries ORDER BY id")
    # Waiting out a 429 does not count as an attempt; a 502 does, up to the limit.
    assert [tuple(r) for r in rows] == [("sent", 1), ("failed", 5), ("failed", 1)]


async def test_person_who_left_is_not_sent_to(
    app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    chats = await subscribed_chats(app, 2)
    clock.set(at("2026-12-01", "07:00"))
    await app.outbox.run_jobs()
    await chats[0].send("/deleteme")
    await chats[0].press("Yes")
    await app.outbox.deliver_due()
    assert [cid for cid, _ in sender.sent] == ["s1"]
