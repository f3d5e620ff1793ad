"""Bad input: every odd message gets a clear answer; state and data stay as they were."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.app import App
from bot.core.context import Context
from bot.core.messages import Choice
from bot.storage import tips_seen
from tests.harness import Chat, onboard

Snapshot = dict[str, list[tuple[object, ...]]]

COMMUNE_QUESTION = "Which commune or ward do you live or work in?"
ROLE_QUESTION = "Who are you?"
EXPIRED = "That option has expired. Here is where we are now."
EMPTY = "Your message was empty. Send /help to see what I can do."
FREE_TEXT = "Sorry, I didn't understand"
APOLOGY = "Sorry, something went wrong on our side. Please try again."
INVISIBLE = ("\x00", "\x1b", "\u200b", "\u200d", "\ufeff")


async def snapshot(app: App) -> Snapshot:
    """Every row of every table but the pending question (which counts missed answers)."""
    db = app.deps.db
    tables = sorted(await db.table_names() - {"conversations"})
    return {
        t: sorted((tuple(r) for r in await db.fetch_all(f"SELECT * FROM {t}")), key=repr)
        for t in tables
    }


async def at_role_question(chat: Chat) -> None:
    await chat.send("/start")
    await chat.press("I agree")
    assert await chat.state() == "profile.role"


async def at_commune_question(chat: Chat) -> None:
    await at_role_question(chat)
    await chat.press("Resident")
    assert await chat.state() == "profile.commune"


async def at_rest(chat: Chat) -> None:
    """Onboarded, with no question pending and no choice on offer."""
    await onboard(chat)
    await chat.send("/help")


def offered(chat: Chat) -> list[Choice]:
    return [c for c in chat.choices if isinstance(c, Choice)]


def assert_clean(text: str) -> None:
    assert text.strip(), "no answer"
    assert APOLOGY not in text, text
    for char in INVISIBLE:
        assert char not in text, f"{char!r} echoed back in {text!r}"


@pytest.mark.parametrize(
    ("message", "answer"),
    [
        ("", EMPTY),
        ("  \n\t  ", EMPTY),
        ("x" * 10_000, "That message is too long for me (10,000 characters)."),
        ("🌿🥤", "No commune matches “🌿🥤”."),
        ("\x00", EMPTY),
        ("\x1b[31m", "No commune matches “[31m”."),
        ("\u200b\u200d\ufeff", EMPTY),
        ("'; DROP TABLE users; --", "No commune matches “'; DROP TABLE users; --”."),
        ("99", "Please answer with a number from 1 to 11."),
        ("/recycle", "I don't know the command /recycle."),
    ],
    ids=["empty", "spaces", "10k", "emoji", "nul", "ansi", "zero-width", "sql", "99", "unknown"],
)
async def test_bad_text_at_the_commune_question(app: App, message: str, answer: str) -> None:
    chat = Chat(app, "alice")
    await at_commune_question(chat)
    before = await snapshot(app)
    await chat.send(message)
    assert answer in chat.text
    assert COMMUNE_QUESTION in chat.text  # the question is asked again
    assert_clean(chat.text)
    assert await chat.state() == "profile.commune"
    assert await snapshot(app) == before
    assert "users" in before  # the table is still there, unchanged


async def test_invisible_characters_inside_a_name_are_ignored(app: App) -> None:
    chat = Chat(app, "alice")
    await at_commune_question(chat)
    await chat.send("dong\u200bkinh\x00")
    assert "Phường Đông Kinh" in chat.text
    row = await chat.row()
    assert row is not None and row["commune_code"] == "05977"


@pytest.mark.parametrize(
    ("message", "answer"),
    [
        ("", EMPTY),
        ("🌿🥤", FREE_TEXT),
        ("\x1b[31m", FREE_TEXT),
        ("'; DROP TABLE users; --", FREE_TEXT),
        ("x" * 10_000, "That message is too long for me (10,000 characters)."),
        ("99", FREE_TEXT),
        ("/recycle", "I don't know the command /recycle."),
        ("/subscribe 25:99", "“25:99” is not a time I understand."),
        ("/subscribe abc", "“abc” is not a time I understand."),
        ("/subscribe 24:00", "“24:00” is not a time I understand."),
    ],
    ids=["empty", "emoji", "ansi", "sql", "10k", "number", "unknown", "25:99", "abc", "24:00"],
)
async def test_bad_input_after_onboarding(app: App, message: str, answer: str) -> None:
    chat = Chat(app, "alice")
    await at_rest(chat)
    before = await snapshot(app)
    await chat.send(message)
    assert answer in chat.text
    assert_clean(chat.text)
    if answer == FREE_TEXT:  # a dead end shows the menu
        assert "A tip now" in chat.choice_labels and "A quiz" in chat.choice_labels
    assert await snapshot(app) == before
    row = await chat.row()
    assert row is not None and row["tip_time"] is None and row["commune_code"] == "05977"


async def test_a_photo_where_text_was_expected(app: App) -> None:
    chat = Chat(app, "alice")
    await at_commune_question(chat)
    before = await snapshot(app)
    await chat.photo()
    assert "Thanks, but I can't use a photo here." in chat.text
    assert COMMUNE_QUESTION in chat.text
    assert await chat.state() == "profile.commune"
    assert await snapshot(app) == before


async def test_a_location_where_a_choice_was_expected(app: App) -> None:
    chat = Chat(app, "alice")
    await at_role_question(chat)
    before = await snapshot(app)
    await chat.location(21.85, 106.76)
    assert "Thanks, but I can't use a location here." in chat.text
    assert ROLE_QUESTION in chat.text
    assert await snapshot(app) == before


@pytest.mark.parametrize(
    "number", ["99", "0", "7", "²", "①"], ids=["99", "0", "7", "superscript-2", "circled-1"]
)
async def test_a_number_out_of_range_at_a_choice(app: App, number: str) -> None:
    chat = Chat(app, "alice")
    await at_role_question(chat)
    before = await snapshot(app)
    await chat.send(number)
    assert_clean(chat.text)  # "²" and "①" count as digits for str.isdigit, but not for int()
    assert ROLE_QUESTION in chat.text
    assert await chat.state() == "profile.role"
    assert await snapshot(app) == before
    if number.isdecimal():
        assert "Please answer with a number from 1 to 6." in chat.text


@pytest.mark.parametrize(
    "command",
    ["/foo\x1b[31m", "/foo\u200bbar", "/foo\x00", "/\ufefffoo"],
    ids=["ansi", "zero-width", "nul", "bom"],
)
async def test_an_unknown_command_with_invisible_characters_is_not_echoed(
    app: App, command: str
) -> None:
    chat = Chat(app, "alice")
    await at_rest(chat)
    before = await snapshot(app)
    await chat.send(command)
    assert_clean(chat.text)
    assert await snapshot(app) == before


@pytest.mark.parametrize("payload", ["consent:yes", "aud:student", "lang:vi"])
async def test_a_stale_button_from_an_earlier_step(app: App, payload: str) -> None:
    chat = Chat(app, "alice")
    await at_commune_question(chat)  # consent and role were offered and answered before
    before = await snapshot(app)
    await chat.send_payload(payload)
    assert EXPIRED in chat.text and COMMUNE_QUESTION in chat.text
    assert await chat.state() == "profile.commune"
    assert await snapshot(app) == before
    row = await chat.row()
    assert row is not None and (row["audience"], row["locale"]) == ("resident", "en")


@pytest.mark.parametrize(
    ("where", "payload"),
    [("role", "aud:admin"), ("role", "aud:officer"), ("commune", "com:99999"), ("commune", "x")],
)
async def test_a_forged_payload_never_offered(app: App, where: str, payload: str) -> None:
    chat = Chat(app, "alice")
    await (at_role_question(chat) if where == "role" else at_commune_question(chat))
    before = await snapshot(app)
    await chat.send_payload(payload)
    assert EXPIRED in chat.text
    assert await chat.state() == f"profile.{where}"
    assert await snapshot(app) == before


async def test_another_users_payload(app: App) -> None:
    bob = Chat(app, "bob")
    await onboard(bob)
    await bob.send("/deleteme")
    erase = next(c.payload for c in offered(bob) if "Yes" in c.label)
    carol = Chat(app, "carol")
    await at_commune_question(carol)
    await carol.send("an")  # a list of communes, each a "com:" payload offered to carol only
    commune = carol.choice_labels[0]
    pick = offered(carol)[0].payload

    alice = Chat(app, "alice")
    await at_commune_question(alice)
    before = await snapshot(app)
    for payload in (erase, pick):
        await alice.send_payload(payload)
        assert EXPIRED in alice.text and COMMUNE_QUESTION in alice.text
        assert commune not in alice.text
    assert await snapshot(app) == before
    assert await bob.row() is not None and await bob.state() == "privacy.erase"
    row = await alice.row()
    assert row is not None and row["commune_code"] is None


async def test_a_vietnamese_speaker_gets_the_answer_in_vietnamese(app: App) -> None:
    chat = Chat(app, "ba", hint=None)
    await chat.send("\u200b")
    expected = app.deps.i18n.translator("vi")(EMPTY)
    assert expected != EMPTY, "the Vietnamese catalog has no translation for this message"
    assert chat.text == expected


async def test_a_handler_that_raises_rolls_back_and_the_next_message_works(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(ctx: Context) -> None:
        await tips_seen.record(ctx.tx, ctx.user.id, "half-written", ctx.now_iso)
        await ctx.update_user(tip_time="06:00")
        raise RuntimeError("boom")

    chat = Chat(app, "alice")
    await at_rest(chat)
    await chat.send("/settings")
    before = await snapshot(app)
    monkeypatch.setitem(
        app.router.commands, "tip", replace(app.router.commands["tip"], handler=broken)
    )
    await chat.send("/tip")
    assert chat.text == APOLOGY
    assert await snapshot(app) == before  # the tip seen and the time were rolled back
    assert await chat.state() == "settings.menu"
    await chat.send("/subscribe 18:30")
    assert "Done: you will get one tip every day" in chat.text
    row = await chat.row()
    assert row is not None and row["tip_time"] == "18:30"


async def test_the_apology_is_in_the_language_the_person_chose(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(ctx: Context) -> None:
        raise RuntimeError("boom")

    chat = Chat(app, "alice")  # the platform says English...
    await at_rest(chat)
    await chat.send("/lang vi")  # ...but she chose Vietnamese
    row = await chat.row()
    assert row is not None and row["locale"] == "vi"
    monkeypatch.setitem(
        app.router.commands, "tip", replace(app.router.commands["tip"], handler=broken)
    )
    await chat.send("/tip")
    apology = app.deps.i18n.translator("vi")(APOLOGY)
    assert apology != APOLOGY, "the Vietnamese catalog has no translation for the apology"
    assert chat.text == apology
