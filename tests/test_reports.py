"""Market reports through the engine: the flow, photos, limits, duplicates, the photo offer."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from PIL import Image

from bot.app import App
from bot.storage import activities, photos
from bot.storage.photos import clean_copy
from tests.harness import Chat, onboard
from tests.reporting import EACH_PHOTO_STORE, jpeg_with_gps, kept_photos, send_report


@EACH_PHOTO_STORE
async def test_a_whole_report_with_photos(app: App, alice: Chat) -> None:
    await onboard(alice)
    await alice.send("/report")
    assert "Which market are you reporting on?" in alice.text
    assert alice.replies[-1].ask_location
    assert alice.choice_labels == ["Đông Kinh market"]  # the markets of her commune
    await alice.send("ky lau")  # a typo, no accents
    assert "Question 1 of 4: Are nylon bags given out freely?" in alice.text
    for answer in ("yes", "khong", "No", "Yes"):
        await alice.send(answer)
    assert "photograph stalls and bins, not people" in alice.text
    await alice.send("here it comes")
    assert "Please send a photo: a report needs at least one." in alice.text
    await alice.photo(b"<html>not a photo</html>")
    assert "I could not open that file as a photo" in alice.text
    first = jpeg_with_gps()
    await alice.photo(first)
    assert "I have 1 photo. Send another (up to 3), or press Done." in alice.text
    await alice.photo(first)
    assert "I already have this photo." in alice.text
    await alice.photo(jpeg_with_gps((10, 200, 10)))
    await alice.press("Done")
    assert "Anything to add?" in alice.text
    await alice.send("Bins are at the back")
    assert "Your report on Kỳ Lừa market:" in alice.text
    assert "• Free nylon bags: yes" in alice.text and "• Sorting bins: no" in alice.text
    assert "Photos: 2" in alice.text and "Note: Bins are at the back" in alice.text
    await alice.send("ok")
    assert "Your report no. 1 is with the moderators" in alice.text
    row = await app.deps.db.fetch_one("SELECT * FROM reports")
    assert row is not None and row["status"] == "pending" and row["market_id"] == "ky-lua"
    assert row["latitude"] is None
    assert sorted(await kept_photos(app)) == sorted(json.loads(row["photos"]))
    assert len(await kept_photos(app)) == 2


@EACH_PHOTO_STORE
async def test_stored_photos_lose_their_exif_and_are_named_by_hash(app: App, alice: Chat) -> None:
    await onboard(alice)
    photo = jpeg_with_gps()
    await send_report(alice, photos=(photo,))
    await send_report(alice, market="ba xa", photos=(photo,))  # the same photo again
    [(name, data)] = (await kept_photos(app)).items()
    assert b"Phone of Lan" not in data and b"Exif" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif()
        assert not image.getexif().get_ifd(0x8825)
        assert "exif" not in image.info
        assert image.size == (64, 64)
    assert name == hashlib.sha256(data).hexdigest()


async def test_a_shared_location_offers_the_nearest_markets_and_is_kept(
    app: App, alice: Chat
) -> None:
    await onboard(alice)
    await alice.send("/report")
    await alice.location(21.853, 106.761)  # central Lạng Sơn
    assert "The markets nearest to you" in alice.text
    assert "Kỳ Lừa market" in alice.choice_labels and "Đông Kinh market" in alice.choice_labels
    await alice.press("Kỳ Lừa")
    for _ in range(4):
        await alice.press("No")
    await alice.photo(jpeg_with_gps())
    await alice.press("Done")
    await alice.press("Skip")
    assert "Place: the location you shared" in alice.text
    await alice.press("Send")
    row = await app.deps.db.fetch_one("SELECT latitude, longitude, note FROM reports")
    assert row is not None and (row[0], row[1], row[2]) == (21.853, 106.761, "")


async def test_far_away_locations_and_unknown_names(alice: Chat) -> None:
    await onboard(alice)
    await alice.send("/report")
    await alice.location(10.77, 106.70)  # Hồ Chí Minh City
    assert "I know no market near that place" in alice.text
    await alice.send("cho xyzzy")
    assert "I don't know a market like “cho xyzzy” yet" in alice.text
    assert "/addmarket" in alice.text
    await alice.send("tan doan")  # a commune: its market
    assert "Question 1 of 4" in alice.text


async def test_the_same_market_twice_a_day_and_the_daily_limit(
    app: App, alice: Chat, clock: object
) -> None:
    await onboard(alice)
    assert "with the moderators" in await send_report(alice)
    await alice.send("/report")
    await alice.send("ky lua")
    assert "You already reported on Kỳ Lừa market today" in alice.text
    assert await alice.state() == ""
    for name in ("dong kinh", "ba xa", "tan thanh"):
        assert "with the moderators" in await send_report(alice, market=name)
    async with app.deps.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO markets (id, name, commune_code, kind, created_at) "
            "VALUES ('na-sam', 'Chợ Na Sầm', '06172', 'market', '2026-11-30')"
        )
    assert "with the moderators" in await send_report(alice, market="na sam")
    await alice.send("/report")
    assert "You have sent 5 reports today, the most for one day" in alice.text
    assert await alice.state() == ""


@EACH_PHOTO_STORE
async def test_a_photo_outside_any_step_offers_a_report(app: App, alice: Chat) -> None:
    await onboard(alice)
    await alice.photo(jpeg_with_gps())
    assert "Report a market point with this photo?" in alice.text
    await alice.send("không")
    assert "OK, I did not keep the photo." in alice.text
    assert await kept_photos(app) == {}
    await alice.photo(jpeg_with_gps())
    await alice.send("có")
    assert "Which market are you reporting on?" in alice.text
    await alice.send("dong kinh")
    for _ in range(4):
        await alice.press("Yes")
    assert "I have 1 photo." in alice.text
    await alice.press("Done")
    await alice.press("Skip")
    await alice.press("Cancel")
    assert "Cancelled: nothing was sent." in alice.text
    assert await kept_photos(app) == {}


async def test_guests_and_bad_photos_outside_a_step(alice: Chat) -> None:
    await alice.photo(jpeg_with_gps())
    assert alice.text == "Thanks, but I can't use a photo here."
    await onboard(alice)
    await alice.photo(b"GIF89a not really")
    assert "I could not open that file as a photo" in alice.text
    big = Image.new("RGB", (8000, 6000))
    out = io.BytesIO()
    big.save(out, "PNG")
    await alice.photo(out.getvalue())
    assert "This photo is too large for me" in alice.text


async def test_the_keyword_starts_a_report(alice: Chat) -> None:
    await onboard(alice)
    await alice.send("bao cao")
    assert "Which market are you reporting on?" in alice.text


@EACH_PHOTO_STORE
async def test_a_cancelled_photo_stays_while_someone_else_uses_it(app: App, alice: Chat) -> None:
    bob = Chat(app, "bob")
    await onboard(alice)
    await onboard(bob)
    shared = jpeg_with_gps((5, 5, 5))
    await bob.photo(shared)
    await bob.send("yes")  # bob's report in progress keeps the photo
    await alice.photo(shared)
    await alice.send("no")
    assert "OK, I did not keep the photo." in alice.text
    assert len(await kept_photos(app)) == 1
    await bob.send("ba xa")
    for _ in range(4):
        await bob.press("No")
    await bob.press("Done")
    await bob.press("Skip")
    await bob.press("Send")
    assert "with the moderators" in bob.text
    assert len(await kept_photos(app)) == 1


async def test_a_photo_is_cleaned_before_the_transaction_holds_the_database(
    app: App, alice: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Re-encoding a phone photo takes 0.2-0.5 s: inside the transaction it would hold the
    # database's one writer (every other person's message) all that time.
    lock = getattr(app.deps.db, "_lock", None)
    if lock is None:
        pytest.skip("SQLite's transaction lock is what is watched here")
    held: list[bool] = []

    def watched(data: bytes, max_bytes: int) -> bytes:
        held.append(lock.locked())
        return clean_copy(data, max_bytes)

    monkeypatch.setattr(photos, "clean_copy", watched)
    await onboard(alice)
    await send_report(alice, photos=(jpeg_with_gps(),))
    assert held == [False]  # once, and not under the lock
    assert len(await kept_photos(app)) == 1


@EACH_PHOTO_STORE
async def test_erasing_a_reporter_keeps_a_photo_an_activity_uses(app: App, alice: Chat) -> None:
    # The same picture in a resident's report and in an officer's logged activity is one
    # stored photo (named by its hash): erasing the resident must not take the activity's.
    officer = Chat(app, "officer")
    await onboard(officer)
    row = await officer.row()
    assert row is not None
    await onboard(alice)
    await send_report(alice, photos=(jpeg_with_gps((9, 9, 9)),))
    [name] = await kept_photos(app)
    async with app.deps.db.transaction() as tx:
        await activities.log(
            tx,
            day="2026-11-30",
            task_id="2b",
            lead_agency="so-gddt",
            commune_code=None,
            participants=10,
            audiences={},
            note="",
            photo=name,
            by=int(row["id"]),
            now="2026-11-30T01:00:00+00:00",
        )
    await alice.send("/deleteme")
    await alice.press("Yes, erase my data")
    assert "Done: I erased everything about you." in alice.text
    assert list(await kept_photos(app)) == [name]
