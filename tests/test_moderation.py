"""Moderating market reports: the queue, every outcome and the reporter's notice, trust, bans,
areas, the daily digest, /market pages, officers' markets, and erasure."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from bot.app import App
from bot.core.clock import FakeClock
from tests.builders import make_officer
from tests.conftest import ADMIN
from tests.harness import Chat, RecordingSender, consented, onboard
from tests.reporting import EACH_PHOTO_STORE, delivered, jpeg_with_gps, kept_photos, send_report


async def commune_officer(app: App, name: str, commune: str) -> Chat:
    admin = Chat(app, ADMIN)
    if await admin.row() is None:
        await consented(admin)  # an admin agrees like everyone else
    await admin.send("/invite officer")
    await admin.press("UBND xã")  # a commune's committee: always of one commune
    await admin.send(commune)
    code = re.search(r"/start ([A-Z0-9]{8})\b", admin.text)
    assert code is not None, admin.text
    officer = Chat(app, name)
    await officer.send(f"/start {code[1]}")
    await officer.press("I agree")
    if "You're all set" not in officer.text:  # the invite's commune may already be theirs
        await officer.send(commune)
    assert "You're all set" in officer.text, officer.text
    return officer


@EACH_PHOTO_STORE
async def test_approval_and_the_reporters_notice(
    app: App, alice: Chat, sender: RecordingSender
) -> None:
    await onboard(alice)
    await send_report(alice)
    env = await make_officer(app, "env", "Sở NN&MT")
    await alice.send("/market ky lua")
    assert "No approved report yet" in alice.text  # nothing shown before approval
    await env.send("/queue")
    photos = [r for r in env.replies if r.photo is not None]
    assert [r.text for r in photos] == ["Photo 1 of report no. 1"]
    assert b"Exif" not in photos[0].photo.data  # type: ignore[union-attr]
    assert "Market reports waiting in the whole province: 1." in env.text
    assert "Report no. 1 on Kỳ Lừa market (Phường Kỳ Lừa)" in env.text
    assert "• Free nylon bags: yes" in env.text and "Note: Stall 12 sells cloth bags" in env.text
    await env.press("Approve")
    assert "Approved: report no. 1. The sender will be told." in env.text
    assert "No market report is waiting in the whole province." in env.text
    await delivered(app)
    assert sender.to("alice") == [
        "Good news: your report no. 1 on Kỳ Lừa market was approved. Thank you! It is on "
        "the market's page: /market Chợ Kỳ Lừa"
    ]
    row = await app.deps.db.fetch_one(
        "SELECT d.decision, d.decided_by, u.channel_user_id, d.decided_at, r.status "
        "FROM report_decisions d JOIN users u ON u.id = d.decided_by "
        "JOIN reports r ON r.id = d.report_id"
    )
    assert row is not None and tuple(row)[:3] == ("approved", row[1], "env")
    assert row[3] == "2026-11-30T01:00:00+00:00" and row[4] == "approved"
    await alice.send("/market Chợ Kỳ Lừa")
    assert "Last report," in alice.text and "• Free nylon bags: yes" in alice.text
    assert "Approved reports this month: 1" in alice.text
    assert alice.replies[0].photo is not None


async def test_rejection_with_a_reason_in_the_reporters_language(
    app: App, sender: RecordingSender
) -> None:
    hoa = Chat(app, "hoa")
    await onboard(hoa)
    await send_report(hoa)
    await hoa.send("/lang vi")
    env = await make_officer(app, "env", "Sở NN&MT")
    await env.send("/queue")
    await env.press("Reject")
    assert "Why is it rejected?" in env.text
    await env.send("The photo shows a person's face")
    assert "Rejected: report no. 1. The sender will be told." in env.text
    await delivered(app)
    [notice] = sender.to("hoa")
    assert notice.startswith("Báo cáo số 1 của bạn về Chợ Kỳ Lừa chưa được duyệt.")
    assert "“The photo shows a person's face”" in notice


async def test_asking_for_more_and_the_answer_back_in_the_queue(
    app: App, alice: Chat, sender: RecordingSender
) -> None:
    await onboard(alice)
    await send_report(alice)
    env = await make_officer(app, "env", "Sở NN&MT")
    await env.send("/queue")
    await env.press("Ask for more")
    await env.send("Which stall sells the cloth bags?")
    assert "Asked: report no. 1." in env.text
    await delivered(app)
    assert "Send /report to answer it." in sender.to("alice")[0]
    await alice.send("/report")
    assert "A moderator asked about your report no. 1: “Which stall sells" in alice.text
    await alice.send("Stall 12, near the gate")
    assert "your answer is added to report no. 1" in alice.text
    await env.send("/queue")
    assert "Asked: Which stall sells the cloth bags?" in env.text
    assert "Answered: Stall 12, near the gate" in env.text
    await env.press("Approve")
    history = await app.deps.db.fetch_all("SELECT decision FROM report_decisions ORDER BY id")
    assert [r[0] for r in history] == ["info", "answered", "approved"]


async def test_trust_skips_the_queue_and_officers_are_trusted(
    app: App, alice: Chat, sender: RecordingSender
) -> None:
    await onboard(alice)
    await send_report(alice)
    env = await make_officer(app, "env", "Sở NN&MT")
    await env.send("/queue")
    await env.press("trust the sender")
    assert "their next reports skip the queue" in env.text
    text = await send_report(alice, market="dong kinh")
    assert "Your report no. 2 is on Đông Kinh market's page" in text
    bob = Chat(app, "bob")
    await onboard(bob)
    assert "with the moderators" in await send_report(bob, market="ba xa")  # not trusted
    edu = await make_officer(app, "edu", "Sở GD&ĐT")
    assert "is on Ba Xa market's page" in await send_report(edu, market="ba xa")
    statuses = await app.deps.db.fetch_all("SELECT id, status FROM reports ORDER BY id")
    assert [tuple(r) for r in statuses][1:] == [(2, "approved"), (3, "pending"), (4, "approved")]
    decided = await app.deps.db.fetch_one(
        "SELECT reason, decided_by FROM report_decisions WHERE report_id = 4"
    )
    assert decided is not None and tuple(decided) == ("trusted reporter", None)


async def test_a_ban_hides_waiting_reports_and_stops_new_ones(app: App, alice: Chat) -> None:
    await onboard(alice)
    await send_report(alice)
    await send_report(alice, market="ba xa")
    env = await make_officer(app, "env", "Sở NN&MT")
    await env.send("/queue")
    assert "waiting in the whole province: 2." in env.text
    await env.press("Ban the sender")
    await env.send("yes")
    assert "Banned: the sender's reports are hidden." in env.text
    assert "No market report is waiting in the whole province." in env.text
    await alice.send("/report")
    assert "a moderator has stopped your market reports" in alice.text
    await alice.photo(jpeg_with_gps())
    assert "a moderator has stopped your market reports" in alice.text


async def test_areas_own_reports_and_who_may_moderate(app: App, alice: Chat) -> None:
    await onboard(alice)
    await send_report(alice)  # Kỳ Lừa, Phường Kỳ Lừa
    await send_report(alice, market="ba xa")  # Xã Tân Đoàn
    local = await commune_officer(app, "local", "tan doan")
    await local.send("/queue")
    assert "Market reports waiting in Xã Tân Đoàn: 1." in local.text
    assert "Report no. 2 on Ba Xa market" in local.text
    await local.send_payload("mq:approve:1")  # forged: outside their area
    assert "That option has expired" in local.text
    edu = await make_officer(app, "edu", "Sở GD&ĐT")
    await edu.send("/queue")
    assert "Market reports are moderated by officers of the Department" in edu.text
    await send_report(local, market="ba xa")  # an officer: published at once
    env = await make_officer(app, "env", "Sở NN&MT")
    await env.send("/queue")
    assert "waiting in the whole province: 2." in env.text
    await env.press("Later")
    assert "Report no. 2 on Ba Xa market" in env.text
    await env.press("Later")
    assert "No more reports for now." in env.text


async def test_the_daily_digest_goes_out_once_a_day(
    app: App, alice: Chat, clock: FakeClock, sender: RecordingSender
) -> None:
    await onboard(alice)
    await make_officer(app, "env", "Sở NN&MT")
    await delivered(app)
    assert sender.to("env") == []  # nothing waits: no digest
    await send_report(alice)
    await send_report(alice, market="ba xa")
    clock.advance(timedelta(hours=-1))  # 07:00, before the working day
    await delivered(app)
    assert sender.to("env") == []
    clock.advance(timedelta(hours=2))
    await delivered(app)
    await delivered(app)
    digests = [t for t in sender.to("env") if not t.startswith("Reminder: the yearly report")]
    assert digests == [  # (30 November, 09:00: officers are also reminded of the yearly report)
        "2 market reports are waiting for a moderator. Send /queue to go through them."
    ]
    assert sender.to("alice") == []  # reporters get no digest


async def test_officers_add_markets_and_mark_model_points(app: App, alice: Chat) -> None:
    env = await make_officer(app, "env", "Sở NN&MT")
    await env.send("/addmarket")
    assert "Usage: /addmarket NAME, COMMUNE" in env.text
    await env.send("/addmarket Chợ Na Sầm, Na Sầm")
    assert "Is Chợ Na Sầm a registered model point against nylon bags?" in env.text
    await env.press("Yes")
    assert "Saved: Chợ Na Sầm is a registered model point." in env.text
    await env.send("/addmarket Chợ Na Sầm, Na Sầm")
    assert "Chợ Na Sầm is already listed." in env.text
    await onboard(alice)
    await alice.send("/market na sam")
    assert "A registered model point against nylon bags." in alice.text
    assert "with the moderators" in await send_report(alice, market="na sam")
    await env.send("/modelpoint ba xa")
    await env.press("No")
    await alice.send("/market ba xa")
    assert "Not a registered model point (yet)." in alice.text
    local = await commune_officer(app, "local", "tan doan")
    await local.send("/modelpoint ky lua")
    assert "This market is not in your area." in local.text


@EACH_PHOTO_STORE
async def test_mydata_lists_reports_and_deleteme_keeps_only_approved_records(
    app: App, alice: Chat
) -> None:
    await onboard(alice)
    await send_report(alice, photos=(jpeg_with_gps((1, 2, 3)),))
    await send_report(alice, market="ba xa", photos=(jpeg_with_gps((9, 9, 9)),))
    env = await make_officer(app, "env", "Sở NN&MT")
    await env.send("/queue")
    await env.press("Approve")
    await alice.send("/mydata")
    assert "Market report no. 1 (ky-lua): approved" in alice.text
    assert "Market report no. 2 (ba-xa): waiting for a moderator" in alice.text
    [document] = [r.document for r in alice.replies if r.document is not None]
    listed = [json.loads(r["photos"]) for r in json.loads(document.data)["market_reports"]]
    assert len(listed) == 2
    assert sorted(await kept_photos(app)) == sorted(p for ps in listed for p in ps)
    await alice.send("/deleteme")
    await alice.press("Yes, erase")
    rows = await app.deps.db.fetch_all("SELECT id, user_id, status FROM reports")
    assert [tuple(r) for r in rows] == [(1, None, "approved")]
    assert list(await kept_photos(app)) == listed[0]  # the approved report's photo
    sent = await app.deps.db.fetch_one(
        "SELECT sum(value) FROM counters WHERE metric = 'reports.sent'"
    )
    assert sent is not None and sent[0] == 2
    await env.send("/market ky lua")
    assert "Last report," in env.text
