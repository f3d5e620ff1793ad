"""/mydata shows everything stored about a person; /deleteme erases it, keeping the totals."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.messages import Attachment
from tests.harness import Chat, RecordingSender, onboard

PERSONAL = ("conversations", "tips_seen", "deliveries")


def attached(chat: Chat) -> dict[str, Any]:
    documents = [r.document for r in chat.replies if r.document is not None]
    assert len(documents) == 1, chat.replies
    document: Attachment = documents[0]
    assert (document.filename, document.mime_type) == ("mydata.json", "application/json")
    data: dict[str, Any] = json.loads(document.data.decode())
    return data


async def rows_of(app: App, user_id: int) -> dict[str, int]:
    db = app.deps.db
    found = {}
    user = await db.fetch_one("SELECT count(*) FROM users WHERE id = ?", (user_id,))
    assert user is not None
    found["users"] = user[0]
    for table in PERSONAL:
        row = await db.fetch_one(f"SELECT count(*) FROM {table} WHERE user_id = ?", (user_id,))
        assert row is not None
        found[table] = row[0]
    return found


async def counters(app: App) -> list[tuple[object, ...]]:
    rows = await app.deps.db.fetch_all("SELECT * FROM counters ORDER BY metric, period")
    return [tuple(r) for r in rows]


async def with_history(app: App, clock: FakeClock, chat: Chat) -> None:
    """Onboarded, two tips asked for, subscribed, and one daily tip delivered."""
    await onboard(chat)
    await chat.send("/tip")
    await chat.send("/tip")
    await chat.send("/subscribe 08:30")
    clock.advance(timedelta(hours=1))
    assert await app.outbox.run_jobs() >= 1
    assert (await app.outbox.deliver_due()).sent >= 1


async def test_mydata_for_a_guest(app: App) -> None:
    guest = Chat(app, "guest")
    await guest.send("/mydata")
    assert "Everything I store about you:" in guest.text
    assert "I only keep your chat id, so that I can answer you. Nothing else." in guest.text
    data = attached(guest)
    [user] = data["user"]
    assert user["channel_user_id"] == "guest"
    assert user["consent_at"] is None and user["commune_code"] is None
    assert data["tips_seen"] == [] and data["deliveries"] == []
    row = await guest.row()
    assert row is not None and user["id"] == row["id"]


async def test_mydata_for_a_member_has_their_commune_and_tips(
    app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    alice = Chat(app, "alice")
    await with_history(app, clock, alice)
    assert any("Your tip for today" in text for text in sender.to("alice"))
    await alice.send("/mydata")
    assert "Your settings:" in alice.text
    assert "Commune: Phường Đông Kinh" in alice.text
    assert "Who you are: Resident" in alice.text
    assert "Tips received: 3" in alice.text
    data = attached(alice)
    [user] = data["user"]
    assert (user["commune_code"], user["audience"], user["tip_time"]) == (
        "05977",
        "resident",
        "08:30",
    )
    row = await alice.row()
    assert row is not None
    seen = await app.deps.db.fetch_all(
        "SELECT tip_id FROM tips_seen WHERE user_id = ? ORDER BY id", (row["id"],)
    )
    assert [t["tip_id"] for t in data["tips_seen"]] == [r[0] for r in seen]
    assert len(seen) == 3
    assert [(d["kind"], d["status"]) for d in data["deliveries"]] == [("daily_tip", "sent")]


async def test_deleteme_erases_every_row_and_keeps_the_totals(app: App, clock: FakeClock) -> None:
    alice, bob = Chat(app, "alice"), Chat(app, "bob")
    await with_history(app, clock, alice)
    await onboard(bob, "Teacher", "Tân Đoàn")
    await bob.send("/tip")
    row = await alice.row()
    assert row is not None
    alice_id = row["id"]
    bob_row = await bob.row()
    assert bob_row is not None
    assert await rows_of(app, alice_id) == {
        "users": 1,
        "conversations": 1,
        "tips_seen": 3,
        "deliveries": 1,
    }
    bob_before = await rows_of(app, bob_row["id"])
    totals = await counters(app)
    joined = await app.deps.db.fetch_one("SELECT sum(value) FROM counters WHERE metric = 'joined'")
    assert joined is not None and joined[0] == 2

    await alice.send("/deleteme")
    assert "This cannot be undone." in alice.text
    assert await rows_of(app, alice_id) == {
        "users": 1,
        "conversations": 1,
        "tips_seen": 3,
        "deliveries": 1,
    }
    await alice.press("Yes, erase my data")
    assert "Done: I erased everything about you." in alice.text

    assert await alice.row() is None
    assert await rows_of(app, alice_id) == dict.fromkeys(("users", *PERSONAL), 0)
    assert await counters(app) == totals  # the joined (and delivered) figures stay
    assert await rows_of(app, bob_row["id"]) == bob_before  # nobody else's rows went

    await alice.send("/start")
    assert "Do you agree?" in alice.text
    again = await alice.row()
    assert again is not None
    assert again["consent_at"] is None and again["audience"] is None
    assert again["commune_code"] is None and again["tip_time"] is None
    assert await alice.state() == "onboarding.consent"
    await alice.send("/mydata")
    data = attached(alice)
    assert data["tips_seen"] == [] and data["deliveries"] == []


async def test_deleteme_then_no_keeps_everything(app: App, clock: FakeClock) -> None:
    alice = Chat(app, "alice")
    await with_history(app, clock, alice)
    row = await alice.row()
    assert row is not None
    before = await rows_of(app, row["id"])
    user_before = tuple(row)
    totals = await counters(app)

    await alice.send("/deleteme")
    await alice.press("No, keep it")
    assert "Nothing was erased." in alice.text
    assert await alice.state() == ""
    after = await alice.row()
    assert after is not None and tuple(after) == user_before
    assert await rows_of(app, row["id"]) == before
    assert await counters(app) == totals


async def test_a_guest_can_erase_their_chat_id_too(app: App) -> None:
    guest = Chat(app, "guest")
    await guest.send("/deleteme")
    await guest.send("1")  # "Yes, erase my data"
    assert "Done: I erased everything about you." in guest.text
    assert await guest.row() is None
    users = await app.deps.db.fetch_one("SELECT count(*) FROM users")
    assert users is not None and users[0] == 0


async def test_pledges_are_listed_then_erased_and_only_their_counts_stay(
    app: App, clock: FakeClock
) -> None:
    alice = Chat(app, "alice")
    await onboard(alice)
    await alice.send("/pledge straws")
    await alice.press("A month")
    clock.advance(timedelta(days=7, hours=12))  # the first check-in, at 19:00 on day 7
    assert await app.outbox.run_jobs() == 1
    assert (await app.outbox.deliver_due()).sent == 1
    await alice.send("yes")
    row = await alice.row()
    assert row is not None
    await alice.send("/mydata")
    assert "Pledges: 1 (Refuse plastic straws)" in alice.text
    data = attached(alice)
    assert [(p["pledge_key"], p["weeks"], p["streak"]) for p in data["pledges"]] == [
        ("no-straws", 4, 1)
    ]
    assert [(c["week"], c["answer"]) for c in data["pledge_checkins"]] == [(1, "kept")]
    totals = await counters(app)
    assert {t[0] for t in totals} >= {"pledges.taken", "pledges.kept"}

    await alice.send("/deleteme")
    await alice.press("Yes, erase my data")
    for table in ("pledges", "pledge_checkins"):
        left = await app.deps.db.fetch_one(
            f"SELECT count(*) FROM {table} WHERE user_id = ?", (row["id"],)
        )
        assert left is not None and left[0] == 0, table
    assert await counters(app) == totals
