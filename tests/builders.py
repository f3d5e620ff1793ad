"""The people and things tests start from: officers, schools, approved teachers, classes,
students, contests, subscribers, finished quizzes, a known data set.

Each is made the way the bot makes it: through a conversation where the journey is short
(an officer's invite, a class's /newclass, a student's /join), else through the storage
modules' own functions (an approval, a finished quiz). No raw INSERT: a builder cannot leave
a row the bot itself would never write. Journeys that a builder shortcuts have their own
tests.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from bot.app import App
from bot.core.clock import LOCAL_TZ, FakeClock, iso
from bot.storage import classes, contests, quiz_attempts, reports, schools, teachers, users
from bot.storage.db import Transaction
from bot.storage.schools import SchoolData
from tests.harness import ADMIN, CHANNEL, Chat, consented, onboard, tick

DONG_KINH = "05977"
TAN_DOAN = "06316"
QUIZ_LEVEL = "lower_secondary"
CHI_LANG_TEACHER = "co_chi_lang"  # opens `make_class`'s classes and their contests


# --- officers --------------------------------------------------------------------------------


async def make_officer(
    app: App,
    name: str,
    agency: str = "Sở GD&ĐT",
    commune: str | None = None,
    *,
    onboarded_admin: bool = False,
) -> Chat:
    """An officer made for real: the admin's invite, then /start CODE. The admin only agrees
    at /start, or (`onboarded_admin`) goes through the whole onboarding first."""
    admin = Chat(app, ADMIN)
    if not onboarded_admin:
        await consented(admin)
    elif await admin.row() is None:
        await onboard(admin)
    await admin.send("/invite officer")
    await admin.press(agency)
    if commune is None:
        await admin.press("The whole province")
    else:
        if "One commune" in admin.choice_labels:  # a commune's committee is not asked
            await admin.press("One commune")
        await admin.send(commune)
    code = re.search(r"/start ([A-Z0-9]{8})\b", admin.text)
    assert code is not None, admin.text
    officer = Chat(app, name)
    await officer.send(f"/start {code[1]}")
    await officer.press("I agree")
    assert "You are now an officer" in officer.text, officer.text
    if "Which commune" in officer.text:
        await officer.send("dong kinh")
    assert "You're all set" in officer.text, officer.text
    return officer


# --- schools, teachers, classes --------------------------------------------------------------


async def add_school(
    app: App,
    name: str = "Trường THCS Đông Kinh",
    commune: str = DONG_KINH,
    level: str = QUIZ_LEVEL,
    enrolment: dict[str, int] | None = None,
) -> int:
    """A school as an officer's import leaves it."""
    figures = enrolment if enrolment is not None else {"6": 120, "7": 115, "8": 110, "9": 98}
    async with app.deps.db.transaction() as tx:
        school, _new = await schools.save(
            tx, SchoolData(name, level, commune, figures), iso(app.deps.clock.now())
        )
    return school.id


async def _user_id(tx: Transaction, name: str) -> int:
    user = await users.find(tx, CHANNEL, name)
    assert user is not None, name
    return user.id


async def _admin_id(tx: Transaction, now: str) -> int:
    """The admin's user row (made when missing, as their first message would)."""
    admin = await users.get_or_create(tx, CHANNEL, ADMIN, ADMIN, now)
    return admin.id


async def approve(app: App, name: str, school_id: int) -> None:
    """`name` (onboarded) registers as a teacher of the school and the admin approves it
    (the registration and approval journeys have their own tests)."""
    now = iso(app.deps.clock.now())
    async with app.deps.db.transaction() as tx:
        uid = await _user_id(tx, name)
        await teachers.register(tx, uid, school_id, "Sinh học", now)
        approved = await teachers.decide(
            tx, uid, approve=True, decided_by=await _admin_id(tx, now), now=now
        )
    assert approved, name


async def make_teacher(app: App, name: str, school_id: int) -> Chat:
    """A teacher whose registration was approved."""
    chat = Chat(app, name)
    await onboard(chat, "Teacher")
    await approve(app, name, school_id)
    return chat


async def school_and_teacher(app: App, name: str = "co_lan") -> tuple[int, Chat]:
    school = await add_school(app)
    return school, await make_teacher(app, name, school)


async def open_class(
    teacher: Chat,
    name: str = "7A",
    *,
    level: str = "Lower secondary",
    enrolled: str = "30",
    activity: str = "Rally",
    starts: str | None = None,
    ends: str | None = None,
) -> str:
    """The teacher's /newclass journey; returns the join code."""
    await teacher.send("/newclass")
    await teacher.press("Yes, the school collected it")
    await teacher.send(name)
    await teacher.press(level)
    await teacher.send(enrolled)
    await teacher.press(activity)
    if starts is None:
        await teacher.press("Today")
    else:
        await teacher.send(starts)
    if ends is None:
        await teacher.press("No end date")
    else:
        await teacher.send(ends)
    found = re.search(r"/join ([A-Z0-9]{6})\b", teacher.text)
    assert found is not None, teacher.text
    return found[1]


async def make_class(
    app: App,
    *,
    level: str = QUIZ_LEVEL,
    school_year: str = "2026-2027",
    name: str = "7A",
    status: str = "open",
) -> int:
    """A class of Trường THCS Chi Lăng (Đông Kinh) opened by its teacher, who is not
    onboarded (so counts only what the test's own people do); closed if `status` says so."""
    now = iso(app.deps.clock.now())
    async with app.deps.db.transaction() as tx:
        school, _new = await schools.save(
            tx, SchoolData("Trường THCS Chi Lăng", QUIZ_LEVEL, DONG_KINH, {}), now
        )
        teacher = await users.get_or_create(tx, CHANNEL, CHI_LANG_TEACHER, CHI_LANG_TEACHER, now)
        made = await classes.create(
            tx,
            school_id=school.id,
            teacher_id=teacher.id,
            name=name,
            level=level,
            enrolled=30,
            activity_type=None,
            starts_on=now[:10],
            ends_on=None,
            school_year=school_year,
            now=now,
        )
        if status == "closed":
            await classes.close(tx, made.id)
        else:
            assert status == "open", status
    return made.id


async def add_member(app: App, chat: Chat, class_id: int, number: int | None = None) -> int:
    """The person joins the class (as /join does once they agreed); `number`, when given, is
    the pseudonym number a test wants to see ("Student 7") instead of the next one."""
    now = iso(app.deps.clock.now())
    async with app.deps.db.transaction() as tx:
        member = await classes.add_member(tx, class_id, await _user_id(tx, chat.name), now)
        if number is not None:
            await tx.execute(
                "UPDATE class_members SET number = ? WHERE id = ?", (number, member.id)
            )
    return member.id


async def make_contest(
    app: App, class_ids: list[int], question_ids: list[str], hours: int = 48, **extra: Any
) -> int:
    """A contest of the classes by their teacher, open from an hour ago (or `starts`) until
    `hours` from now."""
    now = app.deps.clock.now()
    async with app.deps.db.transaction() as tx:
        author = await users.get_or_create(
            tx, CHANNEL, CHI_LANG_TEACHER, CHI_LANG_TEACHER, iso(now)
        )
        made = await contests.create(
            tx,
            name=extra.get("name", "Tuần lễ không túi ni lông"),
            created_by=author.id,
            level=QUIZ_LEVEL,
            question_ids=question_ids,
            starts_at=iso(extra.get("starts", now - timedelta(hours=1))),
            ends_at=iso(now + timedelta(hours=hours)),
            school_year="2026-2027",
            class_ids=class_ids,
            now=iso(now),
        )
    return made.id


# --- students and their quizzes --------------------------------------------------------------


async def student(app: App, name: str = "pupil", level: str = "Primary") -> Chat:
    """An onboarded student of the level (under 11 in primary school, else 11 to 14)."""
    chat = Chat(app, name)
    age = "Under 11" if level == "Primary" else "11 to 14"
    await onboard(chat, "Student", level=level, age=age)
    return chat


async def make_student(
    app: App, name: str, code: str | None = None, nickname: str | None = None
) -> Chat:
    """An onboarded lower-secondary student, in the class of `code` if given."""
    chat = await student(app, name, "Lower secondary")
    if code is not None:
        await join(chat, code, nickname)
    return chat


async def join(chat: Chat, code: str, nickname: str | None = None) -> None:
    """/join CODE: the parents agreed, then a nickname or none."""
    await chat.send(f"/join {code}")
    await chat.press("Yes, they agreed")
    assert "Welcome to class" in chat.text, chat.text
    if nickname is None:
        await chat.press("Skip")
    else:
        await chat.send(nickname)


async def finish_quiz(
    app: App, chat: Chat, score: int, *, contest_id: int | None = None, when: str | None = None
) -> None:
    """A quiz of ten questions finished with `score` right, recorded as the quiz records it:
    the attempt, and the member reached on their first finished quiz of the class's year."""
    now = when or iso(app.deps.clock.now())
    questions = app.deps.quizzes.bank(QUIZ_LEVEL)[:10]
    async with app.deps.db.transaction() as tx:
        uid = await _user_id(tx, chat.name)
        member = await classes.member_of(tx, uid)
        year = member.school_year if member else "2026-2027"
        attempt = await quiz_attempts.start(
            tx,
            user_id=uid,
            level=QUIZ_LEVEL,
            question_ids=[q.id for q in questions],
            school_year=year,
            now=now,
            expires_at=now,
            member_id=member.id if member else None,
            contest_id=contest_id,
        )
        for index, question in enumerate(questions):
            right = index < score
            option = next(
                n for n, o in enumerate(question.options) if (o == question.right) == right
            )
            attempt = await quiz_attempts.record_answer(tx, attempt, option, right)
        assert await quiz_attempts.finish(tx, attempt.id, now, year)
        if member is not None:
            await classes.mark_reached(tx, member.id, now)


# --- residents, subscribers, reports ---------------------------------------------------------


async def subscribers(app: App, count: int, first_id: int = 100_000) -> list[int]:
    """`count` Telegram people who agreed, finished onboarding and want a tip at 07:00."""
    now = iso(app.deps.clock.now())
    ids = list(range(first_id, first_id + count))
    async with app.deps.db.transaction() as tx:
        for chat in ids:
            user = await users.get_or_create(tx, "telegram", str(chat), str(chat), now)
            await users.update(
                tx,
                user.id,
                consent_at=now,
                onboarded_at=now,
                locale="vi",
                audience="resident",
                tip_time="07:00",
                tip_since="2026-11-29 08:00",
            )
    return ids


async def market_reports(app: App, reporter: Chat) -> None:
    """Chợ Đông Kinh: two reports in 2026, one approved; one in 2025, approved."""
    uid = (await reporter.row() or {"id": 0})["id"]
    async with app.deps.db.transaction() as tx:
        for day, approve_it in (("2026-11-02", True), ("2026-11-20", False), ("2025-06-01", True)):
            made = await reports.create(
                tx,
                user_id=uid,
                market_id="dong-kinh",
                commune_code=DONG_KINH,
                answers={},
                photos=[],
                note="",
                place=None,
                day=day,
                now=f"{day}T03:00:00+00:00",
            )
            if approve_it:
                await reports.decide(tx, made, reports.APPROVED, "", None, f"{day}T04:00:00+00:00")


async def known_data(app: App, clock: FakeClock) -> None:
    """Two communes, three schools, two classes, residents and a subscriber.

    Đông Kinh: Trường THCS Đông Kinh (443 enrolled), class 7A of 30, 3 joined, 2 reached.
    Tân Đoàn: Trường THCS Tân Đoàn (no enrolment figure), class 8A of 38, 1 joined, 1 reached;
              Trường Tiểu học Tân Đoàn (50 enrolled), no class.
    Residents: 2 in Đông Kinh (one subscribed, one tip delivered, one pledge), 1 in Tân Đoàn.
    Market reports: see `market_reports`.
    """
    dong_kinh = await add_school(app)
    tan_doan = await add_school(app, "Trường THCS Tân Đoàn", TAN_DOAN, enrolment={})
    await add_school(app, "Trường Tiểu học Tân Đoàn", TAN_DOAN, "primary", {"1": 50})
    teacher = await make_teacher(app, "co_lan", dong_kinh)
    code = await open_class(teacher, "7A", enrolled="30", activity="Rally")
    for index, score in enumerate((8, 9, None)):
        pupil = await make_student(app, f"hs{index}", code)
        if score is not None:
            await finish_quiz(app, pupil, score)
    other = await make_teacher(app, "thay_nam", tan_doan)
    far = await open_class(other, "8A", enrolled="38 em", activity="No activity")
    await finish_quiz(app, await make_student(app, "hs_td", far), 7)
    grandmother = Chat(app, "ba")
    await onboard(grandmother)
    await grandmother.send("/subscribe 08:30")
    await grandmother.send("/pledge straws")
    await grandmother.press("A month")
    await onboard(Chat(app, "ong"))
    await onboard(Chat(app, "dan_td"), commune="tan doan")
    await market_reports(app, grandmother)
    clock.set(datetime(2026, 11, 30, 8, 31, tzinfo=LOCAL_TZ))
    await tick(app)


async def subscribed_chats(app: App, count: int, hhmm: str = "07:00") -> list[Chat]:
    """`count` residents who onboarded and subscribed to the daily tip at `hhmm`."""
    chats = [Chat(app, f"s{n}") for n in range(count)]
    for chat in chats:
        await onboard(chat)
        await chat.send(f"/subscribe {hhmm}")
    return chats
