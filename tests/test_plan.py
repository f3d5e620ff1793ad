"""/plan: the plan's tasks, their quota and what was done, by the body leading them today."""

from __future__ import annotations

from bot.app import App
from bot.core.clock import FakeClock
from tests.harness import Chat, onboard
from tests.test_schools import make_officer
from tests.test_stats import known_data


async def test_the_plan_with_the_known_data(app: App, clock: FakeClock) -> None:
    await known_data(app, clock)
    officer = await make_officer(app, "so")
    await officer.send("/plan")
    text = officer.text
    assert "The plan's tasks in 2026: the whole province" in text
    assert "This plan ran from 2021 to 2025; no newer plan is loaded" in text
    assert "Met: 0 of " in text
    # Task 2c: the 7A rally counted by the bot, against 5-10 a year
    assert "behind: done 1 (1 counted by the bot, 0 logged) · quota: 5 to 10 a year" in text
    # Sở TT&TT ended on 28/02/2025: its tasks are led by its successor today
    assert "🏛 Sở VHTTDL\n⭕ 1. " in text
    assert "Sở TT&TT" not in text
    assert "not started: done 0 (0 counted by the bot, 0 logged) · quota: 1 a year" in text
    await officer.send("/plan 2025")
    assert "The plan's tasks in 2025" in officer.text and "ran from" not in officer.text
    assert "⏳" not in officer.text  # no class in the school year 2025-2026
    await officer.send("/plan next year")
    assert "Please give a year, for example 2026 or 2026-2027." in officer.text


async def test_a_commune_officer_sees_their_communes_work(app: App, clock: FakeClock) -> None:
    await known_data(app, clock)
    officer = await make_officer(app, "xa", agency="UBND xã", commune="Tân Đoàn")
    await officer.send("/plan")
    assert "The plan's tasks in 2026: Xã Tân Đoàn" in officer.text
    assert "⏳" not in officer.text  # the rally was in Đông Kinh


async def test_nobody_else_sees_the_plan(app: App) -> None:
    resident = Chat(app, "dan")
    await onboard(resident)
    await resident.send("/plan")
    assert "Sorry, /plan is not available to you." in resident.text
