"""Admins invite officers with one-time codes; `/start CODE` or `/redeem CODE` takes the role."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from bot.app import App
from bot.core.clock import FakeClock, iso
from bot.storage import invites as invite_store
from bot.storage.db import Row
from tests.conftest import ADMIN
from tests.harness import Chat, consented, onboard

NOT_WORKING = "This code does not work: it may be mistyped, already used or expired."
TAN_DOAN = "06316"


async def invite(app: App, agency: str = "Sở NN&MT", commune: str | None = None) -> str:
    return await invite_as(await consented(Chat(app, ADMIN)), agency, commune)


async def invite_as(admin: Chat, agency: str = "Sở NN&MT", commune: str | None = None) -> str:
    """The admin's journey: /invite officer → agency → scope (not for a commune's committee,
    always of one commune) → a code."""
    await admin.send("/invite officer")
    assert "Which agency will the officer work for?" in admin.text
    await admin.press(agency)
    if agency.startswith("UBND xã"):
        assert "whole province" not in admin.text and commune is not None
        await admin.send(commune)
    else:
        assert "whole province or for one commune?" in admin.text
        if commune is None:
            await admin.press("The whole province")
        else:
            await admin.press("One commune")
            await admin.send(commune)
    found = re.search(r"/start ([A-Z0-9]{8})\b", admin.text)
    assert found is not None, admin.text
    assert await admin.state() == ""
    return found[1]


async def invites(app: App) -> list[Row]:
    return await app.deps.db.fetch_all("SELECT * FROM invites ORDER BY id")


async def test_a_province_wide_officer_joins_with_start_code(app: App, clock: FakeClock) -> None:
    admin = await consented(Chat(app, ADMIN))
    code = await invite_as(admin)
    assert "Invite code for an officer of Department of Agriculture and Environment" in (admin.text)
    assert "(the whole province)" in admin.text
    [row] = await invites(app)
    assert (row["role"], row["agency"], row["commune_code"]) == ("officer", "so-nnmt", None)
    assert row["created_by"] == f"shell:{ADMIN}" and row["used_at"] is None
    assert row["expires_at"] == iso(clock.now() + timedelta(hours=72))

    officer = Chat(app, "tuan")
    await officer.send(f"/start {code}")
    assert "Do you agree?" in officer.text  # consent comes first, even with a code
    await officer.press("I agree")
    assert "You are now an officer of Department of Agriculture and Environment" in (officer.text)
    assert "Which commune or ward" in officer.text  # no commune in the code: they give theirs
    await officer.send("dong kinh")
    assert "You're all set" in officer.text
    user = await officer.row()
    assert user is not None and user["onboarded_at"] is not None
    assert (user["officer_agency"], user["officer_commune"]) == ("so-nnmt", None)
    assert (user["commune_code"], user["audience"]) == ("05977", "worker")
    [used] = await invites(app)
    assert used["used_by"] == user["id"] and used["used_at"] == iso(clock.now())

    await officer.send("/help")
    assert "/tip — " in officer.text and "/settings — " in officer.text
    assert "/invite" not in officer.text  # only admins create codes
    await officer.send("/invite officer")
    assert "Sorry, /invite is not available to you." in officer.text
    assert len(await invites(app)) == 1


async def test_a_commune_officer_gets_the_commune_of_the_code(app: App) -> None:
    admin = await consented(Chat(app, ADMIN))
    code = await invite_as(admin, agency="UBND xã", commune="Tân Đoàn")
    assert "Commune or ward people's committee" in admin.text and "Tân Đoàn" in admin.text
    [row] = await invites(app)
    assert (row["agency"], row["commune_code"]) == ("ubnd-xa", TAN_DOAN)

    officer = Chat(app, "lan")
    await officer.send(f"/redeem {code.lower()}")  # /redeem works too, in any case
    await officer.press("I agree")
    assert "You are now an officer of Commune or ward people's committee" in officer.text
    assert "You're all set" in officer.text  # the commune came with the code
    user = await officer.row()
    assert user is not None and user["onboarded_at"] is not None
    assert (user["officer_agency"], user["officer_commune"]) == ("ubnd-xa", TAN_DOAN)
    assert user["commune_code"] == TAN_DOAN
    assert (await invites(app))[0]["used_by"] == user["id"]


async def test_start_with_a_code_half_way_through_onboarding(app: App) -> None:
    code = await invite(app)
    half = Chat(app, "half")
    await half.send("/start")
    await half.press("I agree")  # agreed, but has not said who they are yet
    await half.send(f"/start {code}")
    assert "You are now an officer" in half.text, "the code was silently ignored"
    assert "Which commune or ward" in half.text
    await half.send("dong kinh")
    assert "You're all set" in half.text
    user = await half.row()
    assert user is not None and user["officer_agency"] == "so-nnmt"
    [row] = await invites(app)
    assert row["used_by"] == user["id"]


async def test_a_code_works_only_once(app: App) -> None:
    code = await invite(app)
    first = Chat(app, "first")
    await first.send(f"/start {code}")
    await first.press("I agree")
    await first.send("dong kinh")
    first_row = await first.row()
    assert first_row is not None and first_row["officer_agency"] == "so-nnmt"

    second = Chat(app, "second")
    await second.send(f"/start {code}")
    await second.press("I agree")
    assert NOT_WORKING in second.text
    assert "Who are you?" in second.text  # they carry on as anyone else would
    user = await second.row()
    assert user is not None and user["officer_agency"] is None

    member = Chat(app, "member")
    await onboard(member)
    await member.send(f"/redeem {code}")
    assert NOT_WORKING in member.text
    user = await member.row()
    assert user is not None and user["officer_agency"] is None
    [row] = await invites(app)
    assert row["used_by"] == first_row["id"]


async def test_a_code_expires_after_72_hours(app: App, clock: FakeClock) -> None:
    early, late = await invite(app), await invite(app)
    member = Chat(app, "member")
    await onboard(member)

    clock.advance(timedelta(hours=71))
    await member.send(f"/redeem {early}")
    assert "You are now an officer" in member.text

    clock.advance(timedelta(hours=2))  # 73 hours after the codes were made
    other = Chat(app, "other")
    await other.send(f"/start {late}")
    await other.press("I agree")
    assert NOT_WORKING in other.text
    user = await other.row()
    assert user is not None and user["officer_agency"] is None
    rows = await invites(app)
    assert rows[0]["used_at"] is not None and rows[1]["used_at"] is None


async def test_a_wrong_code_is_refused(app: App) -> None:
    await invite(app)
    member = Chat(app, "member")
    await onboard(member)
    for wrong in ("WRONG123", "ABCDEFGH", "ABC", "'; DROP TABLE invites; --"):
        await member.send(f"/redeem {wrong}")
        assert NOT_WORKING in member.text, wrong
    await member.send("/redeem")
    assert "Usage: /redeem CODE" in member.text
    user = await member.row()
    assert user is not None and user["officer_agency"] is None
    [row] = await invites(app)
    assert row["used_at"] is None


async def test_only_an_admin_may_invite(app: App) -> None:
    member = Chat(app, "member")
    await onboard(member)
    await member.send("/invite officer")
    assert "Sorry, /invite is not available to you." in member.text
    guest = Chat(app, "guest")
    await guest.send("/invite officer")
    assert "Please send /start" in guest.text
    assert await invites(app) == []
    assert await member.state() == "" and await guest.state() == ""


async def test_declining_consent_does_not_use_the_code(app: App) -> None:
    code = await invite(app)
    shy = Chat(app, "shy")
    await shy.send(f"/start {code}")
    await shy.press("No, thanks")
    assert "I keep nothing about you" in shy.text
    user = await shy.row()
    assert user is not None and user["consent_at"] is None and user["officer_agency"] is None
    [row] = await invites(app)
    assert row["used_at"] is None and row["used_by"] is None

    officer = Chat(app, "officer")
    await officer.send(f"/start {code}")
    await officer.press("I agree")
    assert "You are now an officer" in officer.text


async def test_only_a_hash_of_the_code_is_stored(app: App) -> None:
    code = await invite(app)
    [row] = await invites(app)
    assert row["code_hash"] == hashlib.sha256(code.encode()).hexdigest()
    for column in row.keys():  # noqa: SIM118
        assert code.lower() not in str(row[column]).lower(), column

    officer = Chat(app, "officer")
    await officer.send(f"/start {code}")
    await officer.press("I agree")
    await officer.send("dong kinh")
    assert "You're all set" in officer.text
    for table in await app.deps.db.table_names():
        for stored in await app.deps.db.fetch_all(f"SELECT * FROM {table}"):
            assert all(code not in str(value) for value in stored), table


async def test_only_todays_provincial_and_commune_bodies_are_offered(app: App) -> None:
    admin = await consented(Chat(app, ADMIN))
    await admin.send("/invite officer")
    labels = admin.choice_labels
    assert "Sở NN&MT" in labels and "Sở KH&CN" in labels and "UBND xã, phường" in labels
    for ended in ("Sở TT&TT", "Sở TN&MT", "UBND huyện, thành phố"):
        assert ended not in labels
    assert not [label for label in labels if label.startswith("Bộ")]


async def test_a_commune_committee_is_always_of_one_commune(app: App) -> None:
    admin = await consented(Chat(app, ADMIN))
    await admin.send("/invite officer")
    await admin.press("UBND xã, phường")
    assert "The whole province" not in admin.choice_labels
    await admin.send("tan doan")
    assert "Invite code for an officer of" in admin.text and "Tân Đoàn" in admin.text
    [row] = await invites(app)
    assert (row["agency"], row["commune_code"]) == ("ubnd-xa", TAN_DOAN)


async def test_a_code_made_for_an_ended_body_gives_its_successor(
    app: App, clock: FakeClock
) -> None:
    async with app.deps.db.transaction() as tx:  # made before Sở TN&MT ended
        code = await invite_store.create(
            tx,
            role="officer",
            agency="so-tnmt",
            commune_code=None,
            created_by=ADMIN,
            now=iso(clock.now()),
            expires_at=iso(clock.now() + timedelta(hours=1)),
        )
    officer = Chat(app, "can_bo_cu")
    await officer.send(f"/start {code}")
    await officer.press("I agree")
    assert "You are now an officer of Department of Agriculture and Environment" in officer.text
    user = await officer.row()
    assert user is not None and user["officer_agency"] == "so-nnmt"
