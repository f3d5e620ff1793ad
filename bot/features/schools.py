"""Officers add schools: /addschool one at a time, /importschools from a CSV file.

Who may manage schools and teachers, and where (`education_area`): admins and officers of
the Department of Education and Training (Sở GD&ĐT) for the whole province, and officers
scoped to a commune for that commune. The same CSV rules serve the command line
(`python -m bot import-schools FILE`, see `bot.domain.schools.importing`).

The school's commune comes from the reusable commune step (bot.steps.commune), asked about
the school; it gives the commune back to `schools.commune`.
"""

from __future__ import annotations

from typing import Any

from bot.content.model import Commune
from bot.core.auth import STAFF
from bot.core.choices import COMMAND
from bot.core.context import Context
from bot.core.i18n import Translator
from bot.core.messages import Attachment, Choice
from bot.core.payloads import Payload
from bot.core.router import N_, Command, Router, State
from bot.domain.areas import education_area, not_education_staff
from bot.domain.profile import level_choices, level_label
from bot.domain.schools import valid_school_name
from bot.domain.schools.importing import Parsed, Problem, parse_csv, parse_enrolment_text
from bot.steps.commune import SCHOOL, pick_commune
from bot.storage import schools
from bot.storage.schools import SchoolData

SCHOOL_LEVEL = Payload("slvl", "level")
MAX_REPORTED = 30
TEMPLATE = (
    "name,level,commune,grade_6,grade_7,grade_8,grade_9,students\n"
    "Trường THCS Đông Kinh,THCS,Đông Kinh,120,115,110,98,\n"
    "Trường Cao đẳng Sư phạm Lạng Sơn,Cao đẳng/Đại học,05977,,,,,1200\n"
)


async def _commune_picked(ctx: Context, commune: Any) -> None:
    assert isinstance(commune, Commune)
    await _start_draft(ctx, commune.code)


# --- /addschool -----------------------------------------------------------------------------


async def addschool(ctx: Context) -> None:
    area = education_area(ctx)
    if area is None:
        ctx.say(not_education_staff(ctx))
        return
    if area.commune is not None:
        await _start_draft(ctx, area.commune)
        return
    await pick_commune(ctx, then="schools.commune", about=SCHOOL)


async def _start_draft(ctx: Context, commune: str) -> None:
    ctx.goto("schools.name", school={"commune": commune})
    await ask_name(ctx)


def _draft(ctx: Context) -> dict[str, str]:
    draft = ctx.convo.data.get("school")
    return draft if isinstance(draft, dict) else {}


async def ask_name(ctx: Context) -> None:
    commune = ctx.deps.content.commune(_draft(ctx).get("commune"))
    ctx.ask(
        ctx._(
            "The school's full name in {commune}? For example: Trường THCS Đông Kinh.",
            commune=commune.name if commune else "-",
        )
    )


async def on_name(ctx: Context) -> None:
    if not valid_school_name(ctx, ctx.text):
        await ask_name(ctx)
        return
    draft = _draft(ctx)
    draft["name"] = ctx.text
    existing = await schools.find(ctx.tx, draft["commune"], ctx.text)
    if existing is not None:
        ctx.say(
            ctx._(
                "{school} is already on the list: what you give now replaces its level and "
                "enrolment.",
                school=existing.name,
            )
        )
    ctx.goto("schools.level")
    await ask_level(ctx)


async def ask_level(ctx: Context) -> None:
    ctx.ask(ctx._("Which level is the school?"), level_choices(ctx, SCHOOL_LEVEL))


async def on_level(ctx: Context) -> None:
    (level,) = SCHOOL_LEVEL.parse(ctx.payload) or ("",)
    _draft(ctx)["level"] = level
    ctx.goto("schools.enrolment")
    await ask_enrolment(ctx)


async def ask_enrolment(ctx: Context) -> None:
    ctx.ask(
        ctx._(
            "How many students are enrolled? Write grade:students pairs, for example "
            "6:120 7:115 8:110 9:98, or one number for the whole school."
        )
    )


def problem_text(_: Translator, problem: Problem) -> str:
    return _(problem.message, **problem.values) if problem.values else _(problem.message)


async def on_enrolment(ctx: Context) -> None:
    enrolment = parse_enrolment_text(ctx.text)
    if isinstance(enrolment, Problem):
        ctx.say(problem_text(ctx._, enrolment))
        await ask_enrolment(ctx)
        return
    draft = _draft(ctx)
    data = SchoolData(draft["name"], draft["level"], draft["commune"], enrolment)
    school, created = await schools.save(ctx.tx, data, ctx.now_iso)
    ctx.finish()
    _ = ctx._
    commune = ctx.deps.content.commune(school.commune_code)
    text = _(
        "Saved: {school} ({level}), {commune}, {students} students enrolled.",
        school=school.name,
        level=level_label(_, school.level),
        commune=commune.name if commune else "-",
        students=_.number(sum(enrolment.values())),
    )
    if not created:
        text += "\n" + _("It was on the list already: its figures are updated.")
    ctx.ask(
        text,
        [
            Choice(_("Add another school"), COMMAND.make("addschool")),
            Choice(_("Import a CSV file"), COMMAND.make("importschools")),
        ],
    )


# --- /importschools -------------------------------------------------------------------------


async def importschools(ctx: Context) -> None:
    area = education_area(ctx)
    if area is None:
        ctx.say(not_education_staff(ctx))
        return
    ctx.goto("schools.import")
    ctx.say(
        ctx._(
            "Send me the schools as a CSV file (UTF-8), one school per line, with a header "
            "line: name, level, commune (its name or code), grade_1 ... grade_12 (students "
            "in each grade) and/or students (the whole school). A school already on the list "
            "is updated. Here is an example you can fill in."
        ),
        document=Attachment(TEMPLATE.encode(), "schools-template.csv", "text/csv"),
    )
    await ask_file(ctx)


async def ask_file(ctx: Context) -> None:
    ctx.ask(ctx._("Send the CSV file now, or /cancel."))


async def on_import_text(ctx: Context) -> None:
    ctx.say(ctx._("Please send the schools as a file (a document), not as a message."))
    await ask_file(ctx)


async def on_import_document(ctx: Context) -> None:
    document = ctx.incoming.document
    area = education_area(ctx)
    if document is None or area is None:
        await ask_file(ctx)
        return
    parsed = parse_csv(document.data, ctx.deps.content.communes, area.commune)
    created = updated = 0
    for row in parsed.rows:
        _, new = await schools.save(ctx.tx, row.school, ctx.now_iso)
        created, updated = created + new, updated + (not new)
    ctx.finish()
    ctx.say(import_report(ctx._, document.filename, parsed, created, updated))


def import_report(_: Translator, filename: str, parsed: Parsed, created: int, updated: int) -> str:
    if parsed.unreadable:
        return _(
            "I could not read {file}: {problem}.",
            file=filename,
            problem=problem_text(_, parsed.problems[0]),
        )
    lines = [
        _(
            "Schools from {file}: {created} added, {updated} updated.",
            file=filename,
            created=_.number(created),
            updated=_.number(updated),
        )
    ]
    if parsed.problems:
        lines.append(
            _(
                "Lines not imported: {count} (the others are saved):",
                count=_.number(len(parsed.problems)),
            )
        )
        for problem in parsed.problems[:MAX_REPORTED]:
            lines.append(
                _("line {line}: {problem}", line=problem.line, problem=problem_text(_, problem))
            )
        if len(parsed.problems) > MAX_REPORTED:
            lines.append(_("… and {count} more.", count=len(parsed.problems) - MAX_REPORTED))
        lines.append(
            _(
                "Correct these lines and send the file again: saved schools are updated, not "
                "doubled."
            )
        )
    return "\n".join(lines)


def register(router: Router) -> None:
    router.add_command(
        Command("addschool", addschool, STAFF, N_("add a school and its enrolment"), order=60)
    )
    router.add_command(
        Command("importschools", importschools, STAFF, N_("add schools from a CSV file"), order=61)
    )
    router.add_state(State("schools.name", ask_name, on_text=on_name))
    router.add_state(State("schools.level", ask_level, on_choice=on_level))
    router.add_state(State("schools.enrolment", ask_enrolment, on_text=on_enrolment))
    router.add_state(
        State("schools.import", ask_file, on_text=on_import_text, on_document=on_import_document)
    )
    router.add_state(State("schools.commune", ask_name, on_return=_commune_picked))
