"""/teacher registers a teacher; officers approve or refuse with /approvals; the teacher is told."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.app import App
from bot.core.auth import Role
from bot.core.clock import LOCAL_TZ, FakeClock
from tests.builders import TAN_DOAN, add_school, make_officer, make_student
from tests.conftest import ADMIN
from tests.harness import NOT_STAFF, Chat, RecordingSender, onboard
from tests.harness_db import data, role_now, rows, user_id


@pytest.fixture
async def admin_chat(app: App) -> Chat:
    chat = Chat(app, ADMIN)
    await onboard(chat)
    return chat


WAITING = (
    "It is decided by an officer of Department of Education and Training or of Phường Đông Kinh."
)


async def register(
    app: App, name: str, school: str = "Trường THCS Đông Kinh", commune: str = "dong kinh"
) -> Chat:
    """An onboarded teacher's registration, up to the point where it waits."""
    chat = Chat(app, name)
    await onboard(chat, "Teacher")
    await chat.send("/teacher")
    assert "To register as a teacher" in chat.text
    await chat.send(commune)
    assert "Which is your school in" in chat.text
    await chat.press(school)
    assert "Which subject do you teach?" in chat.text
    await chat.send("Sinh học")
    assert "now waits for an officer's approval" in chat.text, chat.text
    return chat


async def test_a_teacher_registers_and_an_education_officer_approves(
    app: App, sender: RecordingSender
) -> None:
    await add_school(app)
    await add_school(app, "Trường Tiểu học Đông Kinh", level="primary", enrolment={"1": 40})
    teacher = await register(app, "co_lan")
    uid = await user_id(teacher)
    [row] = await rows(app, "SELECT status, subject, school_id FROM teachers")
    assert (row["status"], row["subject"]) == ("pending", "Sinh học")
    assert f"registration no. {uid}" in teacher.text
    assert await role_now(app, teacher) is Role.RESIDENT  # not a teacher until approved
    await teacher.send("/newclass")  # told why, and who decides; not a bare refusal
    assert f"Your registration no. {uid} as a teacher of Trường THCS Đông Kinh is waiting" in (
        teacher.text
    )
    assert "No such officer uses the bot yet: the bot's administrators will decide." in (
        teacher.text
    )
    assert await teacher.state() == ""
    await teacher.send("/teacher")
    assert "has been waiting for an officer since" in teacher.text
    await teacher.press("Keep waiting")

    officer = await make_officer(app, "so")
    await officer.send("/approvals")
    assert "Teacher registrations waiting in the whole province: 1." in officer.text
    assert f"Registration no. {uid}: a teacher of Sinh học at Trường THCS Đông Kinh" in (
        officer.text
    )
    await officer.press("Approve")
    assert f"Approved: registration no. {uid}." in officer.text
    assert "No teacher registration is waiting" in officer.text
    [row] = await rows(app, "SELECT status, decided_by, decided_at FROM teachers")
    assert row["status"] == "approved" and row["decided_by"] == await user_id(officer)
    assert await role_now(app, teacher) is Role.TEACHER

    await app.outbox.run_jobs()
    await app.outbox.deliver_due()
    told = sender.to(teacher.name)
    assert (
        len(told) == 1
        and "your registration as a teacher of Trường THCS Đông Kinh was approved" in (told[0])
    )
    await teacher.send("/teacher")
    assert "You are registered as a teacher of Trường THCS Đông Kinh (Sinh học)" in teacher.text
    await teacher.send("/newclass")
    assert "Has your school collected it" in teacher.text


async def test_a_refused_teacher_is_told_and_may_register_again(
    app: App, sender: RecordingSender
) -> None:
    await add_school(app)
    teacher = await register(app, "thay_nam")
    officer = await make_officer(app, "xa", agency="UBND xã", commune="Đông Kinh")
    await officer.send("/approvals")
    assert "waiting in Phường Đông Kinh (formerly Thành phố Lạng Sơn): 1." in officer.text
    await officer.press("Refuse")
    assert "Refused: registration no." in officer.text
    await app.outbox.deliver_due()
    assert "was not approved" in sender.to(teacher.name)[0]
    assert await role_now(app, teacher) is Role.RESIDENT
    await teacher.send("/teacher")
    assert "To register as a teacher" in teacher.text  # starts afresh
    await teacher.send("dong kinh")
    await teacher.press("Trường THCS Đông Kinh")
    await teacher.send("Địa lý")
    assert WAITING in teacher.text
    [row] = await rows(app, "SELECT status, subject, decided_by FROM teachers")
    assert tuple(row) == ("pending", "Địa lý", None)


async def test_a_refusal_and_an_approval_on_the_same_day_are_both_told(
    app: App, sender: RecordingSender, clock: FakeClock
) -> None:
    await add_school(app)
    teacher = await register(app, "thay_nam")
    officer = await make_officer(app, "so")
    await officer.send("/approvals")
    await officer.press("Refuse")
    await app.outbox.deliver_due()
    assert len(sender.to(teacher.name)) == 1 and "was not approved" in sender.to(teacher.name)[0]
    clock.advance(timedelta(minutes=20))
    await teacher.send("/teacher")  # a mistake: registers again, the same morning
    await teacher.send("dong kinh")
    await teacher.press("Trường THCS Đông Kinh")
    await teacher.send("Sinh học")
    await officer.send("/approvals")
    await officer.press("Approve")
    assert "Approved: registration no." in officer.text
    await app.outbox.deliver_due()
    told = sender.to(teacher.name)
    assert len(told) == 2, told
    assert "your registration as a teacher of Trường THCS Đông Kinh was approved" in told[1]
    assert await role_now(app, teacher) is Role.TEACHER


async def test_a_decision_replaced_before_its_notice_went_out_is_not_told(
    app: App, sender: RecordingSender, clock: FakeClock
) -> None:
    """Refused, registered again and approved before the outbox ran: only the approval goes."""
    await add_school(app)
    teacher = await register(app, "thay_nam")
    officer = await make_officer(app, "so")
    await officer.send("/approvals")
    await officer.press("Refuse")
    await teacher.send("/teacher")
    await teacher.send("dong kinh")
    await teacher.press("Trường THCS Đông Kinh")
    await teacher.send("Sinh học")
    clock.advance(timedelta(minutes=5))
    await officer.send("/approvals")
    await officer.press("Approve")
    await app.outbox.deliver_due()
    told = sender.to(teacher.name)
    assert len(told) == 1 and "was approved" in told[0], told
    notices = await rows(app, "SELECT kind, status FROM deliveries ORDER BY id")
    assert [tuple(r) for r in notices] == [
        ("notice_teacher", "dropped"),  # the refusal, replaced before it went out
        ("notice_teacher", "sent"),
    ]


async def test_a_teacher_proposes_a_missing_school(app: App) -> None:
    await add_school(app)
    teacher = Chat(app, "co_hoa")
    await onboard(teacher, "Teacher")
    await teacher.send("/teacher")
    await teacher.send("dong kinh")
    await teacher.press("My school is not in the list")
    await teacher.send("🙂")
    assert "Please write the school's name" in teacher.text
    await teacher.send("Trường Tiểu học Hoàng Văn Thụ")
    await teacher.press("Primary")
    await teacher.send("Tiếng Việt")
    assert "as a teacher of Trường Tiểu học Hoàng Văn Thụ now waits" in teacher.text
    proposed = await rows(app, "SELECT status, level FROM schools WHERE name LIKE '%Thụ'")
    assert [tuple(r) for r in proposed] == [("proposed", "primary")]

    # A second teacher of that school finds it in the list, marked as proposed.
    other = Chat(app, "co_mai")
    await onboard(other, "Teacher")
    await other.send("/teacher")
    await other.send("dong kinh")
    assert "Trường Tiểu học Hoàng Văn Thụ (proposed)" in other.choice_labels

    officer = await make_officer(app, "so")
    await officer.send("/approvals")
    assert "The teacher proposed this school (Primary school)" in officer.text
    await officer.press("Approve")
    proposed = await rows(app, "SELECT status FROM schools WHERE name LIKE '%Thụ'")
    assert proposed[0][0] == "active"


async def test_typing_part_of_the_school_name(app: App) -> None:
    await add_school(app)
    await add_school(app, "Trường THPT Việt Bắc", level="upper_secondary", enrolment={"10": 300})
    teacher = Chat(app, "thay_binh")
    await onboard(teacher, "Teacher")
    await teacher.send("/teacher")
    await teacher.send("dong kinh")
    await teacher.send("viet bac")
    assert "Which subject do you teach?" in teacher.text
    await teacher.send("x")
    assert "Please write your subject in 2 to 60 characters." in teacher.text
    await teacher.send("Hóa học")
    [row] = await rows(app, "SELECT s.name FROM teachers t JOIN schools s ON s.id = t.school_id")
    assert row[0] == "Trường THPT Việt Bắc"


async def test_officers_see_registrations_of_their_area_only(app: App) -> None:
    await add_school(app)
    await register(app, "co_lan")
    before = await data(app)
    elsewhere = await make_officer(app, "xa", agency="UBND xã", commune="Tân Đoàn")
    await elsewhere.send("/approvals")
    assert "No teacher registration is waiting in Xã Tân Đoàn" in elsewhere.text
    press = await make_officer(app, "bao", agency="Báo Lạng Sơn")
    await press.send("/approvals")
    assert NOT_STAFF in press.text
    after = await data(app)
    assert after["teachers"] == before["teachers"]


async def test_nobody_approves_themselves(app: App, admin_chat: Chat) -> None:
    await add_school(app)
    # A teacher waiting for approval cannot use /approvals at all.
    teacher = await register(app, "co_lan")
    before = await data(app)
    await teacher.send("/approvals")
    assert "Sorry, /approvals is not available to you." in teacher.text
    assert await data(app) == before

    # An admin may register as a teacher too, but never sees their own registration...
    await admin_chat.send("/teacher")
    await admin_chat.send("dong kinh")
    await admin_chat.press("Trường THCS Đông Kinh")
    await admin_chat.send("Toán")
    admin_id = await user_id(admin_chat)
    await admin_chat.send("/approvals")
    assert f"Registration no. {admin_id}" not in admin_chat.text
    assert f"Registration no. {await user_id(teacher)}" in admin_chat.text
    # ... and a forged button for it changes nothing.
    before = await data(app)
    await admin_chat.send_payload(f"ap:yes:{admin_id}")
    assert "That option has expired" in admin_chat.text
    assert await data(app) == before
    [mine] = await rows(app, "SELECT status FROM teachers WHERE user_id = ?", admin_id)
    assert mine[0] == "pending"


async def test_a_registration_decided_by_another_officer_meanwhile(app: App) -> None:
    await add_school(app)
    await register(app, "co_lan")
    first = await make_officer(app, "so1")
    second = await make_officer(app, "so2")
    await first.send("/approvals")
    await second.send("/approvals")
    await second.press("Refuse")
    await first.press("Approve")
    assert "This registration was decided already, by another officer." in first.text
    [row] = await rows(app, "SELECT status FROM teachers")
    assert row[0] == "refused"


async def test_later_skips_to_the_next_registration(app: App) -> None:
    await add_school(app)
    await register(app, "co_lan")
    await register(app, "thay_nam")
    officer = await make_officer(app, "so")
    await officer.send("/approvals")
    assert "Teacher registrations waiting in the whole province: 2." in officer.text
    await officer.press("Later")
    assert "Teacher registrations waiting in the whole province: 2." in officer.text
    await officer.press("Later")
    assert "No more registrations for now." in officer.text
    assert await officer.state() == ""


async def test_students_and_officers_cannot_register_as_teachers(app: App) -> None:
    student = await make_student(app, "hs")
    officer = await make_officer(app, "so")
    before = await data(app)
    for chat in (student, officer):
        await chat.send("/teacher")
        assert "Sorry, /teacher is not available to you." in chat.text
    assert await data(app) == before


async def test_a_waiting_teacher_registers_with_another_school(app: App) -> None:
    await add_school(app)
    await add_school(app, "Trường THPT Việt Bắc", level="upper_secondary", enrolment={"10": 300})
    teacher = await register(app, "co_lan")
    await teacher.send("/teacher")
    await teacher.press("Register with another school")
    assert "Which commune or ward is the school in?" in teacher.text
    await teacher.send("dong kinh")
    await teacher.press("Trường THPT Việt Bắc")
    await teacher.send("Hóa học")
    [row] = await rows(
        app,
        "SELECT s.name, t.subject, t.status FROM teachers t JOIN schools s ON s.id = t.school_id",
    )
    assert tuple(row) == ("Trường THPT Việt Bắc", "Hóa học", "pending")


async def test_officers_who_can_decide_get_one_daily_digest(
    app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    await add_school(app)
    await add_school(app, "Trường THCS Tân Đoàn", TAN_DOAN)
    province = await make_officer(app, "so")
    here = await make_officer(app, "xa_dk", agency="UBND xã", commune="Đông Kinh")
    there = await make_officer(app, "xa_td", agency="UBND xã", commune="Tân Đoàn")
    press = await make_officer(app, "bao", agency="Báo Lạng Sơn")  # cannot decide
    clock.set(datetime(2026, 11, 30, 7, 0, tzinfo=LOCAL_TZ))
    first = await register(app, "co_lan")
    assert "2 officer(s) who can decide get a daily list" in first.text
    await register(app, "thay_minh")
    far = await register(app, "co_hoa", commune="tan doan", school="Trường THCS Tân Đoàn")
    await app.outbox.run_jobs()
    await app.outbox.deliver_due()
    assert sender.sent == []  # digests go out from 08:00
    clock.set(datetime(2026, 11, 30, 8, 0, tzinfo=LOCAL_TZ))
    for _ in range(2):  # once a day, however often the jobs run
        await app.outbox.run_jobs()
        await app.outbox.deliver_due()
    assert sender.to(province.name) == [
        "Teacher registrations waiting for a decision in the whole province: 3, the oldest "
        "since November 30, 2026. Send /approvals to decide."
    ]
    assert len(sender.to(here.name)) == 1 and "in Phường Đông Kinh: 2," in sender.to(here.name)[0]
    assert len(sender.to(there.name)) == 1 and "in Xã Tân Đoàn: 1," in sender.to(there.name)[0]
    assert sender.to(press.name) == [] and sender.to(far.name) == []
    await there.send("/approvals")
    await there.press("Approve")
    clock.set(datetime(2026, 12, 1, 8, 5, tzinfo=LOCAL_TZ))
    sender.sent.clear()
    await app.outbox.run_jobs()
    await app.outbox.deliver_due()
    assert "whole province: 2," in sender.to(province.name)[0]
    assert sender.to(there.name) == []  # nothing waits in Tân Đoàn any more
