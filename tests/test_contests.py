"""Contests: opened by a teacher or an education officer, results and leaderboards after the end."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from bot.app import App
from bot.content.model import Localized
from bot.content.quizzes import Question, QuizBanks
from bot.core.clock import LOCAL_TZ, FakeClock, iso
from bot.storage import contests
from tests.builders import (
    add_school,
    finish_quiz,
    make_officer,
    make_student,
    make_teacher,
    open_class,
)
from tests.harness import Chat, RecordingSender
from tests.harness_db import data, member_id, rows

TODAY_17H = datetime(2026, 11, 30, 17, 0, tzinfo=LOCAL_TZ)


def question(level: str, number: int) -> Question:
    text = Localized(f"Câu {number}?", f"Question {number}?")
    options = (Localized("Có", "Yes"), Localized("Không", "No"))
    source = Localized("Luật BVMT 2020", "LEP 2020")
    return Question(f"{level[:2]}-q-{number}", level, "harm", text, options, 1, text, source)


@pytest.fixture(autouse=True)
def bank(app: App) -> QuizBanks:
    """A small bank of 15 lower-secondary questions (and none for other levels)."""
    app.deps.quizzes = QuizBanks(
        {"lower_secondary": tuple(question("lower_secondary", n) for n in range(1, 16))}
    )
    return app.deps.quizzes


async def open_contest(
    chat: Chat,
    picks: list[str],
    *,
    name: str = "Trường học không rác thải nhựa",
    ends: str = "17:00",
) -> None:
    await chat.send("/newcontest")
    assert "The contest's name?" in chat.text, chat.text
    await chat.send(name)
    await chat.press("Lower secondary")
    for pick in picks:
        await chat.press(pick)
    await chat.press("Done")
    assert "When does it start?" in chat.text, chat.text
    await chat.press("Now")
    await chat.send(ends)
    assert "Open the contest" in chat.text, chat.text
    await chat.press("Open the contest")


async def test_a_teacher_opens_a_contest_for_their_classes(app: App) -> None:
    school = await add_school(app)
    teacher = await make_teacher(app, "co_lan", school)
    await open_class(teacher, "7A")
    await open_class(teacher, "7B")
    await open_class(teacher, "3A", level="Primary")
    await teacher.send("/newcontest")
    await teacher.send("Thi tìm hiểu rác thải nhựa")
    assert teacher.choice_labels == ["Primary school", "Lower secondary school"]
    await teacher.press("Lower secondary")
    assert teacher.choice_labels[:2] == ["7B", "7A"]  # the latest first; 3A is another level
    await teacher.press("Done")
    assert "Please pick at least one." in teacher.text
    await teacher.press("7A")
    assert "✓ 7A" in teacher.choice_labels and "Picked: 1" in teacher.text
    await teacher.press("7B")
    await teacher.press("✓ 7B")  # picking again removes it
    assert "Picked: 1" in teacher.text
    await teacher.press("Done")
    await teacher.send("31/11/2026 08:00")
    assert "Please give a date and time from now" in teacher.text
    await teacher.press("Now")
    await teacher.send("07:00")  # before the start
    assert "Please give a time after the start" in teacher.text
    await teacher.send("31/12/2026 17:00")  # more than 30 days
    assert "at most 30 days later" in teacher.text
    await teacher.send("17:00")
    assert "Open the contest “Thi tìm hiểu rác thải nhựa” (Lower secondary school) for 1 class" in (
        teacher.text
    )
    await teacher.press("Open the contest")
    assert "The contest “Thi tìm hiểu rác thải nhựa” is open for 1 class" in teacher.text
    assert "the contest's 10 questions" in teacher.text
    [contest] = await rows(app, "SELECT * FROM contests")
    ids = json.loads(contest["question_ids"])
    assert len(ids) == len(set(ids)) == 10
    assert set(ids) <= {q.id for q in app.deps.quizzes.bank("lower_secondary")}
    assert (contest["level"], contest["activity_type"], contest["school_year"]) == (
        "lower_secondary",
        "contest",
        "2026-2027",
    )
    assert contest["starts_at"] == iso(app.deps.clock.now())
    assert contest["ends_at"] == iso(TODAY_17H)
    [taking_part] = await rows(
        app, "SELECT c.name FROM contest_classes cc JOIN classes c ON c.id = cc.class_id"
    )
    assert taking_part[0] == "7A"
    async with app.deps.db.transaction() as tx:
        running = await contests.running_for_class(tx, 1, iso(app.deps.clock.now()))
    assert running is not None and running.question_ids == tuple(ids)


async def test_an_education_officer_opens_a_contest_across_schools(app: App) -> None:
    dong_kinh = await add_school(app)
    viet_bac = await add_school(app, "Trường THCS Việt Bắc")
    await add_school(app, "Trường THCS Không Lớp")  # no class: not offered
    first = await make_teacher(app, "co_lan", dong_kinh)
    await open_class(first, "7A")
    await open_class(first, "8A")
    second = await make_teacher(app, "thay_nam", viet_bac)
    await open_class(second, "9C")
    officer = await make_officer(app, "so")
    await officer.send("/newcontest")
    await officer.send("Cuộc thi cấp tỉnh")
    await officer.press("Lower secondary")
    assert "Which schools take part?" in officer.text
    assert officer.choice_labels[:2] == ["Trường THCS Đông Kinh", "Trường THCS Việt Bắc"]
    assert "Trường THCS Không Lớp" not in officer.choice_labels
    await officer.send("dong kinh")  # typing narrows the list
    assert officer.choice_labels[0] == "Trường THCS Đông Kinh"
    assert "Trường THCS Việt Bắc" not in officer.choice_labels
    await officer.press("All of these")
    await officer.press("Done")
    await officer.press("Now")
    await officer.send("30/11/2026 17:00")
    assert "for 2 classes" in officer.text
    await officer.press("Open the contest")
    names = await rows(
        app, "SELECT c.name FROM contest_classes cc JOIN classes c ON c.id = cc.class_id"
    )
    assert sorted(r[0] for r in names) == ["7A", "8A"]


async def test_a_class_is_in_one_contest_at_a_time(app: App) -> None:
    school = await add_school(app)
    teacher = await make_teacher(app, "co_lan", school)
    await open_class(teacher, "7A")
    await open_contest(teacher, ["7A"])
    before = await data(app)
    await teacher.send("/newcontest")
    await teacher.send("Second")
    await teacher.press("Lower secondary")
    await teacher.press("7A")
    await teacher.press("Done")
    await teacher.press("Now")
    await teacher.send("12:00")
    await teacher.press("Open the contest")
    assert "These classes are in another contest at that time: 7A" in teacher.text
    assert "When does it start?" in teacher.text
    assert await data(app) == before
    await teacher.send("30/11/2026 17:00")  # right when the first one ends
    await teacher.send("30/11/2026 18:00")
    await teacher.press("Open the contest")
    assert len(await rows(app, "SELECT * FROM contests")) == 2


async def test_no_contest_without_questions_for_the_level(app: App, bank: QuizBanks) -> None:
    app.deps.quizzes = QuizBanks({})
    school = await add_school(app)
    teacher = await make_teacher(app, "co_lan", school)
    await open_class(teacher, "7A")
    await open_contest(teacher, ["7A"])
    assert "the quiz bank for this level is not ready yet" in teacher.text
    assert await rows(app, "SELECT * FROM contests") == []
    assert bank.size == 15


async def test_who_may_open_contests(app: App) -> None:
    school = await add_school(app)
    teacher = await make_teacher(app, "co_lan", school)
    code = await open_class(teacher)
    student = await make_student(app, "hs", code)
    press = await make_officer(app, "bao", agency="Báo Lạng Sơn")
    commune = await make_officer(app, "xa", agency="UBND xã", commune="Đông Kinh")
    no_class = await make_teacher(app, "thay_nam", school)
    before = await data(app)
    await student.send("/newcontest")
    assert "Sorry, /newcontest is not available to you." in student.text
    for officer in (press, commune):
        await officer.send("/newcontest")
        assert "Contests are opened by teachers for their classes" in officer.text
    await no_class.send("/newcontest")
    assert "You have no open class" in no_class.text
    assert await data(app) == before


async def contest_with_results(app: App) -> tuple[Chat, list[Chat], Chat]:
    """7A (3 students: 9 shown, 7 not shown, did not play) and 7B (10 shown, 4) of one school
    (and 9C of another school), in one contest until 17:00 today."""
    school = await add_school(app)
    teacher = await make_teacher(app, "co_lan", school)
    a = await open_class(teacher, "7A")
    b = await open_class(teacher, "7B")
    other_school = await add_school(app, "Trường THCS Việt Bắc")
    other = await make_teacher(app, "thay_nam", other_school)
    await open_class(other, "9C")
    officer = await make_officer(app, "so")
    await officer.send("/newcontest")
    await officer.send("Cuộc thi tháng 11")
    await officer.press("Lower secondary")
    await officer.press("All of these")
    await officer.press("Done")
    await officer.press("Now")
    await officer.send("17:00")
    await officer.press("Open the contest")
    [contest] = await rows(app, "SELECT id FROM contests")
    students = [
        await make_student(app, "a1", a),
        await make_student(app, "a2", a),
        await make_student(app, "a3", a),
        await make_student(app, "b1", b),
        await make_student(app, "b2", b),
    ]
    for chat, score, shown in zip(students, (9, 7, None, 10, 4), (1, 0, 0, 1, 0), strict=True):
        if score is not None:
            await finish_quiz(app, chat, score, contest_id=contest[0])
        member = await member_id(app, chat)
        async with app.deps.db.transaction() as tx:
            await tx.execute(
                "UPDATE class_members SET leaderboard_opt_in = ? WHERE id = ?", (shown, member)
            )
    return teacher, students, officer


async def test_results_leaderboards_and_who_took_part(
    app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    teacher, students, officer = await contest_with_results(app)
    await officer.send("/contests")
    assert "• Cuộc thi tháng 11 · Lower secondary school · running until" in officer.text
    await officer.press("Cuộc thi tháng 11")
    text = officer.text
    assert "Classes taking part: 3, of which 2 played." in text
    assert "• 7A, Trường THCS Đông Kinh: 2 of 3 students took part" in text
    assert "• 9C, Trường THCS Việt Bắc: 0 of 0 students took part" in text
    assert "The leaderboard comes when the contest ends." in text
    await app.outbox.run_jobs()
    assert sender.sent == []  # no result before the end

    clock.set(TODAY_17H + timedelta(minutes=1))
    await app.outbox.run_jobs()
    await app.outbox.deliver_due()
    first = sender.to("a1")
    assert len(first) == 1
    assert "🏆 The contest “Cuộc thi tháng 11” has ended." in first[0]
    assert "Your score: 9 of 10." in first[0]
    assert "Your class came 1 of 2 (average 8)." in first[0]
    assert "Your class came 2 of 2 (average 7)." in sender.to("b2")[0]
    assert sender.to("a3") == []  # did not play: nothing to tell
    assert sender.to(teacher.name) == []
    await app.outbox.run_jobs()  # again, or after a restart: nobody gets it twice
    await app.outbox.deliver_due()
    assert len(sender.to("a1")) == 1
    assert len(await rows(app, "SELECT * FROM deliveries WHERE kind = 'contest_result'")) == 4

    await teacher.send("/contests")
    await teacher.press("Cuộc thi tháng 11")
    text = teacher.text
    assert "By class (average of best scores):" in text
    # Two children per class: a class average would be (nearly) their own scores.
    assert "• 7A, Trường THCS Đông Kinh: 2 took part (a score is shown from 3 on)" in text
    assert "• 7B, Trường THCS Đông Kinh: 2 took part" in text
    assert ": 8 (2 took part)" not in text
    assert "By school:\n1. Trường THCS Đông Kinh: 7.5 (4 took part)" in text
    assert "Việt Bắc: " not in text.split("By school:")[1]  # nobody played there
    assert "1. Student 1 (7B): 10\n2. Student 1 (7A): 9" in text
    assert "Student 2 (7A)" not in text  # scored 7 but did not agree to be shown

    student = students[0]
    await student.send("/contests")
    await student.press("Cuộc thi tháng 11")
    assert "Your score: 9 of 10." in student.text
    assert "Classes taking part" not in student.text  # staff only


async def test_leaving_takes_a_student_off_the_leaderboard_not_out_of_the_average(
    app: App, clock: FakeClock
) -> None:
    teacher, students, _officer = await contest_with_results(app)
    clock.set(TODAY_17H + timedelta(minutes=1))
    await students[3].send("/deleteme")  # b1, 10 points, was shown
    await students[3].press("Yes, erase my data")
    await teacher.send("/contests")
    await teacher.press("Cuộc thi tháng 11")
    assert "• 7B, Trường THCS Đông Kinh: 2 took part" in teacher.text  # still counted
    assert "1. Student 1 (7A): 9" in teacher.text and "(7B): 10" not in teacher.text


async def test_contests_count_as_school_activities(app: App) -> None:
    _teacher, _students, officer = await contest_with_results(app)
    # One more contest inside one school: it counts for that school too.
    school = await add_school(app, "Trường THCS Tân Đoàn", "06316")
    teacher = await make_teacher(app, "co_hoa", school)
    await open_class(teacher, "6A", activity="No activity")
    await open_contest(teacher, ["6A"])
    await officer.send("/classstats")
    text = officer.text
    # 7A, 7B, 9C are rallies (3) + the contest across two schools of Đông Kinh + Tân Đoàn's.
    assert "lessons): 5; the plan asks 5 to 10 a year." in text
    assert "• Phường Đông Kinh: 3 classes · reached 4 of 886 (0.5%) · activities 4" in text
    # The schools: one commune at a time (the province's are in its file).
    await officer.send("/classstats dong kinh")
    text = officer.text
    assert "  – Trường THCS Đông Kinh: 2 classes · reached 4 of 443 (0.9%) · activities 2" in text
    await officer.send("/classstats tan doan")
    text = officer.text
    assert "  – Trường THCS Tân Đoàn: 1 class · reached 0 of 443 (0%) · activities 1" in text
