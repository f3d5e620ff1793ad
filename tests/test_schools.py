"""Officers add schools: /addschool one at a time, /importschools from a CSV file."""

from __future__ import annotations

from bot.app import App
from bot.core.messages import Attachment, Incoming, Kind
from tests.builders import DONG_KINH, TAN_DOAN, add_school, make_officer, make_student
from tests.harness import CHANNEL, NOT_STAFF, Chat
from tests.harness_db import data, rows


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
