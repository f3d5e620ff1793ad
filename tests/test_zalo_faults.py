"""Zalo under faults: hostile photos, crashing rounds, restarts, shutdown, secrets, media."""

from __future__ import annotations

import asyncio
import struct
import zlib
from collections.abc import AsyncIterator, Mapping
from datetime import timedelta

import httpx
import pytest

from bot.channels.zalo.api import ZaloApiError, send_error
from bot.channels.zalo.media import media_route
from bot.core.clock import FakeClock
from bot.core.messages import Attachment, Reply
from bot.core.sending import PermanentFailure, RecipientGone, TemporaryFailure
from bot.settings import SettingsError, load_settings
from bot.web import build_web_app, handler_route
from tests.conftest import AppFactory
from tests.loopback import serve
from tests.zalo_harness import Zalo, make_zalo, png


def bomb_png(side: int = 20_000) -> bytes:
    """A tiny PNG whose header claims a huge picture (a 'decompression bomb')."""
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


async def onboard_en(z: Zalo, user: str) -> None:
    for text in ("/start", "1", "1", "dong kinh", "/lang en"):
        await z.say(user, text)


async def test_hostile_photos_are_refused_and_polling_goes_on(zalo: Zalo) -> None:
    zalo.fake.files["bomb.png"] = (bomb_png(), "image/png")
    zalo.fake.files["ok.png"] = (png(), "image/png")
    await onboard_en(zalo, "h1")
    for url in (f"{zalo.url}/cdn/bomb.png", f"{zalo.url}/cdn/redirect-ok.png"):
        zalo.fake.push_photo("h1", url)
        assert await zalo.poller.poll_once() == "handled"
        assert "could not open that photo" in zalo.fake.texts("h1")[-1]
    assert await zalo.say("h1", "/help")


async def test_a_failing_round_does_not_end_polling(
    zalo: Zalo, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = zalo.channel.handle_update
    calls = 0

    async def flaky(update: object) -> bool:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("a bug")
        return await real(update)

    monkeypatch.setattr(zalo.channel, "handle_update", flaky)
    zalo.fake.push_text("f1", "/help")
    zalo.fake.push_text("f1", "/help")
    stop = asyncio.Event()
    running = asyncio.create_task(zalo.poller.run(stop))
    await zalo.fake.wait_for(lambda: zalo.fake.texts("f1"))
    stop.set()
    await asyncio.wait_for(running, 5)
    assert len(zalo.fake.texts("f1")) == 1 and calls >= 2


async def test_seen_ids_survive_a_restart(make_app: AppFactory, zalo: Zalo) -> None:
    update = {
        "event_name": "message.text.received",
        "message": {
            "message_id": "same-1",
            "from": {"id": "r1"},
            "chat": {"id": "r1", "chat_type": "PRIVATE"},
            "text": "/help",
        },
    }
    assert await zalo.channel.handle_update(update)
    again = await make_zalo(await make_app(), zalo.fake, zalo.url)
    try:
        assert not await again.channel.handle_update(update)
    finally:
        await again.channel.api.close()
        await again.channel.downloads.aclose()
    assert len(zalo.fake.texts("r1")) == 1


async def test_an_answer_to_a_gone_chat_marks_the_person_unreachable(zalo: Zalo) -> None:
    await onboard_en(zalo, "g1")
    await zalo.say("g1", "/subscribe 07:00")
    zalo.fake.unreachable.add("g1")
    zalo.fake.push_text("g1", "/help")
    await zalo.poller.poll_once()
    row = await zalo.app.deps.db.fetch_one(
        "SELECT reachable, tip_time FROM users WHERE channel_user_id = 'g1'"
    )
    assert row is not None and (row[0], row[1]) == (0, None)


async def test_outbox_sends_wait_while_stopping(zalo: Zalo) -> None:
    zalo.channel.stopping = True
    with pytest.raises(Exception, match="stopping"):
        await zalo.channel.send("x", [Reply("hello")])
    assert zalo.fake.sent("sendMessage", "x") == []


async def test_photos_go_out_by_a_media_url_that_expires(zalo: Zalo, clock: FakeClock) -> None:
    public = await make_zalo(zalo.app, zalo.fake, zalo.url, public="https://bot.example.org")
    picture = png()
    await public.channel.send(
        "m1", [Reply("A chart", photo=Attachment(picture, "c.png", "image/png"))]
    )
    url = zalo.fake.sent("sendPhoto", "m1")[0]["photo"]
    assert url.startswith("https://bot.example.org/media/") and len(url.rsplit("/", 1)[1]) >= 40
    path = "/media/" + url.rsplit("/", 1)[1]
    web = build_web_app([media_route(public.channel.media)])
    async with serve(web) as base, httpx.AsyncClient(base_url=base) as client:
        served = await client.get(path)
        assert (served.status_code, served.content) == (200, picture)
        assert served.headers["content-type"] == "image/png"
        clock.advance(timedelta(days=3))
        assert (await client.get(path)).status_code == 404
    await public.channel.api.close()
    await public.channel.downloads.aclose()


async def test_webhook_route_refuses_before_reading_and_caps_the_body() -> None:
    seen: list[bytes] = []

    async def handler(headers: Mapping[str, str], body: bytes) -> tuple[int, dict[str, object]]:
        seen.append(body)
        return 200, {"ok": True}

    route = handler_route("/hook", handler, authorized=lambda h: h.get("x-ok") == "1")

    async def endless() -> AsyncIterator[bytes]:
        for _ in range(300):
            yield b"x" * 8192

    ok = {"x-ok": "1"}
    async with serve(build_web_app([route])) as base, httpx.AsyncClient(base_url=base) as client:
        assert (await client.post("/hook", content=b"{}")).status_code == 401
        assert (await client.post("/hook", content=endless(), headers=ok)).status_code == 413
        assert (await client.post("/hook", content=b"{}", headers=ok)).status_code == 200
    assert seen == [b"{}"]


def test_zalo_errors_map_to_the_shared_send_errors() -> None:
    def mapped(code: int, text: str) -> type[Exception]:
        return type(send_error(ZaloApiError("sendMessage", code, text)))

    assert mapped(410, "The chat_id is invaild") is RecipientGone
    assert mapped(400, "The chat_id is invaild") is RecipientGone
    assert mapped(400, "chat_id is required") is PermanentFailure
    assert mapped(401, "Unauthorized") is TemporaryFailure
    assert mapped(502, "Bad Gateway") is TemporaryFailure


def test_photo_hosts_must_be_real_host_names() -> None:
    with pytest.raises(SettingsError, match="ZALO_PHOTO_HOSTS"):
        load_settings(environ={"ZALO_PHOTO_HOSTS": "zdn.vn,vn"})
    assert load_settings(
        environ={"ZALO_PHOTO_HOSTS": "zdn.vn, cdn.example.org"}
    ).zalo_photo_hosts == (
        "zdn.vn",
        "cdn.example.org",
    )
