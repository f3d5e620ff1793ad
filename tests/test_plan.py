"""/plan: the plan's tasks, their quota and what was done, by the body leading them today."""

from __future__ import annotations

from bot.app import App
from bot.core.clock import FakeClock
from tests.builders import known_data, make_officer
from tests.harness import Chat, onboard


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
    assert "• Students who received the essential knowledge: 3 of 531 (0.6%); target 90%" in text
    assert (
        "• Reporters, editors and radio staff trained: 0; target 100% (how many there are is "
        "not set: /setcount media N)" in text
    )
    await officer.send("/setcount media 120")
    assert "Saved: 120. /plan shows the targets with it." in officer.text
    await officer.send("/setcount workers 300")
    await officer.send("/plan")
    assert "• Reporters, editors and radio staff trained: 0 of 120 (0%); target 100%" in (
        officer.text
    )
    assert "civil servants who received the essential knowledge: 0 of 300 (0%); target 90%" in (
        officer.text
    )
    await officer.send("/setcount media many")
    assert "Usage: /setcount media N" in officer.text
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
    assert "Students who received the essential knowledge: 1 of 88 (1.1%)" in officer.text
    assert "Reporters" not in officer.text  # the counts officers give are the province's
    await officer.send("/setcount media 10")
    assert "These counts are the province's" in officer.text


async def test_nobody_else_sees_the_plan(app: App) -> None:
    resident = Chat(app, "dan")
    await onboard(resident)
    await resident.send("/plan")
    assert "Sorry, /plan is not available to you." in resident.text
