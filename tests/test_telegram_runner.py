"""`bot run` with a Telegram token: polling or webhook, the scheduler, SIGTERM, secrets."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import time
from collections import Counter
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot import early_signals
from bot.channels.telegram import Tuning
from bot.channels.telegram.webhook import SECRET_HEADER as TELEGRAM_SECRET_HEADER
from bot.channels.telegram.webhook import webhook_route
from bot.core.clock import LOCAL_TZ, FakeClock
from bot.runner import serve
from bot.settings import Settings
from bot.web import build_web_app
from tests import telegram_updates as updates
from tests.builders import subscribers
from tests.fake_telegram import TOKEN, FakeTelegram, Fault, too_many
from tests.harness_app import open_app
from tests.harness_db import statuses
from tests.telegram_harness import FAST, delivered_per_chat, the_spec

SECRET = "s3cret_webhook-token"


def settings_for(fake: FakeTelegram, tmp_path: Path, **extra: object) -> Settings:
    return Settings(
        db_path=str(tmp_path / "run.db"),
        telegram_token=TOKEN,
        telegram_api_base_url=fake.base_url,
        **extra,  # type: ignore[arg-type]
    )


async def test_polling_answers_and_sigterm_stops_within_ten_seconds(tmp_path: Path) -> None:
    async with FakeTelegram(the_spec()) as fake:
        settings = settings_for(fake, tmp_path)
        running = asyncio.create_task(serve(settings, tuning=FAST))
        await fake.push(updates.text(updates.user(8001), "/start"))
        await fake.wait_for(lambda: fake.sent(8001))
        assert fake.called("getMe") and fake.called("setMyCommands")
        help_id = await fake.push(updates.text(updates.user(8001), "/help"))
        await fake.wait_for(lambda: fake.acked > help_id)  # confirmed to Telegram
        os.kill(os.getpid(), signal.SIGTERM)  # what a Procfile platform sends
        started = time.perf_counter()
        assert await asyncio.wait_for(running, 10) == 0
        assert time.perf_counter() - started < 10
        texts = [c.params["text"] for c in fake.sent(8001)]
        assert any(t.startswith("What I can do") for t in texts)  # received before SIGTERM
        assert fake.acked == 3  # both updates confirmed to Telegram: none is fetched again
        assert fake.violations == []


async def test_a_sigterm_while_starting_up_ends_cleanly_before_anything_is_received(
    tmp_path: Path,
) -> None:
    """Platforms may stop a worker at any moment, start-up (migrations) included."""
    async with FakeTelegram(the_spec()) as fake:
        await fake.push(updates.text(updates.user(8002), "/start"))
        running = asyncio.create_task(serve(settings_for(fake, tmp_path), tuning=FAST))
        await asyncio.sleep(0)  # the task runs up to its first wait: opening the database
        os.kill(os.getpid(), signal.SIGTERM)
        assert await asyncio.wait_for(running, 10) == 0
        assert not fake.called("getUpdates") and fake.acked == 0


async def test_a_sigterm_while_the_bot_imports_is_kept_and_ends_it_cleanly(
    tmp_path: Path,
) -> None:
    """`bot run` records a SIGTERM that lands before its loop listens (Python's default would
    end it with -15); `serve` then stops at once, with 0, and receives nothing."""
    async with FakeTelegram(the_spec()) as fake:
        await fake.push(updates.text(updates.user(8003), "/start"))
        early_signals.catch()  # what the console script does first
        try:
            os.kill(os.getpid(), signal.SIGTERM)  # lands "during the imports"
            code = await asyncio.wait_for(serve(settings_for(fake, tmp_path), tuning=FAST), 10)
        finally:
            left = early_signals.take()  # not handed over: not delivered to pytest either
            early_signals.release()
        assert code == 0 and not left
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
        assert not fake.called("getUpdates") and fake.acked == 0


def test_other_commands_get_a_signal_recorded_while_importing_back() -> None:
    """Every command but `bot run` on a platform acts on it as Python would have."""
    early_signals.catch()
    signal.raise_signal(signal.SIGINT)  # recorded, not acted on
    with pytest.raises(KeyboardInterrupt):
        early_signals.release()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    early_signals.release()  # a second call does nothing


async def test_stop_mid_broadcast_then_restart_delivers_each_once(tmp_path: Path) -> None:
    clock = FakeClock(datetime(2026, 12, 1, 7, 0, tzinfo=LOCAL_TZ))
    async with FakeTelegram(the_spec()) as fake:
        settings = settings_for(fake, tmp_path)
        app = await open_app(settings, clock=clock)
        chats = await subscribers(app, 300)
        await app.close()
        stop = asyncio.Event()
        running = asyncio.create_task(serve(settings, stop=stop, tuning=FAST, clock=clock))
        await fake.wait_for(lambda: len(fake.sent()) >= 100)
        stop.set()
        assert await asyncio.wait_for(running, 10) == 0
        first = len(fake.sent())
        assert first < 300  # the rest stayed queued

        stop = asyncio.Event()
        running = asyncio.create_task(serve(settings, stop=stop, tuning=FAST, clock=clock))
        await fake.wait_for(lambda: len(fake.sent()) >= 300)
        stop.set()
        assert await asyncio.wait_for(running, 10) == 0
        assert delivered_per_chat(fake.calls) == dict.fromkeys(chats, 1)
        assert fake.violations == []


async def test_stopping_stops_receiving_first_and_answers_every_acknowledged_update(
    tmp_path: Path,
) -> None:
    """Stop while a tip and answers are in flight and more updates wait: receiving stops at
    once (before the delivery in flight is finished), then every update Telegram was told we
    have is answered, even through a short 429; the rest stays with Telegram."""
    clock = FakeClock(datetime(2026, 12, 1, 7, 0, tzinfo=LOCAL_TZ))
    async with FakeTelegram(the_spec()) as fake:
        settings = settings_for(fake, tmp_path)
        app = await open_app(settings, clock=clock)
        [subscriber] = await subscribers(app, 1)
        await app.close()
        fake.hold("sendMessage")  # every message stays in flight until released
        stop = asyncio.Event()
        running = asyncio.create_task(serve(settings, stop=stop, tuning=FAST, clock=clock))
        try:
            await fake.wait_for(lambda: fake.held)  # the 07:00 tip is being delivered
            sender_of: dict[int, int] = {}
            for person, count in ((8301, 3), (8302, 1), (8303, 1)):
                for _ in range(count):
                    update_id = await fake.push(updates.text(updates.user(person), "/help"))
                    sender_of[update_id] = person
            # Fetched and confirmed; one answer per person in flight, 8301's others queued.
            await fake.wait_for(lambda: fake.acked > max(sender_of) and len(fake.held) == 4)
            fake.faults.append(too_many("sendMessage", retry_after=1))  # a short 429 pause
            stop.set()
            late = await fake.push(updates.text(updates.user(8304), "/help"))
            sender_of[late] = 8304
            # Receiving stops (the last getUpdates only confirms) with all still in flight:
            # had the tip in flight been waited for first, it would have been given up.
            await fake.wait_for(
                lambda: [c for c in fake.called("getUpdates") if c.params.get("timeout") == 0]
            )
        finally:
            await fake.release()
        assert await asyncio.wait_for(running, 10) == 0

        acknowledged = [u for u in sender_of if u < fake.acked]
        answers = Counter(c.chat_id for c in fake.sent() if c.chat_id != subscriber)
        # What the stop cut short is still stored, and is answered at the next start.
        app = await open_app(settings, clock=clock)
        rows = await app.deps.db.fetch_all("SELECT update_key FROM inbox WHERE status = 'new'")
        await app.close()
        waiting = Counter(sender_of[int(r[0])] for r in rows)
        assert answers + waiting == Counter(sender_of[u] for u in acknowledged)
        assert 8304 in answers or any(u["update_id"] == late for u in fake.pending)
        assert delivered_per_chat(fake.calls)[subscriber] == 1
        assert any(c.status == 429 for c in fake.calls)
        assert fake.violations == []
    app = await open_app(settings, clock=clock)
    assert await statuses(app) == {"sent": 1}  # the tip in flight finished
    await app.close()


async def test_a_refused_webhook_stops_cleanly_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with FakeTelegram(the_spec()) as fake:
        refusal = "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
        fake.faults.append(Fault("setWebhook", 400, refusal))
        settings = settings_for(
            fake,
            tmp_path,
            telegram_webhook_url="https://bot.example.org/telegram/hook",
            telegram_webhook_secret=SECRET,
            http_port=port,
        )
        code = await asyncio.wait_for(serve(settings, tuning=FAST), 10)
        calls_at_exit = len(fake.calls)
        assert code == 2
        err = capsys.readouterr().err
        assert "Telegram refused TELEGRAM_WEBHOOK_URL" in err and "Traceback" not in err
        with pytest.raises(httpx.ConnectError):  # the web server was stopped
            async with httpx.AsyncClient() as client:
                await client.get(f"http://127.0.0.1:{port}/healthz")
        assert len(fake.calls) == calls_at_exit  # and nothing of the bot talks to Telegram
        assert fake.violations == []


async def test_webhook_mode_sets_the_webhook_and_serves_updates(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a free port for the bot's web server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with FakeTelegram(the_spec()) as fake:
        settings = settings_for(
            fake,
            tmp_path,
            telegram_webhook_url="https://bot.example.org/telegram/hook",
            telegram_webhook_secret=SECRET,
            http_port=port,
        )
        stop = asyncio.Event()
        running = asyncio.create_task(serve(settings, stop=stop, tuning=FAST))
        [hook] = await fake.wait_for(lambda: fake.called("setWebhook"))
        assert hook.params["url"] == "https://bot.example.org/telegram/hook"
        assert hook.params["secret_token"] == SECRET
        assert hook.params["allowed_updates"] == ["message", "callback_query", "my_chat_member"]
        update = {"update_id": 77, **updates.text(updates.user(8200), "/start")}
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            refused = await client.post("/telegram/hook", json=update)
            accepted = await client.post(
                "/telegram/hook", json=update, headers={TELEGRAM_SECRET_HEADER: SECRET}
            )
            health = await client.get("/healthz")
        assert (refused.status_code, accepted.status_code, health.status_code) == (403, 200, 200)
        [greeting] = await fake.wait_for(lambda: fake.sent(8200))
        assert "Do you agree?" in greeting.params["text"]
        assert not fake.called("getUpdates")
        stop.set()
        assert await asyncio.wait_for(running, 10) == 0
        assert fake.violations == []


@pytest.fixture
def received() -> list[dict[str, object]]:
    return []


async def test_webhook_route_checks_secret_and_content_type(
    received: list[dict[str, object]],
) -> None:
    async def store(update: dict[str, Any]) -> bool:
        received.append(update)
        return True

    app = build_web_app([webhook_route("/telegram/hook", SECRET, store, lambda _: True)])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
        update = {"update_id": 1, **updates.text(updates.user(8100), "/start")}
        good = {TELEGRAM_SECRET_HEADER: SECRET}
        wrong = await client.post(
            "/telegram/hook", json=update, headers={TELEGRAM_SECRET_HEADER: "x"}
        )
        missing = await client.post("/telegram/hook", json=update)
        assert (wrong.status_code, missing.status_code) == (403, 403)
        with_charset = await client.post(
            "/telegram/hook",
            content=httpx.Request("POST", "/", json=update).content,
            headers={**good, "Content-Type": "application/json; charset=utf-8"},
        )
        plain = await client.post("/telegram/hook", json=update, headers=good)
        assert (with_charset.status_code, plain.status_code) == (200, 200)
        text = await client.post(
            "/telegram/hook", content=b"hi", headers={**good, "Content-Type": "text/plain"}
        )
        broken = await client.post(
            "/telegram/hook", content=b"{", headers={**good, "Content-Type": "application/json"}
        )
        assert (text.status_code, broken.status_code) == (415, 400)
        health = await client.get("/healthz")
        assert health.json() == {"status": "ok"}
    assert len(received) == 2


async def test_the_token_never_reaches_the_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with FakeTelegram(the_spec()) as fake:
        settings = settings_for(fake, tmp_path)
        stop = asyncio.Event()
        running = asyncio.create_task(serve(settings, stop=stop, tuning=FAST))
        await fake.wait_for(lambda: fake.called("deleteWebhook"))  # polling starts
        logging.getLogger("test").info("calling %s/getMe", fake.base_url + TOKEN)
        stop.set()
        assert await asyncio.wait_for(running, 10) == 0
    secret_half = TOKEN.split(":", 1)[1]
    assert caplog.records
    assert all(secret_half not in r.getMessage() for r in caplog.records)
    assert any("***" in r.getMessage() for r in caplog.records)
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING


async def test_a_refused_token_stops_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with FakeTelegram(the_spec(), token="1:other") as fake:
        code = await serve(settings_for(fake, tmp_path), tuning=replace(FAST, poll_timeout=1))
    assert code == 2
    assert "Telegram refused TELEGRAM_BOT_TOKEN" in capsys.readouterr().err
    assert isinstance(FAST, Tuning)
