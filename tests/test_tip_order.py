"""The first 30 days of daily tips for a new subscriber of every audience: habits first, a
fine or a legal duty no earlier than the fourth tip and at most once a week, at least a third
local, nothing repeated, every placeholder filled (issue: content for 2026)."""

from __future__ import annotations

import itertools
import random
from datetime import date, datetime, timedelta

import pytest

from bot.app import App
from bot.content.fill import available, fill, nearest_market
from bot.content.model import Tip
from bot.content.tip_order import Seen, choose, law_allowed
from bot.core.clock import LOCAL_TZ, FakeClock
from tests.harness import Chat, RecordingSender, onboard

DAYS = 30
START = date(2026, 11, 30)  # 1 December comes: the yearly-report tip must be held in 2026

PERSONAS = [
    ("grandmother", "Resident", "tan tien", {}),
    ("trader", "Resident", "ky lua", {}),
    ("pupil", "Student", "tan doan", {"level": "Primary", "age": "Under 11"}),
    ("teen", "Student", "dong kinh", {"level": "Lower secondary", "age": "11 to 14"}),
    ("senior", "Student", "ky lua", {"level": "Upper secondary", "age": "15 to 17"}),
    ("undergrad", "Student", "luong van tri", {"level": "College", "age": "18 or over"}),
    ("teacher", "Teacher", "vu lang", {}),
    ("clerk", "Civil servant", "dong dang", {}),
    ("reporter", "Press, radio", "mau son, loc binh", {}),
]


async def thirty_days(app: App, clock: FakeClock, chat: Chat) -> list[tuple[Tip, str]]:
    """Subscribes at 07:00 the day before START and delivers DAYS daily tips."""
    clock.set(datetime.combine(START - timedelta(days=1), datetime.min.time(), LOCAL_TZ))
    await chat.send("/subscribe 07:00")
    row = await chat.row()
    assert row is not None
    for day in range(DAYS):
        clock.set(datetime(2026, 11, 30, 7, 1, tzinfo=LOCAL_TZ) + timedelta(days=day))
        await app.outbox.run_jobs()
        await app.outbox.deliver_due()
    seen = await app.deps.db.fetch_all(
        "SELECT tip_id FROM tips_seen WHERE user_id = ? ORDER BY seen_at, id", (row["id"],)
    )
    tips = [app.deps.content.tip(r[0]) for r in seen]
    assert all(tips)
    return list(zip([t for t in tips if t], [r[0] for r in seen], strict=True))


@pytest.mark.parametrize(("name", "audience", "commune", "student"), PERSONAS)
async def test_thirty_days_of_tips(
    app: App,
    clock: FakeClock,
    sender: RecordingSender,
    name: str,
    audience: str,
    commune: str,
    student: dict[str, str],
) -> None:
    chat = Chat(app, name)
    await onboard(chat, audience, commune, **student)
    delivered = [t for t, _ in await thirty_days(app, clock, chat)]
    texts = sender.to(name)
    assert len(delivered) == len(texts) == DAYS
    assert len({t.id for t in delivered}) == DAYS, "a tip repeated within 30 days"
    assert all(t.kind == "habit" for t in delivered[:3]), [t.id for t in delivered[:3]]
    laws = [day for day, t in enumerate(delivered) if t.kind == "law"]
    assert all(day >= 3 for day in laws)
    assert all(b - a >= 7 for a, b in itertools.pairwise(laws)), laws
    local = sum(t.local for t in delivered)
    assert local * 3 >= DAYS, f"{local} local tips of {DAYS}"
    assert "yearly-report-before-dec-2" not in {t.id for t in delivered}
    assert not any("{" in text for text in texts)


async def test_the_first_fourteen_days_of_a_resident_start_with_habits(
    app: App, clock: FakeClock
) -> None:
    chat = Chat(app, "ba")
    await onboard(chat, "Resident", "tan tien")
    first = [t for t, _ in await thirty_days(app, clock, chat)][:14]
    assert not any(t.kind == "law" for t in first[:3])
    assert sum(t.kind == "law" for t in first) <= 2
    assert not any("phạt" in t.text.vi for t in first[:3])


def test_the_rule_itself(app: App) -> None:
    content = app.deps.content
    law = next(t for t in content.tips if t.kind == "law" and t.on is None)
    habit = next(t for t in content.tips if t.kind == "habit" and t.on is None)
    today = date(2026, 3, 10)
    two = [Seen(habit.id, today - timedelta(days=d)) for d in (1, 2)]
    assert not law_allowed(two, content.tip, today)
    three = [*two, Seen(habit.id, today - timedelta(days=3))]
    assert law_allowed(three, content.tip, today)
    recent_law = [Seen(law.id, today - timedelta(days=6)), *three]
    assert not law_allowed(recent_law, content.tip, today)
    week_old = [Seen(law.id, today - timedelta(days=7)), *three]
    assert law_allowed(week_old, content.tip, today)
    only_law = choose([law], two, content.tip, today, random.Random(1))
    assert only_law is None or only_law.kind != "law"


def test_placeholders_take_the_commune_and_its_market(app: App) -> None:
    content, day = app.deps.content, date(2026, 5, 1)
    text = "Đi {market} ở {commune}."
    assert fill(text, "vi", content, "06316", day) == "Đi chợ Ba Xa ở xã Tân Đoàn."
    assert fill(text, "en", content, "06316", day) == "Đi Ba Xa market ở Tân Đoàn commune."
    # Phường Tam Thanh has no market listed; Đông Kinh's is in the same former district.
    market = nearest_market(content, "05986")
    assert market is not None and market.id in {"dong-kinh", "ky-lua"}
    # Xã Tân Tiến (Tràng Định) has none nearby, and nobody without a commune: general words.
    assert fill(text, "vi", content, "06019", day) == "Đi chợ gần nhà ở xã Tân Tiến."
    assert fill(text, "en", content, None, day) == "Đi the market near you ở your commune."


def test_the_report_reminder_names_the_recipient_only_when_sure(app: App) -> None:
    content = app.deps.content
    tip = content.tip("yearly-report-before-dec-2")
    assert tip is not None and "report_recipient" in tip.placeholders
    in_2024 = fill(tip.text.vi, "vi", content, None, date(2024, 12, 1))
    assert "gửi Sở Thông tin và Truyền thông" in in_2024
    assert available(tip, content, date(2024, 12, 1))
    assert not available(tip, content, date(2026, 12, 1))


def test_a_seasonal_tip_comes_only_in_its_months(app: App) -> None:
    content = app.deps.content
    harvest = content.tip("harvest-baskets")
    assert harvest is not None and harvest.months == {7, 8, 9, 10}
    history = [Seen("cloth-bag-market", date(2026, 1, 1))] * 3
    picks = {
        day.month: choose([harvest], history, content.tip, day, random.Random(1))
        for day in (date(2026, 8, 15), date(2026, 12, 15))
    }
    assert picks == {8: harvest, 12: None}


def test_the_first_local_tip_speaks_of_the_persons_own_place(app: App) -> None:
    content = app.deps.content
    suitable = [t for t in content.tips if t.suits("resident", None)]
    for seed in range(20):
        first = choose(suitable, [], content.tip, START, random.Random(seed))
        assert first is not None and first.placeholders & {"commune", "market"}, first
