"""Officers add schools: /addschool one at a time, /importschools from a CSV file.

The helpers at the top are shared by the school, teacher, class and contest tests.
"""

from __future__ import annotations

import re

from bot.app import App
from bot.core.clock import iso
from bot.core.messages import Attachment, Incoming, Kind
from bot.storage import classes, schools, teachers
from bot.storage.db import Row
from bot.storage.schools import SchoolData
from tests.conftest import ADMIN
from tests.harness import CHANNEL, Chat, consented, onboard

DONG_KINH = "05977"
TAN_DOAN = "06316"
NOT_STAFF = "Schools and teachers are managed by officers of the Department of Education"
TABLES = (
    "users",
    "schools",
    "school_enrolments",
    "teachers",
    "classes",
    "class_members",
    "contests",
    "contest_classes",
    "quiz_attempts",
    "deliveries",
)

# --- helpers shared by the tests of issue 5's classes part ----------------------------------


async def data(app: App) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the tables a class journey may change (not the conversation state)."""
    db = app.deps.db
    return {
        t: sorted((tuple(r) for r in await db.fetch_all(f"SELECT * FROM {t}")), key=repr)
        for t in TABLES
    }


async def rows(app: App, sql: str, *params: object) -> list[Row]:
    return await app.deps.db.fetch_all(sql, params)


async def make_officer(
    app: App, name: str, agency: str = "Sở GD&ĐT", commune: str | None = None
) -> Chat:
    """An officer made for real: the admin's invite, then /start CODE."""
    admin = await consented(Chat(app, ADMIN))
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


async def add_school(
    app: App,
    name: str = "Trường THCS Đông Kinh",
    commune: str = DONG_KINH,
    level: str = "lower_secondary",
    enrolment: dict[str, int] | None = None,
) -> int:
    """A school as an officer's import leaves it (written directly)."""
    figures = enrolment if enrolment is not None else {"6": 120, "7": 115, "8": 110, "9": 98}
    async with app.deps.db.transaction() as tx:
        school, _new = await schools.save(
            tx, SchoolData(name, level, commune, figures), iso(app.deps.clock.now())
        )
    return school.id


async def user_id(chat: Chat) -> int:
    row = await chat.row()
    assert row is not None
    return int(row["id"])


async def make_teacher(app: App, name: str, school_id: int) -> Chat:
    """A teacher whose registration an officer approved (written directly: the registration
    journey has its own tests)."""
    chat = Chat(app, name)
    await onboard(chat, "Teacher")
    now = iso(app.deps.clock.now())
    async with app.deps.db.transaction() as tx:
        uid = await _uid(tx, name)
        await teachers.register(tx, uid, school_id, "Sinh học", now)
        await tx.execute(
            "UPDATE teachers SET status = 'approved', decided_at = ? WHERE user_id = ?", (now, uid)
        )
    return chat


async def _uid(tx: object, name: str) -> int:
    from bot.storage import users

    user = await users.find(tx, CHANNEL, name)  # type: ignore[arg-type]
    assert user is not None
    return user.id


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


async def make_student(
    app: App, name: str, code: str | None = None, nickname: str | None = None
) -> Chat:
    """An onboarded student, in the class of `code` if given."""
    chat = Chat(app, name)
    await onboard(chat, "Student", level="Lower secondary", age="11 to 14")
    if code is not None:
        await join(chat, code, nickname)
    return chat


async def join(chat: Chat, code: str, nickname: str | None = None) -> None:
    await chat.send(f"/join {code}")
    await chat.press("Yes, they agreed")
    assert "Welcome to class" in chat.text, chat.text
    if nickname is None:
        await chat.press("Skip")
    else:
        await chat.send(nickname)


async def member_id(app: App, chat: Chat) -> int:
    uid = await user_id(chat)
    async with app.deps.db.transaction() as tx:
        member = await classes.member_of(tx, uid)
    assert member is not None
    return member.id


async def finish_quiz(
    app: App, chat: Chat, score: int, *, contest_id: int | None = None, when: str | None = None
) -> None:
    """A finished quiz as the quiz feature records it (written directly): the attempt, and
    the member reached in the class's school year on their first finished quiz."""
    now = when or iso(app.deps.clock.now())
    uid = await user_id(chat)
    async with app.deps.db.transaction() as tx:
        member = await classes.member_of(tx, uid)
        year = member.school_year if member else "2026-2027"
        await tx.execute(
            """INSERT INTO quiz_attempts (user_id, member_id, contest_id, level, question_ids,
                   score, status, school_year, started_at, expires_at, finished_at)
               VALUES (?, ?, ?, 'lower_secondary', '[]', ?, 'finished', ?, ?, ?, ?)""",
            (uid, member.id if member else None, contest_id, score, year, now, now, now),
        )
        if member is not None:
            await classes.mark_reached(tx, member.id, now)


async def send_file(chat: Chat, body: bytes, filename: str = "schools.csv") -> None:
    incoming = Incoming(
        CHANNEL,
        chat.name,
        chat.name,
        Kind.DOCUMENT,
        document=Attachment(body, filename, "text/csv"),
        language_hint=chat.hint,
    )
    chat.replies = await chat.app.engine.handle(incoming)


# --- /addschool -----------------------------------------------------------------------------


async def test_an_education_officer_adds_a_school_with_its_enrolment(app: App) -> None:
    officer = await make_officer(app, "so")
    await officer.send("/addschool")
    assert "Which commune or ward is the school in?" in officer.text
    await officer.send("dong kinh")
    assert "The school's full name in Phường Đông Kinh?" in officer.text
    await officer.send("Trường THCS Đông Kinh")
    await officer.press("Lower secondary")
    assert "grade:students pairs" in officer.text
    await officer.send("6:120, 7:115 8:110; 9:98")
    assert (
        "Saved: Trường THCS Đông Kinh (Lower secondary school), Phường Đông Kinh, 443 students "
        "enrolled." in officer.text
    )
    [school] = await rows(app, "SELECT * FROM schools")
    assert (school["folded_name"], school["level"], school["commune_code"], school["status"]) == (
        "thcs dong kinh",
        "lower_secondary",
        DONG_KINH,
        "active",
    )
    enrolment = await rows(app, "SELECT grade, students FROM school_enrolments ORDER BY grade")
    assert [tuple(r) for r in enrolment] == [("6", 120), ("7", 115), ("8", 110), ("9", 98)]
    assert await officer.state() == ""


async def test_adding_the_same_school_again_updates_it(app: App) -> None:
    officer = await make_officer(app, "so")
    await add_school(app)
    await officer.send("/addschool")
    await officer.send("dong kinh")
    await officer.send("truong thcs dong kinh")  # the same school, typed differently
    assert "already on the list" in officer.text
    await officer.press("Lower secondary")
    await officer.send("500")
    assert "its figures are updated" in officer.text
    assert len(await rows(app, "SELECT * FROM schools")) == 1
    enrolment = await rows(app, "SELECT grade, students FROM school_enrolments")
    assert [tuple(r) for r in enrolment] == [("all", 500)]


async def test_impossible_enrolments_are_refused_and_nothing_is_saved(app: App) -> None:
    officer = await make_officer(app, "so")
    await officer.send("/addschool")
    await officer.send("dong kinh")
    await officer.send("Trường Tiểu học Đông Kinh")
    await officer.press("Primary")
    before = await data(app)
    for typed, answer in (
        ("0", "0 students is not possible"),
        ("100000", "100000 students is not possible"),
        ("100.000", "100000 students is not possible"),
        ("1:0 2:30", "0 students is not possible"),
        ("13:40", "There is no grade 13"),
        ("1:40 1:50", "Grade 1 is given twice"),
        ("lots", "Please write grade:students pairs"),
        ("🙂", "Please write grade:students pairs"),
    ):
        await officer.send(typed)
        assert answer in officer.text, (typed, officer.text)
        assert "How many students are enrolled?" in officer.text
        assert await officer.state() == "schools.enrolment"
    assert await data(app) == before
    await officer.send("1:40 2:38 3:41 4:39 5:42")
    assert "200 students enrolled" in officer.text


async def test_a_commune_officer_adds_schools_of_their_commune_only(app: App) -> None:
    officer = await make_officer(app, "xa", agency="UBND xã", commune="Tân Đoàn")
    await officer.send("/addschool")
    assert "The school's full name in Xã Tân Đoàn?" in officer.text  # no commune question
    await officer.send("Trường Tiểu học Tân Đoàn")
    await officer.press("Primary")
    await officer.send("150")
    [school] = await rows(app, "SELECT commune_code FROM schools")
    assert school[0] == TAN_DOAN


async def test_other_officers_and_students_cannot_add_schools(app: App) -> None:
    press = await make_officer(app, "bao", agency="Báo Lạng Sơn")
    student = await make_student(app, "hs")
    before = await data(app)
    await press.send("/addschool")
    assert NOT_STAFF in press.text
    await press.send("/importschools")
    assert NOT_STAFF in press.text
    await student.send("/addschool")
    assert "Sorry, /addschool is not available to you." in student.text
    await student.send("/importschools")
    assert "Sorry, /importschools is not available to you." in student.text
    assert await data(app) == before


# --- /importschools -------------------------------------------------------------------------

CSV = """name,level,commune,grade_6,grade_7,grade_8,grade_9,students
Trường THCS Đông Kinh,THCS,Đông Kinh,120,115,110,98,
Trường THCS Tân Đoàn,lower_secondary,06316,80,75,0,70,
Trường THPT Việt Bắc,THPT,dong kinh,,,,,1200
,THCS,Đông Kinh,10,10,10,10,
Trường Tiểu học Chi Lăng,Tiểu học,Nowhere,,,,,300
""".encode()


async def test_an_officer_imports_a_csv_file_good_rows_kept_broken_ones_reported(app: App) -> None:
    officer = await make_officer(app, "so")
    await officer.send("/importschools")
    assert "Send the CSV file now" in officer.text
    template = next(r.document for r in officer.replies if r.document is not None)
    assert template.filename == "schools-template.csv"
    assert template.data.decode().startswith("name,level,commune,")
    await send_file(officer, CSV)
    text = officer.text
    assert "Schools from schools.csv: 2 added, 0 updated." in text
    assert "Lines not imported: 3 (the others are saved):" in text
    assert "line 3: grade_8: 0 students is not possible" in text
    assert "line 5: the school's name is missing" in text
    assert "line 6: no commune is called “Nowhere”" in text
    names = [r[0] for r in await rows(app, "SELECT name FROM schools ORDER BY id")]
    assert names == ["Trường THCS Đông Kinh", "Trường THPT Việt Bắc"]
    assert await officer.state() == ""

    # Sending the corrected file again updates the saved schools and adds the fixed ones.
    fixed = CSV.replace(b",80,75,0,70,", b",80,75,72,70,").replace(
        b"\n,THCS", b"\nTHCS Mai Pha,THCS"
    )
    await officer.send("/importschools")
    await send_file(officer, fixed, "fixed.csv")
    assert "Schools from fixed.csv: 2 added, 2 updated." in officer.text
    assert "Lines not imported: 1 " in officer.text
    assert len(await rows(app, "SELECT * FROM schools")) == 4


async def test_an_unreadable_file_changes_nothing(app: App) -> None:
    officer = await make_officer(app, "so")
    before = await data(app)
    for body, answer in (
        ("tên,cấp\nA,B\n".encode("cp1258", errors="replace"), "not UTF-8"),
        (b"name,level,town\nA,THCS,x\n", "unknown column “town”"),
        (b"", "the file is empty"),
    ):
        await officer.send("/importschools")
        await send_file(officer, body)
        assert "I could not read schools.csv" in officer.text and answer in officer.text, (
            officer.text
        )
    assert await data(app) == before


async def test_a_commune_officers_import_keeps_to_their_commune(app: App) -> None:
    officer = await make_officer(app, "xa", agency="UBND xã", commune="Tân Đoàn")
    await officer.send("/importschools")
    await send_file(officer, CSV.replace(b",80,75,0,70,", b",80,75,72,70,"))
    assert "Schools from schools.csv: 1 added" in officer.text
    assert "line 2: Phường Đông Kinh is outside your area" in officer.text
    [school] = await rows(app, "SELECT commune_code FROM schools")
    assert school[0] == TAN_DOAN


async def test_a_file_where_none_was_asked_for_and_text_where_a_file_was(app: App) -> None:
    officer = await make_officer(app, "so")
    await send_file(officer, CSV)
    assert "Thanks, but I can't use a file here." in officer.text
    await officer.send("/importschools")
    await officer.send("Trường THCS Đông Kinh, THCS, Đông Kinh")
    assert "Please send the schools as a file" in officer.text
    assert await officer.state() == "schools.import"
    assert await rows(app, "SELECT * FROM schools") == []
