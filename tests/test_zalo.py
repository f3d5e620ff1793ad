"""The Zalo channel against a fake Zalo Bot API on loopback."""

from __future__ import annotations

import ipaddress
import json
import logging
from datetime import timedelta
from typing import Any

import httpx
import pytest

from bot.channels.zalo.api import ZaloApi
from bot.channels.zalo.download import DownloadPolicy, UnsafeDownload, fetch_image, public
from bot.channels.zalo.transport import ZaloWebhook
from bot.core.clock import FakeClock
from bot.core.messages import Reply
from tests.conftest import AppFactory
from tests.fake_zalo import TOKEN
from tests.zalo_harness import Zalo, make_zalo, png


async def test_onboarding_journey_with_numbered_answers(zalo: Zalo) -> None:
    first = await zalo.say("u1", "/start")
    assert "Bạn có đồng ý không?" in first[0]
    assert "1. Tôi đồng ý" in first[0]  # no buttons on Zalo: numbered lines
    await zalo.say("u1", "1")
    await zalo.say("u1", "nguoi dan")  # the option's words, without accents
    done = await zalo.say("u1", "dong kinh")
    assert any("Phường Đông Kinh" in t for t in done)
    row = await zalo.app.deps.db.fetch_one(
        "SELECT audience, commune_code, onboarded_at FROM users WHERE channel = 'zalo'"
    )
    assert row is not None and (row[0], row[1]) == ("resident", "05977") and row[2]


async def test_replayed_update_is_handled_once_and_the_poller_does_not_spin(zalo: Zalo) -> None:
    zalo.fake.replay = True
    zalo.fake.push_text("u2", "/help")
    assert await zalo.poller.poll_once() == "handled"
    assert await zalo.poller.poll_once() == "repeat"
    assert await zalo.poller.poll_once() == "repeat"
    assert len(zalo.fake.texts("u2")) == 1
    assert zalo.pauses.seconds == [1.0, 1.0]


@pytest.mark.parametrize("http_status", [200, 408])
async def test_request_timeout_envelope_means_nothing_new(zalo: Zalo, http_status: int) -> None:
    zalo.fake.idle_http_status = http_status
    assert await zalo.poller.poll_once() == "idle"
    assert zalo.pauses.seconds == [1.0]


async def test_failures_back_off_doubling_up_to_a_cap(zalo: Zalo) -> None:
    zalo.fake.failures = [(502, 502, "Bad Gateway")] * 8
    for _ in range(8):
        assert await zalo.poller.poll_once() == "error"
    assert zalo.pauses.seconds == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]
    zalo.fake.push_text("u3", "/help")
    assert await zalo.poller.poll_once() == "handled"
    assert zalo.poller.failures == 0


async def test_polling_removes_a_webhook_first(zalo: Zalo) -> None:
    zalo.fake.webhook_url = "https://bot.example.org/zalo/webhook"
    assert await zalo.poller.poll_once() == "error"  # refused while a webhook is set
    await zalo.poller.prepare()
    zalo.fake.push_text("u4", "/help")
    assert await zalo.poller.poll_once() == "handled"


async def test_long_replies_are_split_under_2000_characters(zalo: Zalo) -> None:
    await zalo.say("u5", "/start")
    await zalo.say("u5", "1")
    await zalo.say("u5", "1")
    await zalo.say("u5", "dong kinh")
    await zalo.channel.send("u5", [Reply("\n".join("dòng " + "x" * 90 for _ in range(60)))])
    long_parts = zalo.fake.texts("u5")[-3:]
    assert all(len(t) <= 2000 for t in zalo.fake.texts("u5"))
    assert len(long_parts) == 3


async def test_webhook_checks_the_secret_and_accepts_flat_and_wrapped_bodies(zalo: Zalo) -> None:
    hook = ZaloWebhook(zalo.channel, "s3cret-value")
    update: dict[str, Any] = {
        "event_name": "message.text.received",
        "message": {
            "message_id": "m1",
            "from": {"id": "w1"},
            "chat": {"id": "w1", "chat_type": "PRIVATE"},
            "text": "/help",
        },
    }
    body = json.dumps(update).encode()
    assert (await hook({"X-Bot-Api-Secret-Token": "wrong"}, body))[0] == 401
    assert (await hook({}, body))[0] == 401
    headers = {"X-Bot-Api-Secret-Token": "s3cret-value"}
    assert (await hook(headers, b""))[0] == 200  # empty probe
    assert (await hook(headers, b"{not json"))[0] == 400
    assert (await hook(headers, body))[0] == 200
    wrapped = {
        "ok": True,
        "result": {**update, "message": {**update["message"], "message_id": "m2"}},
    }
    assert (await hook(headers, json.dumps(wrapped).encode()))[0] == 200
    assert (await hook(headers, body))[0] == 200  # a retry of m1
    await zalo.app.inbox.drain()
    assert len(zalo.fake.texts("w1")) == 2


async def test_photo_downloads_are_guarded(zalo: Zalo) -> None:
    zalo.fake.files["ok.png"] = (png(), "image/png")
    zalo.fake.files["fake.png"] = (b"<html>not an image</html>", "image/png")
    zalo.fake.files["huge.png"] = (png(300), "image/png")
    for text in ("/start", "1", "1", "dong kinh", "/lang en"):
        await zalo.say("u6", text)
    for name in ("fake.png", "huge.png"):
        zalo.fake.push_photo("u6", f"{zalo.url}/cdn/{name}")
        await zalo.poller.poll_once()
        assert "could not open that photo" in zalo.fake.texts("u6")[-1]
    zalo.fake.push_photo("u6", f"{zalo.url}/cdn/ok.png")
    await zalo.poller.poll_once()
    # It reached the engine: a photo outside any step offers a market report.
    assert "Report a market point with this photo?" in zalo.fake.texts("u6")[-1]


def test_default_policy_refuses_loopback_and_http() -> None:
    policy = DownloadPolicy()
    for url in (
        "http://127.0.0.1/x.png",
        "https://127.0.0.1/x.png",
        "file:///etc/passwd",
        "https://evil.example/zdn.vn.png",
        "https://zdn.vn.evil.example/x.png",
    ):
        with pytest.raises(UnsafeDownload, match=r"not allowed|allow-list"):
            policy.check_url(url)
    policy.check_url("https://photo-stal-1.zdn.vn/a.jpg")
    with pytest.raises(UnsafeDownload, match="port"):
        policy.check_url("https://photo-stal-1.zdn.vn:8443/a.jpg")


@pytest.mark.parametrize(
    "host", ["localhost", "127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "0.0.0.0", "240.0.0.1"]
)
async def test_an_allowed_name_that_resolves_inside_is_refused(host: str) -> None:
    """An allowed host name pointed (by DNS) at a loopback, private, link-local or reserved
    address is refused before any connection; the numbers stand for what DNS answered."""
    policy = DownloadPolicy(allowed_hosts=(host,))
    url = f"https://{host if ':' not in host else f'[{host}]'}/a.jpg"
    policy.check_url(url)  # the name is allowed...
    async with httpx.AsyncClient() as client:
        with pytest.raises(UnsafeDownload, match="non-public address"):
            await fetch_image(client, url, policy)  # ...but not where it leads


def test_public_addresses() -> None:
    assert public(ipaddress.ip_address("8.8.8.8")) and public(ipaddress.ip_address("2001:4860::1"))
    for inside in ("192.168.1.1", "172.16.0.1", "100.64.0.1", "::ffff:127.0.0.1", "fe80::1"):
        assert not public(ipaddress.ip_address(inside)), inside


async def test_broadcast_with_an_unreachable_chat(zalo: Zalo, clock: FakeClock) -> None:
    for user in ("z1", "z2", "z3"):
        for text in ("/start", "1", "1", "dong kinh", "/subscribe 07:00"):
            await zalo.say(user, text)
    zalo.fake.unreachable.add("z2")
    clock.advance(timedelta(days=1))
    await zalo.app.outbox.run_jobs()
    stats = await zalo.app.outbox.deliver_due()
    assert (stats.sent, stats.dropped) == (2, 1)
    row = await zalo.app.deps.db.fetch_one(
        "SELECT reachable, tip_time FROM users WHERE channel_user_id = 'z2'"
    )
    assert row is not None and (row[0], row[1]) == (0, None)


async def test_documents_become_links_or_an_explanation(make_app: AppFactory, zalo: Zalo) -> None:
    await zalo.say("d1", "/start")
    replies = await zalo.say("d1", "/mydata")
    assert any("Zalo không nhận được tệp" in t for t in replies)
    public = await make_zalo(zalo.app, zalo.fake, zalo.url, public="https://bot.example.org")
    zalo.fake.push_text("d1", "/mydata")
    await public.poller.poll_once()
    link = zalo.fake.texts("d1")[-1]
    assert "https://bot.example.org/media/" in link
    token = link.split("/media/")[1].split()[0]
    stored = await public.channel.media.get(token)
    assert stored is not None and json.loads(stored.data)["user"][0]["channel"] == "zalo"
    assert await public.channel.media.get("not-a-token") is None
    await public.channel.api.close()
    await public.channel.downloads.aclose()


async def test_the_token_never_reaches_logs_or_errors(
    zalo: Zalo, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    zalo.fake.failures = [(500, 500, "boom")]
    await zalo.poller.poll_once()
    broken = ZaloApi(TOKEN, base_url="http://127.0.0.1:9")  # nothing listens there
    with pytest.raises(Exception) as raised:
        await broken.call("getMe")
    await broken.close()
    secret = TOKEN.split(":")[1]
    assert secret not in str(raised.value)
    assert secret not in caplog.text


async def test_foundation_journeys_replayed_on_zalo(zalo: Zalo, clock: FakeClock) -> None:
    # English, then answers by number or by the option's words without accents
    for text in ("/start", "3", "i agree", "student", "1", "11 to 14", "yes", "tan doan"):
        await zalo.say("j1", text)
    row = await zalo.app.deps.db.fetch_one(
        "SELECT audience, school_level, age_band, commune_code FROM users "
        "WHERE channel_user_id = 'j1'"
    )
    assert row is not None and tuple(row) == ("student", "primary", "11-14", "06316")
    tip = await zalo.say("j1", "/tip")
    assert tip[0].startswith("💡") and "Source:" in tip[0]
    await zalo.say("j1", "/subscribe 25:99")
    assert "HH:MM" in zalo.fake.texts("j1")[-1]
    await zalo.say("j1", "/subscribe 06:30")
    settings = await zalo.say("j1", "/settings")
    assert "6:30" in settings[0] and "\n5. " in settings[0]  # numbered options
    await zalo.say("j1", "5")
    await zalo.say("j1", "/deleteme")
    await zalo.say("j1", "1")
    assert (
        await zalo.app.deps.db.fetch_one("SELECT 1 FROM users WHERE channel_user_id = 'j1'") is None
    )
