"""Malformed bodies at both webhooks: a 4xx and one log line each, and nothing stored.
The same Telegram update posted three times is stored, and answered, once."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.channels.telegram.webhook import SECRET_HEADER
from bot.channels.zalo.transport import ZaloWebhook
from bot.web import build_web_app
from tests import telegram_updates as updates
from tests.telegram_harness import telegram_harness
from tests.zalo_harness import Zalo

SECRET = "s3cret_value-1"
BAD_TELEGRAM = [
    b"{",
    b"[1, 2]",
    b'{"update_id": "seven"}',
    b'{"update_id": 1, "message": "nope"}',
    b'{"update_id": 2, "message": {"chat": 5}}',
    b'{"update_id": 3, "callback_query": [1]}',
    b'"\\ud800"',
]


async def test_malformed_telegram_updates_are_refused_and_not_stored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    hook: dict[str, Any] = {
        "telegram_webhook_url": "https://bot.example.org/telegram/hook",
        "telegram_webhook_secret": SECRET,
    }
    async with telegram_harness(tmp_path, **hook) as tg:
        web = build_web_app(tg.channel.routes())
        transport = httpx.ASGITransport(app=web)
        headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
        async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
            caplog.clear()
            for body in BAD_TELEGRAM:
                answer = await client.post("/telegram/hook", content=body, headers=headers)
                assert answer.status_code == 400, body
            warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
            assert len(warnings) == len(BAD_TELEGRAM)
            assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
            assert await tg.app.deps.db.fetch_all("SELECT * FROM inbox") == []
            good = {"update_id": 41, **updates.text(updates.user(7301), "/help")}
            for _ in range(3):  # Telegram retries a webhook it thinks failed
                answer = await client.post("/telegram/hook", json=good, headers=headers)
                assert answer.status_code == 200
        await tg.app.inbox.drain()
        rows = await tg.app.deps.db.fetch_all("SELECT status FROM inbox")
        assert [r[0] for r in rows] == ["done"]
        assert len(tg.fake.sent(7301)) == 1


async def test_malformed_zalo_bodies_are_refused_and_not_stored(
    zalo: Zalo, caplog: pytest.LogCaptureFixture
) -> None:
    hook = ZaloWebhook(zalo.channel, "s3cret-value")
    headers = {"X-Bot-Api-Secret-Token": "s3cret-value"}
    bad = [b"{not json", b"[]", b'{"event_name": "message.text.received"}', b'"text"', b"\xff"]
    caplog.clear()
    for body in bad:
        status, _answer = await hook(headers, body)
        assert 400 <= status < 500, body
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == len(bad)
    assert await zalo.app.deps.db.fetch_all("SELECT * FROM inbox") == []
    update = {
        "event_name": "message.text.received",
        "message": {"message_id": "z1", "from": {"id": "u9"}, "chat": {"id": "u9"}, "text": "hi"},
    }
    for _ in range(2):
        assert (await hook(headers, json.dumps(update).encode()))[0] == 200
    await zalo.app.inbox.drain()
    assert len(await zalo.app.deps.db.fetch_all("SELECT * FROM inbox")) == 1
