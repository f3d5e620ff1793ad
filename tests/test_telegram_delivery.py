"""Daily tips through the Telegram sender: flood limits, faults, and kill/restart mid-broadcast."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.channels.telegram import Limits, Tuning
from bot.channels.telegram.limiter import Bucket, chat_kind
from bot.core.clock import LOCAL_TZ
from bot.core.messages import Choice, Reply
from bot.core.sending import PermanentFailure, RecipientGone, TemporaryFailure
from tests.builders import subscribers
from tests.fake_telegram import hang, server_error, too_many
from tests.harness_db import statuses
from tests.telegram_harness import FAST, Harness, delivered_per_chat, telegram_harness


async def deliver_everything(tg: Harness, rounds: int = 10) -> None:
    """Runs the outbox until nothing is due, moving the clock past every retry delay."""
    outbox = tg.app.outbox
    for _ in range(rounds):
        await outbox.run_jobs()
        while True:
            stats = await outbox.deliver_due()
            if not stats.sent + stats.retried + stats.dropped + stats.failed:
                break
        tg.clock.advance(timedelta(minutes=5))


async def test_broadcast_with_429s_reaches_everyone_exactly_once(tmp_path: Path) -> None:
    async with telegram_harness(tmp_path) as tg:
        chats = await subscribers(tg.app, 400)  # every fault below comes up several times
        tg.fake.faults += [
            too_many("sendMessage", retry_after=3, every=23, times=15),  # waited out in-process
            too_many("sendMessage", retry_after=120, every=97, times=3),  # rescheduled
            server_error("sendMessage", 502, every=83, times=4),
        ]
        tg.clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=LOCAL_TZ))
        await deliver_everything(tg)
        assert delivered_per_chat(tg.fake.calls) == dict.fromkeys(chats, 1)
        assert await statuses(tg.app) == {"sent": 400}
        assert 3.0 in tg.sleeps  # the limiter waited a short retry_after out
        refused = [c for c in tg.fake.calls if c.status == 429]
        assert len(refused) >= 18


async def test_kill_and_restart_mid_broadcast_delivers_the_rest_once(tmp_path: Path) -> None:
    async with telegram_harness(tmp_path) as tg:
        chats = await subscribers(tg.app, 200)
        tg.fake.faults.append(hang("sendMessage", every=80))  # the 80th never answers
        tg.clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=LOCAL_TZ))
        await tg.app.outbox.run_jobs()
        broadcast = asyncio.create_task(tg.app.outbox.deliver_due(limit=1000))
        await tg.fake.hanging.wait()
        broadcast.cancel()  # the process is killed with a request in flight
        await asyncio.gather(broadcast, return_exceptions=True)
        await tg.channel.stop()
        await tg.app.close()
        assert len(tg.fake.sent()) == 79
        assert (await statuses_of(tg, tmp_path))["sending"] == 1

        await tg.new_channel()  # a new process on the same database
        assert await tg.app.outbox.recover() == 1
        await deliver_everything(tg)
        assert delivered_per_chat(tg.fake.calls) == dict.fromkeys(chats, 1)
        assert await statuses(tg.app) == {"sent": 200}


async def statuses_of(tg: Harness, tmp_path: Path) -> Counter[str]:
    import sqlite3

    with sqlite3.connect(tmp_path / "t.db") as db:
        return Counter(str(r[0]) for r in db.execute("SELECT status FROM deliveries"))


async def test_send_errors_map_to_what_the_outbox_does(tmp_path: Path) -> None:
    async with telegram_harness(tmp_path) as tg:
        sender = tg.channel.sender
        tg.fake.blocked.add(11)
        tg.fake.deactivated.add(12)
        tg.fake.unknown_chats.add(13)
        errors = {}
        for chat in (11, 12, 13):
            try:
                await sender.send(str(chat), [Reply("hi")])
            except (RecipientGone, PermanentFailure) as exc:
                errors[chat] = type(exc)
        assert errors == {11: RecipientGone, 12: RecipientGone, 13: PermanentFailure}

        tg.fake.faults.append(server_error("sendMessage", 500, times=2))
        await sender.send("14", [Reply("after two 500s")])
        assert [c.status for c in tg.fake.called("sendMessage")][-3:] == [500, 500, 200]
        assert tg.sleeps[-2:] == [0.5, 1.0]  # capped exponential backoff

        tg.fake.faults.append(server_error("sendMessage", 503, times=10))
        try:
            await sender.send("15", [Reply("never")])
        except TemporaryFailure:
            pass
        else:
            raise AssertionError("expected a TemporaryFailure")
        assert [c.chat_id for c in tg.fake.sent()] == [14]


async def test_a_request_that_times_out_is_retried(tmp_path: Path) -> None:
    quick = Tuning(limits=FAST.limits, poll_timeout=5, read_timeout=0.3)
    async with telegram_harness(tmp_path, tuning=quick) as tg:
        tg.fake.faults.append(hang("sendMessage"))
        await tg.channel.sender.send("21", [Reply("tip")])
        assert [c.status for c in tg.fake.called("sendMessage")] == [0, 200]


async def test_rendering_keyboards_long_texts_and_files(tmp_path: Path) -> None:
    from bot.core.messages import Attachment

    async with telegram_harness(tmp_path) as tg:
        long = "\n".join(f"line {n} " + "x" * 90 for n in range(100))  # ~9,800 characters
        await tg.channel.sender.deliver(
            31,
            [
                Reply(long, choices=(Choice("A", "cmd:tip"), Choice("B", "cmd:help"))),
                Reply("Where are you?", ask_location=True),
                Reply("Thanks", choices=(Choice("OK", "cmd:help"),), ask_location=True),
                Reply("plain"),
                Reply("Your data", document=Attachment(b"{}", "mydata.json", "application/json")),
            ],
            locale="vi",
        )
        calls = tg.fake.sent(31)
        texts = [str(c.params.get("text", c.params.get("caption", ""))) for c in calls]
        assert all(len(t) <= 4096 for t in texts) and "".join(texts[:3]).count("line") == 100
        assert [c.buttons for c in calls[:3]] == [[], [], ["A", "B"]]
        assert calls[3].buttons == ["📍 Gửi vị trí của tôi"]
        assert calls[3].params["reply_markup"]["keyboard"][0][0]["request_location"] is True
        assert calls[4].buttons == ["OK"]
        assert texts[5] == "Hoặc bấm nút bên dưới để gửi vị trí của bạn."
        assert calls[6].params["reply_markup"] == {"remove_keyboard": True}
        assert calls[7].method == "sendDocument" and calls[7].files["document"][0] == "mydata.json"
        assert calls[7].params["caption"] == "Your data"
        assert calls[0].params["link_preview_options"] == {"is_disabled": True}


async def test_flood_limits_per_private_chat_and_overall(tmp_path: Path) -> None:
    """What the limiter decided to wait, on the harness's clock: no real time is measured."""
    limits = Limits(overall_per_second=0, private_per_second=20, private_burst=1)
    async with telegram_harness(tmp_path, tuning=Tuning(limits=limits, poll_timeout=5)) as tg:
        sender = tg.channel.sender
        await asyncio.gather(*(sender.send(str(chat), [Reply("hi")]) for chat in range(41, 49)))
        assert tg.sleeps == []  # different chats do not wait for each other
        await sender.send("40", [Reply(str(n)) for n in range(6)])  # one chat: 20/s
        assert tg.sleeps == pytest.approx(
            [0.05] * 5, abs=1e-5
        )  # each after the first waits its turn
        assert [c.params["text"] for c in tg.fake.sent(40)] == [str(n) for n in range(6)]

    overall = Limits(overall_per_second=25, private_per_second=0)
    async with telegram_harness(tmp_path / "2", tuning=Tuning(limits=overall)) as tg:
        sender = tg.channel.sender
        await asyncio.gather(*(sender.send(str(chat), [Reply("hi")]) for chat in range(50, 85)))
        assert tg.sleeps == pytest.approx(
            [0.04] * 10, abs=1e-5
        )  # 35 at 25/s: a burst of 25, then 10
        assert len(tg.fake.sent()) == 35


async def test_a_bucket_serves_waiters_in_order_on_the_injected_clock() -> None:
    clock = [0.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds
        await asyncio.sleep(0)

    bucket = Bucket(2, 1, lambda: clock[0], sleep)  # 2/s, bursts of 2
    served: list[int] = []

    async def request(n: int) -> None:
        async with bucket:
            served.append(n)

    await asyncio.gather(*(request(n) for n in range(5)))
    assert served == [0, 1, 2, 3, 4]
    assert waits == pytest.approx([0.5, 0.5, 0.5])
    clock[0] += 10  # idle: the bucket is empty again
    assert bucket.has_capacity(2)


def test_groups_and_channels_get_the_group_limit() -> None:
    assert [chat_kind(c) for c in (5001, "5001", -1001, "@channel", None)] == [
        "private",
        "private",
        "group",
        "group",
        None,
    ]
