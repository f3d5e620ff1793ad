"""/source: the full citation of the last tip or quiz question; short sources everywhere."""

from __future__ import annotations

from datetime import timedelta

from bot.app import App
from bot.core.clock import FakeClock
from tests.harness import Chat, onboard


async def last_tip_id(app: App, chat: Chat) -> str:
    row = await chat.row()
    assert row is not None
    found = await app.deps.db.fetch_one(
        "SELECT tip_id FROM tips_seen WHERE user_id = ? ORDER BY id DESC", (row["id"],)
    )
    assert found is not None
    return str(found[0])


async def test_nothing_yet(alice: Chat) -> None:
    await onboard(alice)
    await alice.send("/source")
    assert "You have not had a tip or a quiz question yet" in alice.text


async def test_the_full_source_of_the_last_tip(alice: Chat, app: App) -> None:
    await onboard(alice)
    for _ in range(20):  # until a tip with a long citation comes
        await alice.send("/tip")
        tip = app.deps.content.tip(await last_tip_id(app, alice))
        assert tip is not None
        if tip.source_long is not None:
            break
    assert tip is not None and tip.source_long is not None
    assert "(full source: /source)" in alice.text
    await alice.send("/source")
    assert alice.text == "The full source of your last tip:\n📚 " + tip.source_long.en


async def test_the_last_quiz_question_after_a_tip(alice: Chat, app: App, clock: FakeClock) -> None:
    await onboard(alice)
    await alice.send("/tip")
    clock.advance(timedelta(seconds=60))
    await alice.send("/quiz")
    row = await alice.row()
    assert row is not None
    attempt = await app.deps.db.fetch_one(
        "SELECT question_ids FROM quiz_attempts WHERE user_id = ?", (row["id"],)
    )
    assert attempt is not None
    await alice.press(alice.choice_labels[0])
    first = app.deps.quizzes.question(attempt[0].split('"')[1])
    assert first is not None
    await alice.send("/source")
    assert "The full source of the last quiz question:" in alice.text
    assert "📚 " + first.long_source.en in alice.text


async def test_a_vietnamese_reader_reads_the_vietnamese_citation(app: App) -> None:
    chat = Chat(app, "ba", hint=None)
    await chat.send("/start")
    await chat.press("Tôi đồng ý")
    await chat.press("Người dân")
    await chat.send("tan doan")
    await chat.send("/tip")
    tip = app.deps.content.tip(await last_tip_id(app, chat))
    assert tip is not None
    await chat.send("/source")
    assert chat.text.startswith("Nguồn đầy đủ của mẹo gần nhất bạn nhận:\n📚 ")
    assert chat.text.endswith(tip.long_source.vi)


def test_every_short_source_fits_and_the_long_one_is_longer_or_different(app: App) -> None:
    items = [*app.deps.content.tips]
    for tip in items:
        assert len(tip.source.vi) <= 120 and len(tip.source.en) <= 120, tip.id
        if tip.source_long is not None:
            assert tip.source_long != tip.source, tip.id
    for bank in app.deps.quizzes.banks.values():
        for question in bank:
            assert len(question.source.vi) <= 120 and len(question.source.en) <= 120
