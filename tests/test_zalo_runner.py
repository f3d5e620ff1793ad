"""`bot run` with a Zalo token: polling, webhook, media route, and Telegram alongside."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpx

from bot.runner import serve
from bot.settings import Settings
from tests import telegram_updates as updates
from tests.fake_telegram import TOKEN as TELEGRAM_TOKEN
from tests.fake_telegram import FakeTelegram
from tests.fake_zalo import TOKEN, FakeZalo
from tests.loopback import serve as serve_fake
from tests.telegram_harness import FAST, the_spec

SECRET = "zalo-webhook-secret-1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_polling_answers_and_stops_cleanly(tmp_path: Path, database_url: str | None) -> None:
    fake = FakeZalo()
    async with serve_fake(fake.app()) as url:
        settings = Settings(
            db_path=str(tmp_path / "z.db"),
            database_url=database_url,
            zalo_token=TOKEN,
            zalo_api_base_url=url,
        )
        fake.push_text("p1", "/start")
        stop = asyncio.Event()
        running = asyncio.create_task(serve(settings, stop=stop))
        await fake.wait_for(lambda: fake.texts("p1"))
        assert "Bạn có đồng ý không?" in fake.texts("p1")[0]
        assert [m for m, _ in fake.requests][:3] == ["getMe", "deleteWebhook", "getUpdates"]
        stop.set()
        assert await asyncio.wait_for(running, 10) == 0


async def test_webhook_mode_serves_zalo_and_media_next_to_telegram(tmp_path: Path) -> None:
    port = free_port()
    zalo = FakeZalo()
    async with serve_fake(zalo.app()) as zalo_url, FakeTelegram(the_spec()) as telegram:
        settings = Settings(
            db_path=str(tmp_path / "zt.db"),
            zalo_token=TOKEN,
            zalo_api_base_url=zalo_url,
            zalo_webhook_url="https://bot.example.org/zalo/webhook",
            zalo_webhook_secret=SECRET,
            telegram_token=TELEGRAM_TOKEN,
            telegram_api_base_url=telegram.base_url,
            public_base_url="https://bot.example.org",
            http_port=port,
        )
        stop = asyncio.Event()
        running = asyncio.create_task(serve(settings, stop=stop, tuning=FAST))
        await zalo.wait_for(lambda: zalo.sent("setWebhook"))
        assert zalo.sent("setWebhook")[0]["secret_token"] == SECRET
        body = {
            "event_name": "message.text.received",
            "message": {
                "message_id": "w-1",
                "from": {"id": "zw"},
                "chat": {"id": "zw", "chat_type": "PRIVATE"},
                "text": "/help",
            },
        }
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            refused = await client.post(
                "/zalo/webhook", json=body, headers={"X-Bot-Api-Secret-Token": "wrong"}
            )
            accepted = await client.post(
                "/zalo/webhook", json=body, headers={"X-Bot-Api-Secret-Token": SECRET}
            )
            missing = await client.get("/media/no-such-token")
            health = await client.get("/healthz")
        assert (refused.status_code, accepted.status_code) == (401, 200)
        assert (missing.status_code, health.status_code) == (404, 200)
        await zalo.wait_for(lambda: zalo.texts("zw"))
        await telegram.push(updates.text(updates.user(9001), "/help"))
        await telegram.wait_for(lambda: telegram.sent(9001))
        stop.set()
        assert await asyncio.wait_for(running, 10) == 0
