"""/quiz: a student plays, answers, resumes, abandons; class members and contests.

The banks here are small ones written into tmp_path, so that every test knows the answers.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.content.quizzes import Question
from bot.core.clock import FakeClock, iso
from bot.features.quiz import flow as quiz_flow
from bot.settings import Settings
from bot.storage import quiz_attempts
from tests.builders import add_member, make_class, make_contest, student
from tests.conftest import ADMIN, AppFactory
from tests.harness import Chat, onboard
from tests.harness_db import attempts, latest
from tests.harness_quiz import PREFIX, answer, current_question, play, shared_banks, unlettered


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Settings:
    return Settings(
        db_path=str(tmp_path / "bot.sqlite3"),
        database_url=database_url,
        admins=frozenset({f"shell:{ADMIN}"}),
        quiz_dir=shared_banks(),
    )


def shown_number(chat: Chat, question: Question) -> int:
    """Where the right option is among the buttons shown (1-based): the order is shuffled."""
    labels = [unlettered(label) for label in chat.choice_labels]
    right = (question.right.en, question.right.vi)
    assert any(label in right for label in labels), labels
    return 1 + next(i for i, label in enumerate(labels) if label in right)


async def test_student_quiz_to_the_end_with_score_and_review(app: App) -> None:
    chat = await student(app)
    await chat.send("/quiz")
    assert "Quiz: 10 questions" in chat.text and "24 hours" in chat.text
    assert "Question 1 of 10" in chat.text and "Question pr-q" in chat.text
    assert len(chat.choices) == 3
    asked = [await answer(app, chat, right=n not in (2, 5, 9)) for n in range(10)]
    text = chat.text
    assert "Finished! Your score: 7 of 10." in text
    assert "To review, the right answers:" in text
    for n, question in enumerate(asked):
        missed = n in (2, 5, 9)
        assert (f"• Question {question.id}?\n  → Right {question.id}" in text) is missed
    assert "Well done!" in text
    assert chat.choice_labels == ["Another quiz", "A tip now"]
    attempt = await latest(app, chat)
    assert (attempt.status, attempt.score, attempt.level) == ("finished", 7, "primary")
    assert (attempt.member_id, attempt.contest_id) == (None, None)
    assert len(attempt.answers) == 10 and attempt.finished_at is not None
    assert {q.id for q in asked} == set(attempt.question_ids)
    assert await chat.state() == ""


async def test_every_answer_shows_right_or_wrong_with_explanation_and_source(app: App) -> None:
    chat = await student(app)
    await chat.send("/quiz")
    question = await answer(app, chat, right=False)
    assert f"❌ Not quite. The right answer: Right {question.id}" in chat.text
    assert f"Because {question.id}." in chat.text and f"Source: Source {question.id}" in chat.text
    assert "Question 2 of 10" in chat.text
    question = await answer(app, chat, right=True)
    assert "✅ Right!" in chat.text and f"Because {question.id}." in chat.text


async def test_a_perfect_score_and_a_low_score_get_their_words(app: App) -> None:
    chat = await student(app)
    await play(app, chat, right=10)
    assert "You got every question right!" in chat.text and "Excellent!" in chat.text
    await play(app, chat, right=1)
    assert "Your score: 1 of 10" in chat.text and "Every quiz teaches something new" in chat.text


async def test_typing_the_number_or_the_words_answers(app: App) -> None:
    chat = await student(app)
    await chat.send("/quiz")
    question = await current_question(app, chat)
    await chat.send(str(shown_number(chat, question)))  # the number as shown, not in the bank
    assert "✅ Right!" in chat.text
    question = await current_question(app, chat)
    await chat.send(question.right.en.upper())
    assert "✅ Right!" in chat.text and "Question 3 of 10" in chat.text


async def test_free_text_or_help_in_the_middle_asks_the_question_again(app: App) -> None:
    chat = await student(app)
    await chat.send("/quiz")
    question = await current_question(app, chat)
    await chat.send("I don't know")
    assert "Sorry, I didn't understand “I don't know”." in chat.text
    assert f"Question {question.id}?" in chat.text and "For example" not in chat.text
    await chat.send("no idea")
    assert "For example, type A or “" in chat.text, chat.text
    assert f"Question {question.id}?" in chat.text
    await chat.send("/help")
    assert "/quiz — a quiz of 10 questions" in chat.text
    assert f"Question {question.id}?" in chat.text and len(chat.choices) == 3


async def test_each_level_gets_its_bank_and_adults_the_bank_of_their_audience(app: App) -> None:
    pupil = await student(app, "ls", level="Lower secondary")
    await pupil.send("/quiz")
    assert (await latest(app, pupil)).level == "lower_secondary"
    assert all(q.startswith("ls-") for q in (await latest(app, pupil)).question_ids)
    for name, audience, bank in (
        ("res", "Resident", "residents"),
        ("wk", "Civil servant", "officials"),
        ("tv", "Press, radio", "officials"),
        ("tc", "Teacher", "officials"),
    ):
        chat = Chat(app, name)
        await onboard(chat, audience)
        await chat.send("/quiz")
        attempt = await latest(app, chat)
        prefix = PREFIX[bank] + "-"
        assert attempt.level == bank and all(q.startswith(prefix) for q in attempt.question_ids)


def bank_numbers(chat: Chat) -> list[int]:
    """The bank's option numbers that the buttons shown carry, in the order shown."""
    return [int(c.payload.rsplit(":", 1)[1]) for r in chat.replies for c in r.choices]


async def test_options_are_shuffled_per_attempt_and_answers_stay_right(app: App) -> None:
    chat = await student(app)
    await chat.send("/quiz")
    orders: list[list[int]] = []
    right_places: set[int] = set()
    wrong: list[tuple[Question, int]] = []
    for n in range(10):
        question = await current_question(app, chat)
        order = bank_numbers(chat)
        assert sorted(order) == [1, 2, 3]
        await chat.send("what?")  # asked again: the same order
        assert bank_numbers(chat) == order
        orders.append(order)
        right_places.add(shown_number(chat, question))
        if n % 2:
            chosen = next(number for number in order if number != question.answer)
            wrong.append((question, chosen))
            await chat.send_payload(
                next(c.payload for c in chat.choices if c.payload.endswith(f":{chosen}"))
            )
            assert f"Not quite. The right answer: Right {question.id}" in chat.text
        else:
            await chat.send(str(shown_number(chat, question)))
            assert "✅ Right!" in chat.text
    assert any(order != [1, 2, 3] for order in orders), orders  # not the bank's order
    assert len(right_places) > 1
    attempt = await latest(app, chat)
    assert attempt.score == 5
    # The stored answers are the bank's numbers of the options chosen.
    assert [attempt.answers[n] for n in range(1, 10, 2)] == [chosen for _q, chosen in wrong]
    for question, _chosen in wrong:
        assert f"• Question {question.id}?\n  → Right {question.id}" in chat.text

    # Another attempt at the same questions shows them in another order.
    await chat.send("/quiz")
    again = await latest(app, chat)
    async with app.deps.db.transaction() as tx:
        await tx.execute(
            "UPDATE quiz_attempts SET question_ids = ? WHERE id = ?",
            (json.dumps(list(attempt.question_ids)), again.id),
        )
    again = await latest(app, chat)
    shown_again = [
        quiz_flow.option_order(again, q)
        for q in map(app.deps.quizzes.question, again.question_ids)
        if q is not None
    ]
    assert shown_again != orders


async def test_pressing_twice_or_an_old_question_changes_nothing(app: App) -> None:
    chat = await student(app)
    await chat.send("/quiz")
    first = [c.payload for c in chat.choices]
    question = await current_question(app, chat)
    right = shown_number(chat, question) - 1
    await chat.send_payload(first[right])
    assert "✅ Right!" in chat.text
    before = await latest(app, chat)
    second = await current_question(app, chat)
    for payload in (first[right], first[(right + 1) % 3]):
        await chat.send_payload(payload)  # the same button again, another of the old buttons
        assert "That option has expired" in chat.text
        assert f"Question {second.id}?" in chat.text  # asked again, still question 2
        assert await latest(app, chat) == before
    # A payload made up for the current question but a wrong position or option.
    await chat.send_payload(f"qa:{before.id}:0:{question.answer}")
    await chat.send_payload(f"qa:{before.id}:1:9")
    assert await latest(app, chat) == before


async def test_one_answer_per_question_even_without_the_engine_check(app: App) -> None:
    chat = await student(app)
    await chat.send("/quiz")
    snapshot = await latest(app, chat)
    async with app.deps.db.transaction() as tx:
        recorded = await quiz_attempts.record_answer(tx, snapshot, 1, correct=True)
    assert (recorded.answers, recorded.score) == ((1,), 1)
    with pytest.raises(quiz_attempts.AnswerRaced):  # the stale snapshot: rolled back
        async with app.deps.db.transaction() as tx:
            await quiz_attempts.record_answer(tx, snapshot, 2, correct=True)
    after = await latest(app, chat)
    assert (after.answers, after.score) == ((1,), 1)
    assert after == recorded


async def test_a_stale_answer_that_is_still_offered_is_refused_by_the_attempt(
    app: App,
) -> None:
    """Two devices: the buttons of question 1 are offered again, but it was answered."""
    chat = await student(app)
    await chat.send("/quiz")
    payloads = [c.payload for c in chat.choices]
    offered = await app.deps.db.fetch_one(
        "SELECT choices FROM conversations c JOIN users u ON u.id = c.user_id "
        "WHERE u.channel_user_id = 'pupil'"
    )
    assert offered is not None
    await answer(app, chat)
    before = await latest(app, chat)
    async with app.deps.db.transaction() as tx:
        await tx.execute("UPDATE conversations SET choices = ?", (offered[0],))
    await chat.send_payload(payloads[0])
    assert "That answer does not count" in chat.text
    assert await latest(app, chat) == before
    assert "Question 2 of 10" in chat.text


async def test_someone_elses_answer_changes_nothing(app: App) -> None:
    alice = await student(app, "alice")
    bob = await student(app, "bob")
    await alice.send("/quiz")
    await bob.send("/quiz")
    alices = await latest(app, alice)
    bobs = await latest(app, bob)
    for payload in [c.payload for r in alice.replies for c in r.choices]:
        await bob.send_payload(payload)
        assert "That option has expired" in bob.text
    assert await latest(app, alice) == alices and await latest(app, bob) == bobs


async def test_resume_a_quiz_left_half_way(app: App, make_app: AppFactory) -> None:
    chat = await student(app)
    await chat.send("/quiz")
    for _ in range(3):
        await answer(app, chat)
    waiting = await current_question(app, chat)
    await chat.send("/tip")  # leaves the quiz
    await chat.send("/quiz")
    assert "You have an unfinished quiz: 3 of 10 questions answered." in chat.text
    assert "It stays open until" in chat.text
    assert chat.choice_labels == ["Continue it", "Start a new quiz", "Abandon it"]
    await app.close()
    second = await make_app()  # a restart keeps the offer
    restarted = Chat(second, "pupil")
    await restarted.send("1")
    assert "Question 4 of 10" in restarted.text and f"Question {waiting.id}?" in restarted.text
    for _ in range(7):
        await answer(second, restarted)
    assert "Finished! Your score: 10 of 10." in restarted.text
    assert len(await attempts(second, restarted)) == 1


async def test_abandon_or_start_over(app: App) -> None:
    chat = await student(app)
    await chat.send("/quiz")
    await answer(app, chat)
    await chat.send("/quiz")
    await chat.press("Abandon it")
    assert "Quiz abandoned" in chat.text
    assert [a.status for a in await attempts(app, chat)] == ["abandoned"]
    await chat.send("/quiz")
    assert "Question 1 of 10" in chat.text
    await answer(app, chat)
    await chat.send("/quiz")
    await chat.press("Start a new quiz")
    assert "Question 1 of 10" in chat.text
    assert [a.status for a in await attempts(app, chat)] == ["abandoned", "abandoned", "active"]


async def test_an_unfinished_quiz_expires_after_24_hours(app: App, clock: FakeClock) -> None:
    chat = await student(app)
    await chat.send("/quiz")
    await answer(app, chat)
    clock.advance(timedelta(hours=23, minutes=59))
    await chat.send("/quiz")
    assert "You have an unfinished quiz" in chat.text
    clock.advance(timedelta(minutes=2))
    await chat.press("Continue")
    assert "This quiz has expired: an unfinished quiz stays open for 24 hours" in chat.text
    assert [a.status for a in await attempts(app, chat)] == ["expired"]
    await chat.send("/quiz")
    assert "Question 1 of 10" in chat.text
    await answer(app, chat)
    clock.advance(timedelta(hours=25))
    await chat.send("/quiz")
    assert "Your unfinished quiz expired" in chat.text and "Question 1 of 10" in chat.text
    assert [a.status for a in await attempts(app, chat)] == ["expired", "expired", "active"]


async def test_an_answer_after_expiry_does_not_count(app: App, clock: FakeClock) -> None:
    chat = await student(app)
    await chat.send("/quiz")
    await answer(app, chat)
    clock.advance(timedelta(hours=24))
    question = await current_question(app, chat)
    await chat.send(str(shown_number(chat, question)))
    assert "This quiz has expired" in chat.text
    attempt = await latest(app, chat)
    assert (attempt.status, attempt.answers) == ("expired", (attempt.answers[0],))
    assert len(attempt.answers) == 1


async def test_playing_again_draws_new_questions_first(app: App) -> None:
    chat = await student(app)
    first = {q.id for q in await play(app, chat)}
    second = {q.id for q in await play(app, chat)}
    assert len(first) == len(second) == 10 and not first & second
    third = {q.id for q in await play(app, chat)}
    never_seen = {q.id for q in app.deps.quizzes.bank("primary")} - first - second
    assert len(never_seen) == 5 and never_seen <= third
    assert third - never_seen <= first  # then the ones seen longest ago


# --- class quizzes and contests (rows written directly: the classes feature has its own tests)


async def test_a_class_member_plays_for_the_class_at_its_level(app: App) -> None:
    chat = await student(app)  # said "primary" at onboarding
    member = await add_member(app, chat, await make_class(app, name="7A"), number=12)
    await play(app, chat, right=8)
    attempt = await latest(app, chat)
    assert (attempt.member_id, attempt.level, attempt.contest_id) == (
        member,
        "lower_secondary",
        None,
    )
    reached = await app.deps.db.fetch_one(
        "SELECT reached_at FROM class_members WHERE id = ?", (member,)
    )
    assert reached is not None and reached[0] == iso(app.deps.clock.now())


async def test_the_class_quiz_says_it_counts_for_the_class(app: App) -> None:
    chat = await student(app)
    await add_member(app, chat, await make_class(app, name="7B"), number=3)
    await chat.send("/quiz")
    assert "It counts for your class 7B." in chat.text


async def test_a_closed_class_does_not_count(app: App) -> None:
    chat = await student(app)
    await add_member(app, chat, await make_class(app, status="closed"), number=1)
    await chat.send("/quiz")
    attempt = await latest(app, chat)
    assert (attempt.member_id, attempt.level) == (None, "primary")


async def test_a_contest_plays_its_own_questions_once(app: App, clock: FakeClock) -> None:
    class_id = await make_class(app)
    contest_set = [f"ls-q{n:02d}" for n in range(5, 15)]
    contest = await make_contest(app, [class_id], contest_set)
    orders = []
    for number, name in enumerate(("an", "binh"), 1):
        chat = await student(app, name, level="Lower secondary")
        member = await add_member(app, chat, class_id, number)
        await chat.send("/quiz")
        assert "Contest “Tuần lễ không túi ni lông”: 10 questions" in chat.text
        for _ in range(10):
            await answer(app, chat)
        attempt = await latest(app, chat)
        assert (attempt.contest_id, attempt.member_id, attempt.status) == (
            contest,
            member,
            "finished",
        )
        assert sorted(attempt.question_ids) == contest_set
        orders.append(attempt.question_ids)
        assert "Your result counts in the contest" in chat.text
        assert f"“Student {number}”" in chat.text
    assert orders[0] != orders[1]  # the same set, shuffled per attempt

    await chat.press("Yes, show")
    assert "Saved: leaderboards show your score as “Student 2”." in chat.text
    opt_in = await app.deps.db.fetch_all(
        "SELECT number, leaderboard_opt_in FROM class_members ORDER BY number"
    )
    assert [tuple(r) for r in opt_in] == [(1, 0), (2, 1)]  # the first one did not answer

    await chat.send("/quiz")
    assert "You have already taken part in the contest" in chat.text
    practice = await latest(app, chat)
    assert practice.contest_id is None and practice.member_id is not None
    assert len(await attempts(app, chat)) == 2


async def test_the_leaderboard_question_can_be_declined(app: App) -> None:
    class_id = await make_class(app)
    await make_contest(app, [class_id], [f"ls-q{n:02d}" for n in range(1, 11)])
    chat = await student(app, level="Lower secondary")
    member = await add_member(app, chat, class_id, 7)
    await play(app, chat)
    assert chat.choice_labels == ["Yes, show “Student 7”", "No, leave me out"]
    await chat.press("No, leave me out")
    assert "leaderboards will not show you" in chat.text
    row = await app.deps.db.fetch_one(
        "SELECT leaderboard_opt_in FROM class_members WHERE id = ?", (member,)
    )
    assert row is not None and row[0] == 0


async def test_a_contest_quiz_ends_with_the_contest(app: App, clock: FakeClock) -> None:
    class_id = await make_class(app)
    await make_contest(app, [class_id], [f"ls-q{n:02d}" for n in range(1, 11)], hours=2)
    chat = await student(app, level="Lower secondary")
    await add_member(app, chat, class_id, 1)
    await chat.send("/quiz")
    assert (await latest(app, chat)).expires_at == iso(clock.now() + timedelta(hours=2))
    await answer(app, chat)
    await chat.send("/quiz")
    assert "This is a contest quiz: it cannot be started again." in chat.text
    assert chat.choice_labels == ["Continue it", "Give up the contest"]
    clock.advance(timedelta(hours=2))
    await chat.press("Continue")
    assert "This quiz has expired" in chat.text
    await chat.send("/quiz")  # the contest is over: a practice quiz
    attempt = await latest(app, chat)
    assert attempt.contest_id is None and attempt.status == "active"


async def test_a_contest_of_another_class_or_not_started_is_not_played(app: App) -> None:
    mine, other = await make_class(app, name="7A"), await make_class(app, name="7C")
    await make_contest(app, [other], [f"ls-q{n:02d}" for n in range(1, 11)])
    later = app.deps.clock.now() + timedelta(days=1)
    await make_contest(app, [mine], [f"ls-q{n:02d}" for n in range(1, 11)], starts=later)
    chat = await student(app, level="Lower secondary")
    await add_member(app, chat, mine, 1)
    await chat.send("/quiz")
    assert (await latest(app, chat)).contest_id is None


async def test_vietnamese_student_sees_vietnamese(app: App) -> None:
    chat = Chat(app, "hs", hint=None)
    await onboard_vi(chat)
    class_id = await make_class(app)
    await make_contest(app, [class_id], [f"ls-q{n:02d}" for n in range(1, 11)])
    await add_member(app, chat, class_id, 12)
    await chat.send("/quiz")
    assert "Cuộc thi" in chat.text and "Câu hỏi 1/10" in chat.text, chat.text
    for _ in range(10):
        question = await current_question(app, chat)
        await chat.send(str(shown_number(chat, question)))
        assert f"✅ Đúng rồi!\nVì {question.id}.\nNguồn: Nguồn {question.id}" in chat.text
    assert "“Học sinh 12”" in chat.text


async def onboard_vi(chat: Chat) -> None:
    await chat.send("/start")
    await chat.press("Tôi đồng ý")
    await chat.press("Học sinh")
    await chat.press("Trung học cơ sở")
    await chat.press("11 đến 14")
    await chat.press("Có, bố mẹ hoặc người giám hộ đã đồng ý")
    await chat.send("dong kinh")


async def test_guests_cannot_play_and_the_menu_offers_another_quiz(app: App) -> None:
    guest = Chat(app, "stranger")
    await guest.send("/quiz")
    assert "Please send /start and finish the first steps before using /quiz." in guest.text
    chat = await student(app)
    await play(app, chat)
    await chat.press("Another quiz")
    assert "Question 1 of 10" in chat.text
    assert len(await attempts(app, chat)) == 2


async def test_a_question_removed_from_the_bank_is_skipped(app: App) -> None:
    chat = await student(app)
    await chat.send("/quiz")
    attempt = await latest(app, chat)
    gone = attempt.question_ids[1]
    del app.deps.quizzes._by_id[gone]
    await answer(app, chat)
    assert "Question 3 of 10" in chat.text
    assert (await latest(app, chat)).answers[1] == 0


async def trained(app: App) -> dict[tuple[str, str, str], int]:
    rows = await app.deps.db.fetch_all(
        "SELECT period, commune_code, audience, value FROM counters WHERE metric = 'trained'"
    )
    return {(r[0], r[1], r[2]): r[3] for r in rows}


async def test_press_or_radio_staff_finishing_the_officials_quiz_count_as_trained(
    app: App,
) -> None:
    reporter = Chat(app, "tv")
    await onboard(reporter, "Press, radio")
    await reporter.send("/quiz")
    for _ in range(9):
        await answer(app, reporter)
    assert await trained(app) == {}  # nine answers are not a finished quiz
    await answer(app, reporter)
    assert await trained(app) == {("2026-2027", "05977", "media"): 1}
    await play(app, reporter)  # a second quiz in the same school year counts once
    assert await trained(app) == {("2026-2027", "05977", "media"): 1}
    clerk = Chat(app, "clerk")
    await onboard(clerk, "Civil servant")
    await play(app, clerk)  # officials' bank, but not press or radio
    assert (await latest(app, clerk)).level == "officials"
    assert await trained(app) == {("2026-2027", "05977", "media"): 1}
