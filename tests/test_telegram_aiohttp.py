"""The channel's HTTP backends (aiohttp, and `LeanHttp` for the JSON calls, under
python-telegram-bot) against the fake Bot API.

Each test drives a real `telegram.Bot` through `AiohttpRequest` and through `LeanRequest` over
loopback: the answers and failures must reach the caller as the same python-telegram-bot errors
as with its own httpx backend, since the limiter, the sender and the poller all decide on those.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.channels.telegram.aiohttp_request import AiohttpRequest, LeanRequest, env_proxy
from bot.channels.telegram.lean import LeanBot
from bot.channels.telegram.limiter import Limits, TelegramRateLimiter, retry_seconds
from tests.fake_telegram import TOKEN, FakeTelegram, hang, server_error, too_many
from tests.telegram_harness import the_spec

Kind = type[AiohttpRequest]


@pytest.fixture(params=[AiohttpRequest, LeanRequest], ids=["aiohttp", "lean"])
def kind(request: pytest.FixtureRequest) -> Kind:
    return request.param  # type: ignore[no-any-return]


@asynccontextmanager
async def bot_on(
    fake: FakeTelegram, request: AiohttpRequest
) -> AsyncIterator[tuple[Bot, AiohttpRequest]]:
    bot = Bot(TOKEN, base_url=fake.base_url, request=request)
    async with bot:
        yield bot, request
    assert fake.violations == [], fake.violations


@asynccontextmanager
async def fake_api() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(the_spec()) as fake:
        yield fake


async def test_messages_keyboards_and_uploads_arrive_as_sent(kind: Kind) -> None:
    async with fake_api() as fake, bot_on(fake, kind(connections=4, read_timeout=5)) as (bot, _):
        sent = await bot.send_message(7, "Xin chào ✅", reply_markup=None)
        await bot.send_document(7, InputFile(b'{"a": 1}', filename="data.json"), caption="Dữ liệu")
        assert sent.text == "Xin chào ✅" and sent.chat.id == 7
        texts, document = fake.sent(7)
        assert texts.params["text"] == "Xin chào ✅"
        assert document.files["document"] == ("data.json", b'{"a": 1}')
        assert document.params["caption"] == "Dữ liệu"


async def test_lean_bot_calls_answer_json_and_fail_as_python_telegram_bots_errors(
    kind: Kind,
) -> None:
    """`LeanBot.call`: JSON parameters skip python-telegram-bot's conversions, its objects
    take its own path; either way the limiter sees the call and the errors are its own."""
    waits: list[float] = []

    async def no_wait(seconds: float) -> None:
        waits.append(seconds)

    limiter = TelegramRateLimiter(Limits(0, 0, 0, max_retries=0), sleep=no_wait)
    request = kind(connections=2, read_timeout=5)
    async with fake_api() as fake:
        bot = LeanBot(TOKEN, base_url=fake.base_url, request=request, rate_limiter=limiter)
        async with bot:
            keyboard = {"inline_keyboard": [[{"text": "Đồng ý", "callback_data": "yes"}]]}
            sent = await bot.call(
                "sendMessage",
                {
                    "chat_id": 7,
                    "text": "Xin chào",
                    "reply_markup": keyboard,
                    "reply_parameters": None,
                },
            )
            assert sent["text"] == "Xin chào" and sent["chat"]["id"] == 7
            objects = InlineKeyboardMarkup([[InlineKeyboardButton("B", callback_data="b")]])
            await bot.call("sendMessage", {"chat_id": 7, "text": "b", "reply_markup": objects})
            first, second = fake.sent(7)
            assert _markup(first.params["reply_markup"]) == keyboard
            assert _markup(second.params["reply_markup"])["inline_keyboard"][0][0]["text"] == "B"
            assert await bot.call("answerCallbackQuery", {"callback_query_id": "q1"}) is True
            fake.blocked.add(8)
            with pytest.raises(Forbidden):
                await bot.call("sendMessage", {"chat_id": 8, "text": "c"})
            fake.faults += [server_error("sendMessage", 502), too_many("sendMessage", 3)]
            with pytest.raises(NetworkError):
                await bot.call("sendMessage", {"chat_id": 7, "text": "d"})
            with pytest.raises(RetryAfter) as throttled:
                await bot.call("sendMessage", {"chat_id": 7, "text": "e"})
            assert retry_seconds(throttled.value) == 3
        assert fake.violations == [], fake.violations


def _markup(value: object) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else value  # type: ignore[return-value]


async def test_refusals_become_python_telegram_bots_errors(kind: Kind) -> None:
    async with fake_api() as fake, bot_on(fake, kind(connections=4, read_timeout=5)) as (bot, _):
        fake.faults += [too_many("sendMessage", retry_after=7), server_error("sendMessage", 502)]
        with pytest.raises(RetryAfter) as throttled:
            await bot.send_message(7, "a")
        assert retry_seconds(throttled.value) == 7
        with pytest.raises(NetworkError):
            await bot.send_message(7, "b")
        fake.blocked.add(8)
        with pytest.raises(Forbidden):
            await bot.send_message(8, "c")
        fake.unknown_chats.add(9)
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(9, "d")
        assert (await bot.send_message(7, "e")).text == "e"  # the pool still works


async def test_an_answer_that_does_not_come_in_time_is_a_timeout(kind: Kind) -> None:
    request = kind(connections=2, read_timeout=5)
    async with fake_api() as fake, bot_on(fake, request) as (bot, _):
        fake.faults.append(hang("sendMessage"))
        with pytest.raises(TimedOut):
            await bot.send_message(7, "hangs", read_timeout=0.05)
        assert fake.hanging.is_set()
        assert (await bot.send_message(7, "next")).text == "next"


async def test_waiting_too_long_for_a_free_connection_is_a_timeout(kind: Kind) -> None:
    request = kind(connections=1, read_timeout=5, pool_timeout=0.05)
    async with fake_api() as fake, bot_on(fake, request) as (bot, _):
        fake.hold("sendMessage")
        first = asyncio.create_task(bot.send_message(7, "first"))
        await fake.wait_for(lambda: fake.held)  # it holds the only connection
        with pytest.raises(TimedOut):
            await bot.send_message(7, "second", connect_timeout=0)
        await fake.release()
        assert (await first).text == "first"
        assert [c.params["text"] for c in fake.sent(7)] == ["first"]


async def test_an_unreachable_server_is_a_network_error(kind: Kind) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = kind(connections=1)
    bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=request)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as failed:
            await bot.get_me()
        assert not isinstance(failed.value, TimedOut)
    finally:
        await request.shutdown()


async def test_closed_then_opened_again(kind: Kind) -> None:
    async with (
        fake_api() as fake,
        bot_on(fake, kind(connections=4, read_timeout=5)) as (bot, request),
    ):
        await request.shutdown()
        with pytest.raises(NetworkError, match="not initialized"):
            await bot.send_message(7, "closed")
        await request.initialize()
        assert (await bot.send_message(7, "open")).text == "open"


def test_the_proxy_named_by_the_environment_is_used_as_httpx_would(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"):
        for variant in (name, name.lower()):
            monkeypatch.delenv(variant, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("ALL_PROXY", "http://all.example:8080")
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    env_proxy.cache_clear()
    try:
        assert env_proxy("https", "api.telegram.org") == "http://proxy.example:3128"
        assert env_proxy("http", "bot-api.example") == "http://all.example:8080"
        assert env_proxy("http", "127.0.0.1") is None
    finally:
        env_proxy.cache_clear()


async def test_a_failure_never_names_the_token(kind: Kind) -> None:
    request = kind(connections=1)
    bot = Bot(TOKEN, base_url="http://127.0.0.1:1:2/bot", request=request)  # not a valid URL
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as failed:
            await bot.get_me()
        assert TOKEN not in str(failed.value)
    finally:
        await request.shutdown()
