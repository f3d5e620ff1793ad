"""Class campaigns: /newclass, /join, /myclasses, and the officers' /classstats figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.app import App
from bot.core.clock import LOCAL_TZ, FakeClock
from tests.builders import (
    DONG_KINH,
    add_school,
    finish_quiz,
    join,
    make_officer,
    make_student,
    make_teacher,
    open_class,
    school_and_teacher,
)
from tests.harness import Chat, onboard
from tests.harness_db import data, rows, user_id

WRONG_CODE = "This class code does not work: please check it with your teacher"


# --- /newclass ------------------------------------------------------------------------------


async def test_a_teacher_opens_a_class_and_gets_a_join_code(app: App) -> None:
    _school, teacher = await school_and_teacher(app)
    await teacher.send("/newclass")
    assert "Has your school collected it for this class?" in teacher.text
    await teacher.press("Yes, the school collected it")
    assert "The class's name?" in teacher.text
    await teacher.send("7A")
    await teacher.press("Lower secondary")
    assert "How many students are enrolled in the class? (1 to 100)" in teacher.text
    await teacher.send("32")
    await teacher.press("Launch programme")
    await teacher.press("Today")
    await teacher.send("20/12/2026")
    assert "Class 7A is open. Its join code is" in teacher.text
    assert "t.me" not in teacher.text  # no bot username configured
    [cls] = await rows(app, "SELECT * FROM classes")
    assert (cls["name"], cls["level"], cls["enrolled"], cls["activity_type"]) == (
        "7A",
        "lower_secondary",
        32,
        "launch",
    )
    assert (cls["starts_on"], cls["ends_on"], cls["school_year"]) == (
        "2026-11-30",
        "2026-12-20",
        "2026-2027",
    )
    assert cls["consent_collected"] == 1 and cls["status"] == "open"
    assert len(cls["join_code"]) == 6 and f"/join {cls['join_code']}" in teacher.text
    assert cls["teacher_id"] == await user_id(teacher)


async def test_a_telegram_join_link_when_the_bot_username_is_set(app: App) -> None:
    app.deps.settings = replace(app.deps.settings, telegram_bot_username="LangSonNhuaBot")
    _school, teacher = await school_and_teacher(app)
    code = await open_class(teacher)
    assert f"https://t.me/LangSonNhuaBot?start={code}" in teacher.text


async def test_no_class_without_the_parents_consent(app: App) -> None:
    _school, teacher = await school_and_teacher(app)
    await teacher.send("/newclass")
    await teacher.press("Not yet")
    assert "Nothing was created." in teacher.text
    assert await rows(app, "SELECT * FROM classes") == []


async def test_impossible_class_sizes_and_dates_are_refused(app: App) -> None:
    _school, teacher = await school_and_teacher(app)
    await teacher.send("/newclass")
    await teacher.press("Yes")
    await teacher.send("7A")
    await teacher.press("Lower secondary")
    for typed in ("0", "100000", "101", "-3", "thirty"):
        await teacher.send(typed)
        assert "a class has from 1 to 100 students" in teacher.text, typed
        assert await teacher.state() == "classes.enrolled"
    await teacher.send("30 em")  # a number inside words
    await teacher.press("No activity")
    for typed in ("31/2/2026", "someday", "1/1/2030"):
        await teacher.send(typed)
        assert "Please give a date as day/month/year" in teacher.text, typed
    await teacher.send("1/12/2026")
    await teacher.send("30/11/2026")  # before the start
    assert "Please give a date from December 1, 2026 to a year later" in teacher.text
    assert await rows(app, "SELECT * FROM classes") == []
    await teacher.send("2026-12-15")
    [cls] = await rows(app, "SELECT activity_type, ends_on FROM classes")
    assert tuple(cls) == (None, "2026-12-15")


# --- /join ----------------------------------------------------------------------------------


async def test_students_join_and_get_pseudonyms(app: App) -> None:
    _school, teacher = await school_and_teacher(app)
    code = await open_class(teacher)
    first = await make_student(app, "hs1")
    await first.send(f"/join {code.lower()}")
    assert "Class 7A of Trường THCS Đông Kinh. Before you join" in first.text
    await first.press("Yes, they agreed")
    assert "Welcome to class 7A! Here you are “Student 1”" in first.text
    await first.send("Minh")
    assert "Saved: your teacher sees “Minh”." in first.text
    assert "Send /quiz to play" in first.text
    second = await make_student(app, "hs2", code)
    assert "Send /quiz to play" in second.text
    members = await rows(app, "SELECT user_id, number, nickname FROM class_members ORDER BY number")
    assert [tuple(r) for r in members] == [
        (await user_id(first), 1, "Minh"),
        (await user_id(second), 2, None),
    ]


async def test_a_resident_who_joins_becomes_a_student(app: App) -> None:
    _school, teacher = await school_and_teacher(app)
    code = await open_class(teacher)
    chat = Chat(app, "em")
    await onboard(chat)  # said "resident" at the start
    await join(chat, code)
    row = await chat.row()
    assert row is not None and (row["audience"], row["school_level"]) == (
        "student",
        "lower_secondary",
    )


async def test_a_newcomer_joins_with_start_code(app: App) -> None:
    _school, teacher = await school_and_teacher(app)
    code = await open_class(teacher)
    chat = Chat(app, "new")
    await chat.send(f"/start {code}")
    assert "Do you agree?" in chat.text  # consent to the bot comes first
    await chat.press("I agree")
    assert "Before you join: has your parent or guardian agreed" in chat.text
    await chat.press("Yes, they agreed")
    assert "“Student 1”" in chat.text
    await chat.press("Skip")
    assert "How old are you?" in chat.text  # level and commune come from the class
    await chat.press("11 to 14")
    assert "You're all set" in chat.text
    row = await chat.row()
    assert row is not None and row["onboarded_at"] is not None
    assert (row["audience"], row["school_level"], row["age_band"], row["commune_code"]) == (
        "student",
        "lower_secondary",
        "11-14",
        DONG_KINH,
    )
    assert len(await rows(app, "SELECT * FROM class_members")) == 1


async def test_a_newcomer_whose_parents_have_not_agreed_yet(app: App) -> None:
    _school, teacher = await school_and_teacher(app)
    code = await open_class(teacher)
    chat = Chat(app, "new")
    await chat.send(f"/join {code}")
    await chat.press("I agree")
    await chat.press("Not yet")
    assert f"please ask them first, then send /join {code} again" in chat.text
    assert "Who are you?" in chat.text  # the first steps go on as usual
    assert await rows(app, "SELECT * FROM class_members") == []


async def test_codes_that_do_not_work_change_nothing(app: App, clock: FakeClock) -> None:
    _school, teacher = await school_and_teacher(app)
    code = await open_class(teacher, "7A", enrolled="1")
    other = await open_class(teacher, "7B", ends="15/12/2026")
    closed = await open_class(teacher, "7C")
    await teacher.send("/myclasses")
    await teacher.press("Manage 7C")
    await teacher.press("Close the class")
    await teacher.press("Yes, close it")
    student = await make_student(app, "hs1", code)
    late = await make_student(app, "hs2")
    cases = [
        (late, "/join ZZZZZZ", WRONG_CODE),
        (late, "/join 12", WRONG_CODE),
        (late, "/join DROP TABLE classes", WRONG_CODE),
        (late, f"/join {closed}", "This class is closed: it does not take new students."),
        (late, f"/join {code}", "Class 7A is full (1 students)."),
        (student, f"/join {code}", "You are in class 7A already, as “Student 1”."),
        (student, f"/join {other}", "You are in class 7A already: a student is in one class"),
        (student, f"/start {other}", "You are in class 7A already: a student is in one class"),
        (teacher, f"/join {other}", "Sorry, /join is not available to you."),
        (teacher, f"/start {other}", "teachers and officers do not join classes"),
    ]
    before = await data(app)
    for chat, typed, answer in cases:
        await chat.send(typed)
        assert answer in chat.text, (typed, chat.text)
        assert await data(app) == before, typed
    clock.set(datetime(2026, 12, 16, 9, 0, tzinfo=LOCAL_TZ))  # the day after 7B ended
    await late.send(f"/join {other}")
    assert "This code has expired: the class's campaign ended on December 15, 2026." in late.text
    assert "7B" not in late.text and "7C" not in "\n".join(r.text for r in late.replies)
    assert await data(app) == before


async def test_workers_and_the_press_are_told_that_only_students_join(app: App) -> None:
    _school, teacher = await school_and_teacher(app)
    code = await open_class(teacher)
    worker, press = Chat(app, "cong_chuc"), Chat(app, "phong_vien")
    await onboard(worker, "Civil servant")
    await onboard(press, "Press, radio")
    before = await data(app)
    for chat in (worker, press):
        for typed in (f"/start {code}", f"/redeem {code}"):
            await chat.send(typed)
            assert "Class codes are for students: only students join classes." in chat.text
            assert "teachers and officers" not in chat.text
            assert "“Who I am” in /settings" in chat.text
        await chat.send(f"/join {code}")
        assert "Sorry, /join is not available to you." in chat.text
    assert await data(app) == before
    await worker.send("/settings")  # as the answer says: they say they are a student
    await worker.press("Who I am")
    await worker.press("Student")
    await worker.press("Lower secondary")
    await worker.press("11 to 14")
    await join(worker, code)


async def test_students_cannot_use_teacher_commands(app: App) -> None:
    _school, teacher = await school_and_teacher(app)
    code = await open_class(teacher)
    student = await make_student(app, "hs1", code)
    before = await data(app)
    for command in ("newclass", "myclasses", "approvals", "addschool", "classstats", "newcontest"):
        await student.send(f"/{command}")
        assert f"Sorry, /{command} is not available to you." in student.text
    await student.send_payload("mcls:1")  # a button from someone else's /myclasses
    assert "That option has expired" in student.text
    assert await data(app) == before


# --- /myclasses -----------------------------------------------------------------------------


async def class_of_three(app: App) -> tuple[Chat, list[Chat]]:
    """7A with 30 enrolled: hs1 (best 10), hs2 (7) finished quizzes; hs3 ("Nam") has not."""
    _school, teacher = await school_and_teacher(app)
    code = await open_class(teacher)
    students = [
        await make_student(app, "hs1", code),
        await make_student(app, "hs2", code),
        await make_student(app, "hs3", code, nickname="Nam"),
    ]
    await finish_quiz(app, students[0], 6)
    await finish_quiz(app, students[0], 10)
    await finish_quiz(app, students[1], 7)
    return teacher, students


async def test_myclasses_shows_the_figures_and_who_has_not_finished(app: App) -> None:
    teacher, _students = await class_of_three(app)
    await teacher.send("/myclasses")
    text = teacher.text
    assert "• 7A · Lower secondary school · Trường THCS Đông Kinh" in text
    assert "Joined: 3 · finished a quiz: 2 · average score: 8.5/10" in text
    assert "Reached: 2 of 30 enrolled (6.7%)" in text
    assert "Not finished a quiz yet: Student 3 (Nam)" in text
    assert "Activity: Rally" in text


async def test_the_figures_survive_deleteme(app: App) -> None:
    teacher, students = await class_of_three(app)
    for leaving in (students[0], students[2]):
        await leaving.send("/deleteme")
        await leaving.press("Yes, erase my data")
        assert "I erased everything about you" in leaving.text
    await teacher.send("/myclasses")
    assert "Joined: 3 · finished a quiz: 2 · average score: 8.5/10" in teacher.text
    assert "Reached: 2 of 30 enrolled (6.7%)" in teacher.text
    assert "Not finished a quiz yet" not in teacher.text  # hs3 left: nobody to encourage
    assert await rows(app, "SELECT * FROM class_members WHERE nickname IS NOT NULL") == []

    officer = await make_officer(app, "so")
    await teacher.send("/deleteme")
    await teacher.press("Yes, erase my data")
    assert "Your open class is closed: its join code no longer works" in teacher.text
    [cls] = await rows(app, "SELECT teacher_id, status FROM classes")
    assert tuple(cls) == (None, "closed")  # nobody is left to manage it
    await officer.send("/classstats")
    assert "Classes: 1 · students joined: 3 · reached 2 of 443 (0.5%)" in officer.text
    assert "School activities (rallies, contests, launches, lessons): 1;" in officer.text


async def test_a_teachers_deleteme_closes_their_open_classes(app: App) -> None:
    school, teacher = await school_and_teacher(app)
    code = await open_class(teacher, "7A")
    await open_class(teacher, "7B")
    await teacher.send("/myclasses")
    await teacher.press("Manage 7B")
    await teacher.press("Close the class")
    await teacher.press("Yes, close it")
    other = await make_teacher(app, "thay_nam", school)
    kept = await open_class(other, "8A")
    student = await make_student(app, "hs1", code)
    await finish_quiz(app, student, 7)
    await teacher.send("/deleteme")
    await teacher.press("Yes, erase my data")
    assert "Your open class is closed" in teacher.text
    left = await rows(app, "SELECT name, teacher_id IS NULL, status FROM classes ORDER BY id")
    assert [tuple(r) for r in left] == [("7A", 1, "closed"), ("7B", 1, "closed"), ("8A", 0, "open")]
    await student.send("/quiz")  # no longer plays for 7A
    assert "It counts for your class" not in student.text
    late = await make_student(app, "hs2")
    await late.send(f"/join {code}")
    assert "This class is closed: it does not take new students." in late.text
    await join(late, kept)  # another teacher's class is untouched
    officer = await make_officer(app, "so")
    await officer.send("/classstats")
    assert "Classes: 3 · students joined: 2 · reached 1 of 443" in officer.text


async def test_a_teacher_changes_the_numbers_and_closes_a_class(app: App) -> None:
    teacher, _students = await class_of_three(app)
    await teacher.send("/myclasses")
    await teacher.press("Manage 7A")
    await teacher.press("The number enrolled")
    await teacher.send("2")
    assert "3 students have joined 7A already" in teacher.text
    await teacher.send("25")
    assert "Saved: 7A has 25 students enrolled." in teacher.text
    await teacher.send("/myclasses")
    await teacher.press("Manage 7A")
    await teacher.press("The end date")
    await teacher.send("24/12/2026")
    assert "Saved: 7A is open until December 24, 2026." in teacher.text
    await teacher.send("/myclasses")
    assert "Reached: 2 of 25 enrolled (8%)" in teacher.text
    await teacher.press("Manage 7A")
    await teacher.press("Close the class")
    await teacher.press("No")
    assert "7A stays open" in teacher.text
    await teacher.send("/myclasses")
    await teacher.press("Manage 7A")
    await teacher.press("Close the class")
    await teacher.press("Yes, close it")
    assert "7A is closed" in teacher.text
    await teacher.send("/myclasses")
    assert "(closed)" in teacher.text and "Manage 7A" not in teacher.choice_labels
    [cls] = await rows(app, "SELECT enrolled, ends_on, status FROM classes")
    assert tuple(cls) == (25, "2026-12-24", "closed")


async def test_another_teachers_class_cannot_be_managed(app: App) -> None:
    school, teacher = await school_and_teacher(app)
    await open_class(teacher)
    other = await make_teacher(app, "thay_nam", school)
    await other.send("/myclasses")
    assert "You have no class yet." in other.text
    before = await data(app)
    await other.send_payload("mcls:1")
    assert "That option has expired" in other.text
    assert await data(app) == before


# --- /classstats: the counting rules --------------------------------------------------------


async def test_school_and_commune_reach_come_from_enrolment(app: App) -> None:
    teacher, _students = await class_of_three(app)  # 2 reached in a school of 443
    await add_school(app, "Trường THPT Việt Bắc", level="upper_secondary", enrolment={"10": 557})
    await add_school(app, "Trường Tiểu học Tân Đoàn", "06316", "primary", {"1": 50})
    await open_class(teacher, "7B", activity="No activity")
    officer = await make_officer(app, "so")
    await officer.send("/classstats")
    text = officer.text
    assert "Class campaigns in the school year 2026-2027: the whole province" in text
    assert "Schools on the list: 3, with 1,050 students enrolled." in text
    assert "Classes: 2 · students joined: 3 · reached 2 of 1,050 (0.2%)" in text
    assert "The plan's target: 90% of students." in text
    assert "School activities (rallies, contests, launches, lessons): 1; the plan asks 5 to 10" in (
        text
    )
    assert "• Thành phố Lạng Sơn: 2 classes · reached 2 of 1,000 (0.2%) · activities 1" in text
    assert "• Phường Đông Kinh: 2 classes · reached 2 of 1,000 (0.2%) · activities 1" in text
    assert "Trường THCS" not in text  # the province's schools are in the file
    assert "Communes with schools but no class campaign this year: 1." in text
    # The province's file has every school, read from the figures kept per school and year.
    sheet = next(r.document for r in officer.replies if r.document is not None)
    assert sheet.filename == "schools-2026-2027.csv"
    lines = sheet.data.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "School year,Former district,Commune or ward,School,School level,Classes,Enrolled,"
        "Joined,Reached,Reached (%),School activities"
    )
    assert (
        "2026-2027,Thành phố Lạng Sơn,Phường Đông Kinh,Trường THCS Đông Kinh,"
        "Lower secondary school,2,443,3,2,0.5,1" in lines
    )
    assert len(lines) == 4  # three schools
    # Every class of one commune, by its name typed without accents.
    await officer.send("/classstats dong kinh 2026-2027")
    assert "Class campaigns in the school year 2026-2027: Phường Đông Kinh" in officer.text
    text = officer.text
    assert "  – Trường THCS Đông Kinh: 2 classes · reached 2 of 443 (0.5%) · activities 1" in text
    assert "Việt Bắc" not in text  # no campaign there, but its students count in the commune
    sheet = next(r.document for r in officer.replies if r.document is not None)
    assert sheet.filename == "classes-2026-2027.csv"
    lines = sheet.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("School year,Former district,Commune or ward,School,Class,")
    assert "Trường THCS Đông Kinh,7A,Lower secondary school,Rally,open,30,3,2,6.7,8.5" in lines[1]
    await officer.send("/classstats Nowhere")
    assert "I found no commune or ward named “Nowhere”" in officer.text


async def test_a_commune_officer_sees_their_commune_and_its_classes(app: App) -> None:
    await class_of_three(app)
    tan_doan = await add_school(app, "Trường THCS Tân Đoàn", "06316")
    other = await make_teacher(app, "thay_nam", tan_doan)
    await open_class(other, "8A", activity="Contest")
    officer = await make_officer(app, "xa", agency="UBND xã", commune="Đông Kinh")
    await officer.send("/classstats")
    text = officer.text
    assert "school year 2026-2027: Phường Đông Kinh (formerly Thành phố Lạng Sơn)" in text
    assert "Classes: 1 · students joined: 3 · reached 2 of 443 (0.5%)" in text
    assert "School activities (rallies, contests, launches, lessons): 1." in text
    assert "By former district" not in text and "Tân Đoàn" not in text
    await officer.send("/classstats tan doan")
    assert "You can see the figures of Phường Đông Kinh" in officer.text
    assert (
        "    · 7A (Lower secondary school): joined 3 · finished a quiz 2 · average 8.5 · "
        "reached 2 of 30 (6.7%)" in text
    )


async def test_school_years_run_from_september_to_august(app: App, clock: FakeClock) -> None:
    """A class belongs to the school year of its start date, except that one opened in August
    belongs to the school year starting that September (classes are opened in the summer
    for the coming year)."""
    clock.set(datetime(2026, 7, 20, 9, 0, tzinfo=LOCAL_TZ))
    _school, teacher = await school_and_teacher(app)
    summer = await open_class(teacher, "Hè", starts="31/7/2026", activity="Rally")
    await open_class(teacher, "6A", starts="31/8/2026", activity="Lesson")
    await open_class(teacher, "6B", starts="1/9/2026", activity="No activity")
    student = await make_student(app, "hs1", summer)
    clock.set(datetime(2026, 8, 31, 16, 59, tzinfo=LOCAL_TZ))
    await finish_quiz(app, student, 8)
    rows_ = await rows(app, "SELECT name, school_year FROM classes ORDER BY id")
    assert [tuple(r) for r in rows_] == [
        ("Hè", "2025-2026"),
        ("6A", "2026-2027"),
        ("6B", "2026-2027"),
    ]
    officer = await make_officer(app, "so")
    await officer.send("/classstats 2025-2026")
    assert "school year 2025-2026" in officer.text
    assert "Classes: 1 · students joined: 1 · reached 1 of 443" in officer.text
    assert "lessons): 1;" in officer.text
    clock.set(datetime(2026, 8, 31, 23, 59, tzinfo=LOCAL_TZ))
    await officer.send("/classstats")  # 2025-2026 until the end of 31 August, Vietnam time
    assert "school year 2025-2026" in officer.text
    clock.advance(timedelta(minutes=1))
    await officer.send("/classstats")
    assert "school year 2026-2027" in officer.text
    assert "Classes: 2 · students joined: 0 · reached 0 of 443" in officer.text
    assert "lessons): 1;" in officer.text
    await officer.send("/classstats 2026")
    assert "Usage: /classstats or /classstats 2025-2026" in officer.text


async def play_quiz(chat: Chat) -> None:
    """/quiz, and any answer to each of the ten questions (the real banks)."""
    await chat.send("/quiz")
    for _ in range(10):
        assert "Question" in chat.text and chat.choices, chat.text
        await chat.send_payload(chat.choices[0].payload)
    assert "Finished! Your score:" in chat.text, chat.text


async def test_a_class_opened_in_august_counts_its_quizzes_from_september(
    app: App, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 8, 20, 9, 0, tzinfo=LOCAL_TZ))
    _school, teacher = await school_and_teacher(app)
    code = await open_class(teacher, "6A", level="Lower secondary", starts="25/08/2026")
    [cls] = await rows(app, "SELECT school_year FROM classes")
    assert cls[0] == "2026-2027"
    student = await make_student(app, "hs1", code)
    clock.set(datetime(2026, 8, 28, 10, 0, tzinfo=LOCAL_TZ))
    await play_quiz(student)  # before the school year: not reached in the class yet
    await teacher.send("/myclasses")
    assert "Joined: 1 · finished a quiz: 0" in teacher.text
    clock.set(datetime(2026, 9, 5, 10, 0, tzinfo=LOCAL_TZ))
    await play_quiz(student)
    await teacher.send("/myclasses")
    assert "Reached: 1 of 30 enrolled (3.3%)" in teacher.text
    assert "Not finished a quiz yet" not in teacher.text
    officer = await make_officer(app, "so")
    await officer.send("/classstats")
    assert "Class campaigns in the school year 2026-2027" in officer.text
    assert "Classes: 1 · students joined: 1 · reached 1 of 443 (0.2%)" in officer.text
    await officer.send("/classstats 2025-2026")
    assert "Classes: 0 · students joined: 0" in officer.text


async def test_a_student_in_two_classes_of_a_year_is_reached_once(app: App) -> None:
    _school, teacher = await school_and_teacher(app)
    first = await open_class(teacher, "7A")
    student = await make_student(app, "hs1", first)
    await finish_quiz(app, student, 5)
    await teacher.send("/myclasses")
    await teacher.press("Manage 7A")
    await teacher.press("Close the class")
    await teacher.press("Yes, close it")
    second = await open_class(teacher, "7B")
    await join(student, second)
    await finish_quiz(app, student, 9)
    officer = await make_officer(app, "so")
    await officer.send("/classstats")
    assert "Classes: 2 · students joined: 2 · reached 1 of 443" in officer.text


async def test_other_roles_never_see_the_figures(app: App) -> None:
    await class_of_three(app)
    resident = Chat(app, "dan")
    await onboard(resident)
    await resident.send("/classstats")
    assert "Sorry, /classstats is not available to you." in resident.text
    press = await make_officer(app, "bao", agency="Báo Lạng Sơn")
    await press.send("/classstats")  # any officer sees the figures of their area
    assert "reached 2 of 443" in press.text
