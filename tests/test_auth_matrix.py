"""The authorisation matrix: every registered command for every role.

The table below is written out by hand on purpose and is not derived from the product's own
permission sets: whoever adds a command must decide here, deliberately, who may use it.
"""

from __future__ import annotations

import re

import pytest

from bot.app import App, build_router
from bot.core.auth import Role, role_of
from bot.core.clock import iso
from bot.storage import teachers, users
from tests.conftest import ADMIN
from tests.harness import Chat, onboard

# y: the role may use the command; -: the command is refused to it.
MATRIX = """
command      guest  resident  student  teacher  worker  media  officer  admin
start          y       y         y        y        y      y       y       y
help           y       y         y        y        y      y       y       y
cancel         y       y         y        y        y      y       y       y
lang           y       y         y        y        y      y       y       y
mydata         y       y         y        y        y      y       y       y
deleteme       y       y         y        y        y      y       y       y
redeem         y       y         y        y        y      y       y       y
tip            -       y         y        y        y      y       y       y
subscribe      -       y         y        y        y      y       y       y
unsubscribe    -       y         y        y        y      y       y       y
settings       -       y         y        y        y      y       y       y
quiz           -       y         y        y        y      y       y       y
invite         -       -         -        -        -      -       -       y
teacher        -       y         -        y        y      y       -       y
join           y       y         y        -        -      -       -       y
newclass       -       -         -        y        -      -       -       y
myclasses      -       -         -        y        -      -       -       y
newcontest     -       -         -        y        -      -       y       y
contests       -       -         y        y        -      -       y       y
addschool      -       -         -        -        -      -       y       y
importschools  -       -         -        -        -      -       y       y
approvals      -       -         -        -        -      -       y       y
classstats     -       -         -        -        -      -       y       y
"""


def _parse(matrix: str) -> tuple[list[str], dict[str, dict[str, bool]]]:
    header, *rows = [line.split() for line in matrix.strip().splitlines()]
    roles = header[1:]
    table = {}
    for name, *marks in rows:
        assert len(marks) == len(roles), f"row /{name} needs one mark per role"
        assert set(marks) <= {"y", "-"}, f"row /{name}: use y or -"
        table[name] = {role: mark == "y" for role, mark in zip(roles, marks, strict=True)}
    return roles, table


ROLES, TABLE = _parse(MATRIX)
REGISTERED = sorted(build_router().commands)
AUDIENCES = {
    "resident": "Resident",
    "student": "Student",
    "teacher": "Teacher",
    "worker": "Civil servant",
    "media": "Press, radio",
}
APOLOGY = "Sorry, something went wrong"


def refusal(role: str, command: str) -> str:
    if role == "guest":
        return f"Please send /start and finish the first steps before using /{command}."
    return f"Sorry, /{command} is not available to you."


async def snapshot(app: App) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table."""
    db = app.deps.db
    tables = await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")
    return {
        t[0]: [tuple(r) for r in await db.fetch_all(f"SELECT * FROM {t[0]} ORDER BY rowid")]
        for t in tables
    }


async def approve_teacher(app: App, chat: Chat) -> None:
    """Saying "teacher" at onboarding only picks the tips: the TEACHER role needs a registration
    an officer approved. That approval is written directly here; its journey has its own tests."""
    row = await chat.row()
    assert row is not None and row["audience"] == "teacher"
    now = iso(app.deps.clock.now())
    async with app.deps.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO schools (name, folded_name, level, commune_code, created_at) "
            "VALUES ('Trường THCS Đông Kinh', 'thcs dong kinh', 'lower_secondary', '05977', ?)",
            (now,),
        )
        school = await tx.fetch_value("SELECT max(id) FROM schools")
        await tx.execute(
            "INSERT INTO teachers (user_id, school_id, subject, status, decided_at, created_at) "
            "VALUES (?, ?, 'Sinh học', 'approved', ?, ?)",
            (row["id"], school, now, now),
        )


async def role_now(app: App, chat: Chat) -> Role:
    """The role the engine gives this person, computed as it does."""
    async with app.deps.db.transaction() as tx:
        user = await users.find(tx, "shell", chat.name)
        assert user is not None
        approved = await teachers.is_approved(tx, user.id)
    return role_of(user, app.deps.settings.admins, approved_teacher=approved)


async def cast(app: App) -> dict[str, Chat]:
    """One person per role, each made through the bot (only the teacher's approval is not)."""
    admin = Chat(app, ADMIN)
    await admin.send("/invite officer")
    await admin.press("Sở TN&MT")
    await admin.press("The whole province")
    code = re.search(r"/start ([A-Z0-9]{8})\b", admin.text)
    assert code is not None, admin.text
    officer = Chat(app, "officer")
    await officer.send(f"/start {code[1]}")
    await officer.press("I agree")
    assert "You are now an officer" in officer.text, officer.text
    await officer.send("dong kinh")
    assert "You're all set" in officer.text, officer.text

    people = {"guest": Chat(app, "guest")}  # never sends /start
    for role, label in AUDIENCES.items():
        people[role] = Chat(app, role)
        await onboard(people[role], label)
    await approve_teacher(app, people["teacher"])
    people["officer"] = officer
    people["admin"] = admin
    for role, chat in people.items():
        # Any message retires the choices offered before it (the menu after onboarding), so
        # everyone first says something harmless: from here on, a refusal must change nothing.
        await chat.send("/help")
        assert await role_now(app, chat) is Role(role), role
    return people


def test_the_table_has_one_column_per_role() -> None:
    assert sorted(ROLES) == sorted(r.value for r in Role), (
        "a role was added or removed: give it a column in MATRIX in tests/test_auth_matrix.py"
    )


def test_every_row_of_the_table_is_a_registered_command() -> None:
    stale = sorted(set(TABLE) - set(REGISTERED))
    assert not stale, f"MATRIX lists commands that are not registered any more: {stale}"


@pytest.mark.parametrize("command", REGISTERED)
async def test_each_role_may_or_may_not_use_the_command(app: App, command: str) -> None:
    assert command in TABLE, (
        f"/{command} is registered but missing from the authorisation table: add a row for "
        f"it to MATRIX in tests/test_auth_matrix.py, saying for each role whether it may use it"
    )
    people = await cast(app)
    problems: list[str] = []
    for role in ROLES:
        chat = people[role]
        before = await snapshot(app)
        await chat.send(f"/{command}")
        text = chat.text
        if TABLE[command][role]:
            if not text.strip():
                problems.append(f"{role}: /{command} got no answer")
            for bad in (refusal("guest", command), refusal("member", command), APOLOGY):
                if bad in text:
                    problems.append(f"{role}: /{command} should be allowed, got {text!r}")
        else:
            if refusal(role, command) not in text:
                problems.append(f"{role}: /{command} should be refused, got {text!r}")
            if await snapshot(app) != before:
                problems.append(f"{role}: the refused /{command} changed the database")
    assert not problems, "\n".join(problems)


async def test_help_lists_exactly_what_the_table_allows(app: App) -> None:
    """(Commands missing from the table are reported by the test above.)"""
    people = await cast(app)
    for role in ROLES:
        chat = people[role]
        await chat.send("/help")
        listed = set(re.findall(r"^/(\w+) — ", chat.text, flags=re.MULTILINE)) & set(TABLE)
        allowed = {c for c in REGISTERED if c in TABLE and TABLE[c][role]}
        documented = {c for c in allowed if app.router.commands[c].help}
        assert listed == documented, (role, sorted(listed ^ documented))
