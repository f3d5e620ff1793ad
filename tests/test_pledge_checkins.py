"""Weekly check-ins through the outbox, with the fake clock: at the person's hour, once, across
a restart; streaks; the end with thanks, a certificate and a renewal; a busy person; drops."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from PIL import Image

from bot.app import App
from bot.core.clock import LOCAL_TZ, FakeClock
from bot.core.messages import Reply
from bot.features.pledge_checkins import certificate_texts
from bot.pledging import certificate
from bot.storage.pledges import TakenPledge
from tests.conftest import AppFactory
from tests.harness import Chat, RecordingSender, onboard

MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=LOCAL_TZ)  # the fake clock's start


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in December 2026, Vietnam time."""
    return datetime(2026, 12, day, hour, minute, tzinfo=LOCAL_TZ)


async def tick(app: App, clock: FakeClock, moment: datetime) -> int:
    """Moves the clock, runs the jobs and delivers; returns how many deliveries were made."""
    clock.set(moment)
    made = await app.outbox.run_jobs()
    await app.outbox.deliver_due()
    return made


def delivered(sender: RecordingSender, chat: Chat) -> list[Reply]:
    return [r for cid, replies in sender.sent if cid == chat.name for r in replies]


def checkins(sender: RecordingSender, chat: Chat) -> list[str]:
    return [r.text for r in delivered(sender, chat) if "Did you keep it this week?" in r.text]


async def pledge(chat: Chat, words: str, duration: str) -> None:
    await chat.send(f"/pledge {words}")
    await chat.press(duration)
    assert "Thank you! You pledged" in chat.text, chat.text


async def streak(app: App, chat: Chat) -> list[tuple[str, int, int, str]]:
    rows = await app.deps.db.fetch_all(
        "SELECT p.pledge_key, p.streak, p.kept, p.status FROM pledges p JOIN users u "
        "ON u.id = p.user_id WHERE u.channel_user_id = ? ORDER BY p.id",
        (chat.name,),
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


async def counted(app: App, metric: str) -> int:
    row = await app.deps.db.fetch_one(
        "SELECT COALESCE(SUM(value), 0) FROM counters WHERE metric = ?", (metric,)
    )
    assert row is not None
    return int(row[0])


async def test_weekly_at_19_00_answers_build_a_streak(
    app: App, clock: FakeClock, sender: RecordingSender, alice: Chat
) -> None:
    await onboard(alice)
    await pledge(alice, "straws", "A month")
    assert await tick(app, clock, at(7, 18, 59)) == 0  # due on the 7th, at 19:00
    assert await tick(app, clock, at(7, 19, 0)) == 1
    asked = delivered(sender, alice)
    assert asked[-1].text.startswith("🗓 Week 1 of 4: I say “no straw, please”")
    assert [c.label for c in asked[-1].choices] == ["Yes, I kept it", "Not this week"]
    await alice.send("co")  # "có", accent-free
    assert "Well done! You kept it 1 week in a row." in alice.text
    assert await tick(app, clock, at(14, 19, 0)) == 1
    await alice.send("roi")  # "rồi": yes
    assert "2 weeks in a row" in alice.text
    assert await tick(app, clock, at(21, 19, 30)) == 1
    await alice.send("chua")  # "chưa": no
    assert "Thank you for being honest." in alice.text
    assert await streak(app, alice) == [("no-straws", 0, 2, "active")]
    assert await counted(app, "pledges.kept") == 2


async def test_at_the_tip_hour_of_a_subscriber(
    app: App, clock: FakeClock, sender: RecordingSender, alice: Chat
) -> None:
    await onboard(alice)
    await alice.send("/subscribe 06:30")
    await pledge(alice, "straws", "A week")
    assert await tick(app, clock, at(7, 6, 29)) == 0
    assert await tick(app, clock, at(7, 6, 30)) == 2  # the daily tip and the check-in
    assert len(checkins(sender, alice)) == 1


async def test_no_duplicate_and_no_skip_across_restarts(
    make_app: AppFactory, clock: FakeClock, sender: RecordingSender
) -> None:
    first = await make_app()
    alice = Chat(first, "alice")
    await onboard(alice)
    await pledge(alice, "straws", "A month")
    assert await tick(first, clock, at(7, 19, 5)) == 1
    assert await tick(first, clock, at(7, 19, 10)) == 0

    second = await make_app()  # a restart on the same database
    assert await tick(second, clock, at(7, 20, 0)) == 0
    assert len(checkins(sender, alice)) == 1
    # The bot is down over week 2's hour (the 14th, 19:00) and comes back on the 15th.
    third = await make_app()
    assert await tick(third, clock, at(15, 9, 0)) == 0  # before the person's hour
    assert await tick(third, clock, at(15, 19, 0)) == 1
    assert len(checkins(sender, alice)) == 2
    assert checkins(sender, alice)[-1].startswith("🗓 Week 2 of 4")
    assert await tick(third, clock, at(15, 23, 0)) == 0


async def test_a_week_left_unanswered_breaks_the_streak(
    app: App, clock: FakeClock, sender: RecordingSender, alice: Chat
) -> None:
    await onboard(alice)
    await pledge(alice, "straws", "A month")
    await tick(app, clock, at(7, 19))
    await alice.send("yes")
    old_week = [c.payload for c in delivered(sender, alice)[-1].choices]
    await tick(app, clock, at(14, 19))  # not answered
    await tick(app, clock, at(21, 19))
    assert checkins(sender, alice)[-1].startswith("🗓 Week 3 of 4")
    await alice.send_payload(old_week[0])  # an old button: not offered any more
    assert "That option has expired" in alice.text
    await alice.send("yes")
    assert await streak(app, alice) == [("no-straws", 1, 2, "active")]
    await alice.send("/checkin")
    assert "No check-in is waiting for you." in alice.text


async def test_a_completed_pledge_gets_a_certificate_and_a_renewal(
    app: App, clock: FakeClock, sender: RecordingSender, alice: Chat
) -> None:
    await onboard(alice)
    await pledge(alice, "straws", "A week")
    await tick(app, clock, at(7, 19))
    await alice.send("yes")
    assert "Your pledge “Refuse plastic straws” has ended: you kept it 1 week of 1 week." in (
        alice.text
    )
    photos = [r.photo for r in alice.replies if r.photo is not None]
    assert len(photos) == 1 and photos[0].mime_type == "image/png"
    image = Image.open(io.BytesIO(photos[0].data))
    image.verify()
    assert (image.format, image.size) == ("PNG", certificate.SIZE)
    assert "Take it again (a week)?" in alice.text
    await alice.send("co")
    assert "Renewed!" in alice.text
    assert await streak(app, alice) == [
        ("no-straws", 1, 1, "completed"),
        ("no-straws", 0, 0, "active"),
    ]
    assert await counted(app, "pledges.completed") == 1
    assert await counted(app, "pledges.taken") == 2
    assert await tick(app, clock, at(14, 19)) == 1  # the renewed pledge's first week


async def test_kept_too_rarely_ends_with_thanks_and_no_certificate(
    app: App, clock: FakeClock, alice: Chat
) -> None:
    await onboard(alice)
    await pledge(alice, "straws", "A month")
    for day, answer in ((7, "yes"), (14, "no"), (21, "no"), (28, "yes")):
        await tick(app, clock, at(day, 19))
        await alice.send(answer)
    assert "you kept it 2 weeks of 4 weeks" in alice.text
    assert "Thank you for trying, every week counts." in alice.text
    assert not [r for r in alice.replies if r.photo is not None]
    await alice.send("khong")
    assert "Send /pledge whenever you want a new one." in alice.text
    assert await streak(app, alice) == [("no-straws", 1, 2, "ended")]
    assert await counted(app, "pledges.completed") == 0


async def test_a_person_in_the_middle_of_a_step_answers_with_checkin(
    app: App, clock: FakeClock, sender: RecordingSender, alice: Chat
) -> None:
    await onboard(alice)
    await pledge(alice, "straws", "Ongoing")
    clock.set(at(7, 18, 55))
    await alice.send("/settings")
    await alice.press("Daily tip time")
    await tick(app, clock, at(7, 19))
    assert delivered(sender, alice)[-1].text.endswith("send /checkin to answer.")
    assert not delivered(sender, alice)[-1].choices
    assert await alice.state() == "settings.time"  # their step is kept
    await alice.send("/checkin")
    assert "🗓 Week 1: I say “no straw, please”" in alice.text
    await alice.send("yes")
    assert await streak(app, alice) == [("no-straws", 1, 1, "active")]


async def test_a_step_left_alone_gives_way_to_the_check_in(
    app: App, clock: FakeClock, sender: RecordingSender, alice: Chat
) -> None:
    await onboard(alice)
    await pledge(alice, "straws", "Ongoing")
    await alice.send("/mypledges")  # a question left open for days
    await tick(app, clock, at(7, 19))
    assert [c.label for c in delivered(sender, alice)[-1].choices] == [
        "Yes, I kept it",
        "Not this week",
    ]
    await alice.send("1")
    assert "1 week in a row" in alice.text


async def test_two_pledges_one_message_then_the_next_question(
    app: App, clock: FakeClock, sender: RecordingSender, alice: Chat
) -> None:
    await onboard(alice)
    await pledge(alice, "straws", "A month")
    await pledge(alice, "foam box", "A month")
    assert await tick(app, clock, at(7, 19)) == 1
    assert len(checkins(sender, alice)) == 1
    await alice.send("yes")
    assert "🗓 Week 1 of 4: I bring my own lunch box for take-away food" in alice.text
    await alice.send("no")
    assert await streak(app, alice) == [
        ("no-straws", 1, 1, "active"),
        ("no-foam-boxes", 0, 0, "active"),
    ]


async def test_a_dropped_pledge_is_not_asked_about(
    app: App, clock: FakeClock, sender: RecordingSender, alice: Chat
) -> None:
    await onboard(alice)
    await pledge(alice, "straws", "A month")
    await alice.send("/mypledges")
    await alice.press("Drop")
    await alice.press("Yes, drop it")
    assert await tick(app, clock, at(7, 19)) == 0
    assert checkins(sender, alice) == []


def test_every_certificate_text_has_all_its_glyphs(app: App) -> None:
    """Each pledge's certificate, in both languages: every character has a glyph in every face
    drawn; a character the font lacks is caught (the check can fail)."""
    taken = TakenPledge(1, 1, "x", 13, "completed", "2026-11-30", 10, 10, "", None)
    for locale in ("vi", "en"):
        _ = app.deps.i18n.translator(locale)
        for pledge in app.deps.content.pledges:
            texts = certificate_texts(_, pledge, taken, MONDAY)
            for path, size in certificate.FACES:
                face = certificate.font(path, size)
                assert certificate.missing_glyphs(texts.text, face) == set(), (pledge.id, locale)
    face = certificate.font(certificate.REGULAR, 38)
    assert certificate.missing_glyphs("Chứng nhận ặ ữ ỡ 한 ☃", face) == {"한", "☃"}
    vietnamese = "ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
    assert certificate.missing_glyphs(vietnamese + vietnamese.upper(), face) == set()


def test_the_certificate_is_a_png(app: App) -> None:
    _ = app.deps.i18n.translator("vi")
    pledge = app.deps.content.pledge("banana-leaves")
    taken = TakenPledge(1, 1, "banana-leaves", 4, "completed", "2026-11-30", 4, 4, "", None)
    data = certificate.render(certificate_texts(_, pledge, taken, MONDAY + timedelta(days=28)))
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    assert image.size == certificate.SIZE
    texts = certificate_texts(_, pledge, taken, MONDAY)
    assert texts.title == "Chứng nhận hoàn thành cam kết"
    assert texts.detail == "Giữ được 4 tuần trên 4 tuần"
    # Not a blank page: the text is drawn in ink darker than the paper.
    darkest = image.convert("L").getextrema()[0]  # one band: (darkest, lightest)
    assert isinstance(darkest, int | float) and darkest < 100


async def test_after_weeks_without_the_bot_only_the_latest_week_is_asked(
    make_app: AppFactory, clock: FakeClock, sender: RecordingSender
) -> None:
    first = await make_app()
    alice = Chat(first, "alice")
    await onboard(alice)
    await pledge(alice, "straws", "A month")
    # Down from before week 1's hour (the 7th) until after week 3's (the 21st).
    second = await make_app()
    assert await tick(second, clock, at(22, 8)) == 0  # back in the morning: waits for 19:00
    assert await tick(second, clock, at(22, 19)) == 1
    assert await tick(second, clock, at(22, 19, 1)) == 0
    assert checkins(sender, alice) == [checkins(sender, alice)[0]]
    assert checkins(sender, alice)[0].startswith("🗓 Week 3 of 4")
    await alice.send("yes")
    assert await tick(second, clock, at(28, 19)) == 1
    assert checkins(sender, alice)[-1].startswith("🗓 Week 4 of 4")
