"""The authorisation matrix: every registered command for every role.

The table below is written out by hand on purpose and is not derived from the product's own
permission sets: whoever adds a command must decide here, deliberately, who may use it.

Officers have two columns: the role is the same, but what an officer may do also depends on
their agency (schools, teachers and contests across schools are the education sector's).
"""

from __future__ import annotations

import re

import pytest

from bot.app import App, build_router
from bot.core.auth import Role
from bot.settings import Settings
from tests.builders import add_school, approve, make_officer, open_class
from tests.conftest import ADMIN, AppFactory
from tests.harness import Chat, onboard
from tests.harness_app import built_once
from tests.harness_db import role_now

# y: the person may use the command: they get its real first answer (OUTCOME below).
# -: the command is refused to the role, with the generic refusal.
# r: the role passes, but the command turns this person away with its own explanation
#    (REFUSED_BY_HANDLER below), e.g. an officer outside the education sector and /addschool.
# e: the role may not use the command and does not see it in /help, but its handler explains
#    why instead of the generic refusal (REFUSED_BY_HANDLER), e.g. /newclass for a teacher
#    whose registration still waits.
# Anything not allowed changes nothing in the database.
MATRIX = """
command       guest resident student teacher worker media trader officer_edu officer_env admin
start           y       y       y       y       y     y      y        y           y        y
menu            y       y       y       y       y     y      y        y           y        y
hello           y       y       y       y       y     y      y        y           y        y
thanks          y       y       y       y       y     y      y        y           y        y
help            y       y       y       y       y     y      y        y           y        y
cancel          y       y       y       y       y     y      y        y           y        y
lang            y       y       y       y       y     y      y        y           y        y
mydata          y       y       y       y       y     y      y        y           y        y
deleteme        y       y       y       y       y     y      y        y           y        y
redeem          y       y       y       y       y     y      y        y           y        y
tip             -       y       y       y       y     y      y        y           y        y
source          -       y       y       y       y     y      y        y           y        y
subscribe       -       y       y       y       y     y      y        y           y        y
unsubscribe     -       y       y       y       y     y      y        y           y        y
settings        -       y       y       y       y     y      y        y           y        y
quiz            -       y       y       y       y     y      y        y           y        y
pledge          -       y       y       y       y     y      y        y           y        y
mypledges       -       y       y       y       y     y      y        y           y        y
checkin         -       y       y       y       y     y      y        y           y        y
invite          -       -       -       -       -     -      -        -           -        y
teacher         -       y       -       y       y     y      -        -           -        y
join            y       y       y       -       -     -      -        -           -        y
newclass        -       e       -       y       -     -      -        -           -        r
myclasses       -       -       -       y       -     -      -        -           -        r
newcontest      -       -       -       y       -     -      -        y           r        y
contests        -       -       y       y       -     -      -        y           y        y
addschool       -       -       -       -       -     -      -        y           r        y
importschools   -       -       -       -       -     -      -        y           r        y
approvals       -       -       -       -       -     -      -        y           r        y
classstats      -       -       -       -       -     -      -        y           y        y
report          -       y       y       y       y     y      y        y           y        y
market          -       y       y       y       y     y      y        y           y        y
queue           -       -       -       -       -     -      -        r           y        y
addmarket       -       -       -       -       -     -      -        r           y        y
modelpoint      -       -       -       -       -     -      -        r           y        y
stats           -       -       -       -       -     -      -        y           y        y
plan            -       -       -       -       -     -      -        y           y        y
activity        -       -       -       -       -     -      -        y           y        y
setcount        -       -       -       -       -     -      -        y           y        y
export          -       -       -       -       -     -      -        y           y        y
annualreport    -       -       -       -       -     -      -        y           y        y
"""

# The role of each column's person.
COLUMN_ROLES = {
    "guest": Role.GUEST,
    "resident": Role.RESIDENT,
    "student": Role.STUDENT,
    "teacher": Role.TEACHER,  # approved, with an open class
    "worker": Role.WORKER,
    "media": Role.MEDIA,
    "trader": Role.TRADER,  # sells at a market (picked none at onboarding)
    "officer_edu": Role.OFFICER,  # of the Department of Education and Training, province-wide
    "officer_env": Role.OFFICER,  # of the Department of Agriculture and Environment (Sở NN&MT)
    "admin": Role.ADMIN,  # named in the settings, never onboarded
}

# What each allowed command answers first: proof that it really ran for that person.
OUTCOME = {
    "start": "Welcome back! What would you like to do?",
    "menu": "What would you like to do? Type a number or a few words.",
    "hello": "Hello! What would you like to do today?",
    "thanks": "You're welcome! Anything else?",
    "help": "What I can do for you:",
    "cancel": "OK, cancelled.",
    "lang": "Usage: /lang vi or /lang en",
    "mydata": "Everything I store about you:",
    "deleteme": "Erase everything I store about you",
    "redeem": "Usage: /redeem CODE",
    "tip": "💡 ",
    "source": "You have not had a tip or a quiz question yet",
    "subscribe": "At what time would you like your daily tip?",
    "unsubscribe": "You are not subscribed to daily tips.",
    "settings": "Your settings:",
    "quiz": "Question 1 of 10",
    "pledge": "Which habit will you commit to?",
    "mypledges": "You have no pledge going on.",
    "checkin": "No check-in is waiting for you.",
    "invite": "Usage: /invite officer",
    "teacher": "To register as a teacher, tell me your school and your subject.",
    "join": "Send /join and the code your teacher gave you",
    "newclass": "Has your school collected it for this class?",
    "myclasses": "Your classes:",
    "newcontest": "The contest's name?",
    "contests": "There is no contest for you yet.",
    "addschool": "Which commune or ward is the school in?",
    "importschools": "Send me the schools as a CSV file",
    "approvals": "No teacher registration is waiting in the whole province.",
    "classstats": "📊 Class campaigns in the school year",
    "report": "Which market are you reporting on?",
    "market": "Which market? Type its name or its commune.",
    "queue": "No market report is waiting in the whole province.",
    "addmarket": "Usage: /addmarket NAME, COMMUNE",
    "modelpoint": "Usage: /modelpoint MARKET",
    "stats": "📊 Figures for the whole province",
    "plan": "📋 The plan's tasks in 2026: the whole province",
    "activity": "Which task of the plan was the activity for?",
    "setcount": "Usage: /setcount media N",
    "export": "The figures of the whole province for 2026, one sheet per subject.",
    "annualreport": "The yearly report of the whole province for 2026",
}
OUTCOME_FOR = {  # where one column's first answer differs
    ("start", "guest"): "Hello! I am the bot of Lạng Sơn province's campaign",
    ("menu", "guest"): "Send /start to begin",
    ("hello", "guest"): "Hello! Send /start and I'll tell you what I do.",
    ("thanks", "guest"): "You're welcome! Send /start whenever you like.",
    ("teacher", "teacher"): "You are registered as a teacher of Trường THCS Đông Kinh",
}

# How a command turns away someone the router let through (the `r` cells).
NOT_EDUCATION = "Schools and teachers are managed by officers of the Department of Education"
REFUSED_BY_HANDLER = {
    "addschool": NOT_EDUCATION,
    "importschools": NOT_EDUCATION,
    "approvals": NOT_EDUCATION,
    "newcontest": "Contests are opened by teachers for their classes, and by officers of the",
    "newclass": "Class campaigns are for teachers whose registration an officer approved.",
    "queue": "Market reports are moderated by officers of the Department of Agriculture",
    "addmarket": "Markets are kept by officers of the Department of Agriculture and Environment",
    "modelpoint": "Markets are kept by officers of the Department of Agriculture and Environment",
    "myclasses": "Class campaigns are for teachers whose registration an officer approved.",
}


def _parse(matrix: str) -> tuple[list[str], dict[str, dict[str, str]]]:
    header, *rows = [line.split() for line in matrix.strip().splitlines()]
    columns = header[1:]
    table = {}
    for name, *marks in rows:
        assert len(marks) == len(columns), f"row /{name} needs one mark per column"
        assert set(marks) <= {"y", "-", "r", "e"}, f"row /{name}: use y, -, r or e"
        table[name] = dict(zip(columns, marks, strict=True))
    return columns, table


COLUMNS, TABLE = _parse(MATRIX)
REGISTERED = sorted(build_router().commands)
AUDIENCES = {
    "resident": "Resident",
    "student": "Student",
    "teacher": "Teacher",
    "worker": "Civil servant",
    "media": "Press, radio",
    "trader": "Market trader",
}
APOLOGY = "Sorry, something went wrong"


def refusal(role: str, command: str) -> str:
    if role == "guest":
        return f"Please send /start and finish the first steps before using /{command}."
    return f"Sorry, /{command} is not available to you."


def outcome(command: str, column: str) -> str:
    return OUTCOME_FOR.get((command, column), OUTCOME[command])


def passes_router(command: str, column: str) -> bool:
    """What /help lists: the commands the router lets this person reach (y and r)."""
    return TABLE[command][column] in ("y", "r")


async def snapshot(app: App) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table."""
    db = app.deps.db
    return {
        t: sorted((tuple(r) for r in await db.fetch_all(f"SELECT * FROM {t}")), key=repr)
        for t in sorted(await db.table_names())
    }


async def approve_teacher(app: App, chat: Chat) -> None:
    """Saying "teacher" at onboarding only picks the tips: the TEACHER role needs a registration
    an officer approved. That approval is made with the storage functions here (its journey
    has its own tests), then the teacher opens a class with /newclass."""
    row = await chat.row()
    assert row is not None and row["audience"] == "teacher"
    school = await add_school(app, enrolment={})
    await approve(app, chat.name, school)
    await open_class(chat)


async def cast_from_snapshot(settings: Settings, make_app: AppFactory) -> dict[str, Chat]:
    """The cast, built through the bot by the first test that needs it and copied for the
    others (each test gets its own database, with everyone exactly as `cast` left them)."""
    app = await built_once("auth-matrix-cast", settings, make_app, cast)
    people = {column: Chat(app, column) for column in COLUMNS}
    for column, chat in people.items():
        assert await role_now(app, chat) is COLUMN_ROLES[column], column
    return people


async def cast(app: App) -> dict[str, Chat]:
    """One person per column, each made through the bot (only the teacher's approval is not)."""
    officers = {
        "officer_edu": await make_officer(app, "officer_edu", "Sở GD&ĐT", onboarded_admin=True),
        "officer_env": await make_officer(app, "officer_env", "Sở NN&MT", onboarded_admin=True),
    }
    people = {"guest": Chat(app, "guest")}  # never sends /start
    for role, label in AUDIENCES.items():
        people[role] = Chat(app, role)
        await onboard(people[role], label)
    await approve_teacher(app, people["teacher"])
    people.update(officers)
    people["admin"] = Chat(app, ADMIN)  # onboarded by make_officer
    for column, chat in people.items():
        # Any message retires the choices offered before it (the menu after onboarding), so
        # everyone first says something harmless: from here on, a refusal must change nothing.
        await chat.send("/help")
        assert await role_now(app, chat) is COLUMN_ROLES[column], column
    return people


def test_every_role_has_a_column() -> None:
    assert sorted(COLUMNS) == sorted(COLUMN_ROLES), "each column needs its role in COLUMN_ROLES"
    assert set(COLUMN_ROLES.values()) == set(Role), (
        "a role was added or removed: give it a column in MATRIX in tests/test_auth_matrix.py"
    )


def test_every_row_of_the_table_is_a_registered_command() -> None:
    stale = sorted(set(TABLE) - set(REGISTERED))
    assert not stale, f"MATRIX lists commands that are not registered any more: {stale}"
    assert set(OUTCOME) == set(TABLE), "give each command of MATRIX its first answer in OUTCOME"
    turned_away = {c for c, marks in TABLE.items() if "r" in marks.values()}
    assert turned_away <= set(REFUSED_BY_HANDLER), "say how each r command refuses"


@pytest.mark.parametrize("command", REGISTERED)
async def test_each_role_may_or_may_not_use_the_command(
    settings: Settings, make_app: AppFactory, command: str
) -> None:
    assert command in TABLE, (
        f"/{command} is registered but missing from the authorisation table: add a row for "
        f"it to MATRIX in tests/test_auth_matrix.py, saying for each role whether it may use it"
    )
    people = await cast_from_snapshot(settings, make_app)
    app = people["admin"].app
    refusals = {refusal("guest", command), refusal("member", command), APOLOGY}
    refusals |= set(REFUSED_BY_HANDLER.values())
    problems: list[str] = []
    for column in COLUMNS:
        chat = people[column]
        mark = TABLE[command][column]
        before = None if mark == "y" else await snapshot(app)  # a refusal must change nothing
        await chat.send(f"/{command}")
        text = chat.text
        if mark == "y":
            if outcome(command, column) not in text:
                problems.append(
                    f"{column}: /{command} should give {outcome(command, column)!r}, got {text!r}"
                )
            for bad in refusals:
                if bad in text:
                    problems.append(f"{column}: /{command} should be allowed, got {text!r}")
        else:
            expected = refusal(column, command) if mark == "-" else REFUSED_BY_HANDLER[command]
            if expected not in text:
                problems.append(f"{column}: /{command} should be refused, got {text!r}")
            if await snapshot(app) != before:
                problems.append(f"{column}: the refused /{command} changed the database")
    assert not problems, "\n".join(problems)


async def test_help_lists_exactly_what_the_table_lets_through(
    settings: Settings, make_app: AppFactory
) -> None:
    """(Commands missing from the table are reported by the test above.) /help lists what the
    person's role may reach, so it also lists the `r` commands."""
    people = await cast_from_snapshot(settings, make_app)
    app = people["admin"].app
    for column in COLUMNS:
        chat = people[column]
        await chat.send("/help")
        listed = set(re.findall(r"^/(\w+) — ", chat.text, flags=re.MULTILINE)) & set(TABLE)
        reachable = {c for c in REGISTERED if c in TABLE and passes_router(c, column)}
        documented = {c for c in reachable if app.router.commands[c].help}
        assert listed == documented, (column, sorted(listed ^ documented))
