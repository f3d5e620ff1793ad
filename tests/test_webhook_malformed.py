"""Malformed requests at both webhooks, through the web server's routes: a 4xx, nothing stored.

Completes tests/test_webhook_bodies.py (bodies that are not updates) with what reaches the
route itself: a wrong or missing secret, a wrong content type, an oversized or empty body,
and updates whose fields have the wrong types.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import App
from bot.channels.telegram.webhook import SECRET_HEADER
from bot.channels.zalo.transport import SECRET_HEADER as ZALO_SECRET_HEADER
from bot.channels.zalo.transport import ZaloWebhook
from bot.web import build_web_app, handler_route
from bot.web_post import MAX_BODY
from tests.telegram_harness import telegram_harness
from tests.zalo_harness import Zalo

SECRET = "s3cret_value-1"
HUGE = b'{"update_id": 9, "pad": "' + b"x" * MAX_BODY + b'"}'
WRONG_TYPES_TELEGRAM = [
    b'{"update_id": 4, "message": {"message_id": "x", "date": "now", "chat": {"id": "abc"}}}',
    b'{"update_id": 5, "message": {"message_id": 1, "date": 1, "chat": {"id": 7, "type": 5}}}',
    b'{"update_id": 6, "callback_query": {"id": 1, "from": "me", "chat_instance": 2}}',
    b'{"update_id": 7.5, "message": {"message_id": 1}}',
    b'{"update_id": true}',
]


async def inbox_rows(app: App) -> int:
    row = await app.deps.db.fetch_one("SELECT count(*) FROM inbox")
    assert row is not None
    return int(row[0])


async def test_telegram_webhook_refuses_bad_requests_with_a_4xx_and_stores_nothing(
    tmp_path: Path,
) -> None:
    hook: dict[str, Any] = {
        "telegram_webhook_url": "https://bot.example.org/telegram/hook",
        "telegram_webhook_secret": SECRET,
    }
    async with telegram_harness(tmp_path, **hook) as tg:
        transport = httpx.ASGITransport(app=build_web_app(tg.channel.routes()))
        good = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
        cases: list[tuple[dict[str, str], bytes, int]] = [
            ({"Content-Type": "application/json"}, b'{"update_id": 1}', 403),  # no secret
            ({**good, SECRET_HEADER: "guess"}, b'{"update_id": 1}', 403),
            ({**good, "Content-Type": "text/plain"}, b'{"update_id": 1}', 415),
            (good, HUGE, 413),
            (good, b"", 400),
            *[(good, body, 400) for body in WRONG_TYPES_TELEGRAM],
        ]
        async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
            for headers, body, status in cases:
                answer = await client.post("/telegram/hook", content=body, headers=headers)
                assert answer.status_code == status, body[:80]
        await tg.app.inbox.drain()
        assert await inbox_rows(tg.app) == 0
        assert tg.fake.sent() == []


WRONG_ZALO = [
    {"event_name": "message.text.received", "message": {"message_id": "z1", "from": {}}},
    {
        "event_name": "message.text.received",
        "message": {"message_id": ["z2"], "from": {"id": "u1"}, "text": "hi"},
    },
    {
        "event_name": "message.text.received",
        "message": {"message_id": "z3", "from": {"id": {"x": 1}}, "text": "hi"},
    },
    {
        "event_name": "message.text.received",
        "message": {"message_id": "z4", "from": {"id": "u1"}, "chat": {"id": [1]}, "text": "hi"},
    },
    {"event_name": "message.text.received", "message": {"message_id": "z5", "from": {"id": "u1"}}},
    {
        "event_name": "message.text.received",
        "message": {"message_id": True, "from": {"id": "u1"}, "text": "hi"},
    },
]


@pytest.mark.parametrize("update", WRONG_ZALO)
async def test_zalo_updates_with_wrong_fields_are_refused_and_not_stored(
    zalo: Zalo, update: dict[str, object]
) -> None:
    hook = ZaloWebhook(zalo.channel, "s3cret-value")
    status, _ = await hook({ZALO_SECRET_HEADER: "s3cret-value"}, json.dumps(update).encode())
    assert status == 400
    assert await inbox_rows(zalo.app) == 0


async def test_zalo_webhook_route_refuses_bad_requests_with_a_4xx_and_stores_nothing(
    zalo: Zalo,
) -> None:
    hook = ZaloWebhook(zalo.channel, "s3cret-value")
    web = build_web_app([handler_route("/zalo/webhook", hook, authorized=hook.authorized)])
    good = {ZALO_SECRET_HEADER: "s3cret-value", "Content-Type": "application/json"}
    cases: list[tuple[dict[str, str], bytes, int]] = [
        ({"Content-Type": "application/json"}, b"{}", 401),  # no secret
        ({**good, ZALO_SECRET_HEADER: "guess"}, b"{}", 401),
        (good, HUGE, 413),
        (good, b"{not json", 400),
        (good, b"\xff\xfe", 400),
        (good, json.dumps(WRONG_ZALO[1]).encode(), 400),
    ]
    transport = httpx.ASGITransport(app=web)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
        for headers, body, status in cases:
            answer = await client.post("/zalo/webhook", content=body, headers=headers)
            assert answer.status_code == status, body[:80]
    await zalo.app.inbox.drain()
    assert await inbox_rows(zalo.app) == 0
