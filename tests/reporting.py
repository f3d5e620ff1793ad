"""Helpers for market report tests: photos with metadata, a whole report, a moderator, the
photos kept (in the folder or in the database, BOT_PHOTO_STORE)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.app import App
from tests.harness import Chat

# Runs a test with the report photos in a folder, then in the database's `photos` table.
EACH_PHOTO_STORE = pytest.mark.parametrize("photo_store", ["folder", "database"])

# GPS position written into test photos: it must never reach the stored file.
GPS_LATITUDE = (21.0, 51.0, 12.34)


def jpeg_with_gps(colour: tuple[int, int, int] = (200, 40, 40), size: int = 64) -> bytes:
    """A real JPEG with EXIF: a camera model, and a GPS position (IFD 0x8825)."""
    image = Image.new("RGB", (size, size), colour)
    exif = Image.Exif()
    exif[0x0110] = "Phone of Lan"  # Model
    exif[0x8825] = {1: "N", 2: GPS_LATITUDE, 3: "E", 4: (106.0, 45.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert b"Phone of Lan" in data
    with Image.open(io.BytesIO(data)) as check:
        assert check.getexif().get_ifd(0x8825)[1] == "N"  # the position is really there
    return data


async def send_report(
    chat: Chat,
    market: str = "ky lua",
    answers: tuple[str, ...] = ("Yes", "No", "No", "No"),
    photos: tuple[bytes, ...] | None = None,
    note: str | None = "Stall 12 sells cloth bags",
) -> str:
    """Sends a whole report; returns the last answer's text."""
    await chat.send("/report")
    assert "Which market are you reporting on?" in chat.text, chat.text
    await chat.send(market)
    for answer in answers:
        assert "Question" in chat.text, chat.text
        await chat.press(answer)
    assert "Now send one to three photos" in chat.text, chat.text
    for photo in photos or (jpeg_with_gps(),):
        await chat.photo(photo)
    if "Done" in chat.choice_labels:
        await chat.press("Done")
    if note is None:
        await chat.press("Skip")
    else:
        await chat.send(note)
    assert "Send it?" in chat.text, chat.text
    await chat.press("Send")
    return chat.text


async def delivered(app: App) -> None:
    """Runs the jobs and the outbox once, as the scheduler would."""
    await app.outbox.run_jobs()
    await app.outbox.deliver_due()


async def photos_by_store(app: App) -> dict[str, dict[str, bytes]]:
    """The report photos in the folder and in the database's table, by name."""
    folder = app.deps.settings.photo_dir
    rows = await app.deps.db.fetch_all("SELECT name, data FROM photos ORDER BY name")
    return {
        "folder": {p.stem: p.read_bytes() for p in sorted(folder.glob("*.jpg"))},
        "database": {str(r[0]): bytes(r[1]) for r in rows},
    }


async def kept_photos(app: App) -> dict[str, bytes]:
    """Every report photo kept, by name; all of them in the store the settings chose."""
    found = await photos_by_store(app)
    chosen = "database" if app.deps.settings.photos_in_database else "folder"
    other = found["folder" if chosen == "database" else "database"]
    assert not other, f"photos in the store not chosen: {sorted(other)}"
    return found[chosen]
