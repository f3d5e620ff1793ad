"""The /stats chart: its delivery row holds what it shows, a restart still sends it, and the
drawing happens in a worker process (matplotlib never enters the bot's own)."""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
from datetime import timedelta

import pytest
from PIL import Image

from bot.app import App
from bot.core.clock import FakeClock
from bot.stats import chart_worker
from tests.builders import known_data, make_officer
from tests.conftest import AppFactory
from tests.harness import RecordingSender

PNG = b"\x89PNG\r\n\x1a\n a drawing"


def charts(sender: RecordingSender, chat: str) -> list[bytes]:
    return [r.photo.data for c, rs in sender.sent if c == chat for r in rs if r.photo]


async def test_the_chart_row_holds_the_bars_and_a_restart_still_sends_it(
    make_app: AppFactory, clock: FakeClock, sender: RecordingSender
) -> None:
    app = await make_app()
    await known_data(app, clock)
    officer = await make_officer(app, "so")
    await officer.send("/stats")
    assert "The chart follows in a moment." in officer.text
    row = await app.deps.db.fetch_one(
        "SELECT payload, status FROM deliveries WHERE kind = 'stats_chart'"
    )
    assert row is not None and row["status"] == "pending"
    request = json.loads(row["payload"])
    # The former districts, the furthest behind first: 2 of 443 reached, then 1 of 88.
    assert request["units"] == [["Thành phố Lạng Sơn", 0.5], ["Huyện Văn Quan", 1.1]]
    assert request["year"] == 2026 and len(request["schools"]) == 3
    assert len(row["payload"]) < 500  # the figures, not a picture
    # The process dies before the outbox ran: the next one sends the chart.
    restarted = await make_app()
    await restarted.outbox.recover()
    await restarted.outbox.deliver_due()
    [png] = charts(sender, "so")
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (900, 700)
    sent = await restarted.deps.db.fetch_one("SELECT status FROM deliveries")
    assert sent is not None and sent["status"] == "sent"


async def test_a_dead_chart_worker_is_replaced(
    app: App, clock: FakeClock, sender: RecordingSender
) -> None:
    await known_data(app, clock)
    officer = await make_officer(app, "so")
    await officer.send("/stats")
    await app.outbox.deliver_due()
    assert len(charts(sender, "so")) == 1
    pool = chart_worker._pool
    assert pool is not None
    for process in list(pool._processes.values()):  # killed, as by the out-of-memory killer
        process.kill()
        process.join()
    clock.advance(timedelta(seconds=1))
    await officer.send("/stats Tân Đoàn")
    await app.outbox.deliver_due()
    assert len(charts(sender, "so")) == 2


def test_the_bot_process_does_not_load_matplotlib() -> None:
    code = "import sys, bot.app, bot.features.stats; print('matplotlib' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "False"


async def test_the_chart_is_drawn_after_its_claim_committed(
    app: App, clock: FakeClock, sender: RecordingSender, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Drawing takes 0.2 s in the worker: the database must be free meanwhile (a write while
    drawing would wait for the claim's transaction forever if it were still open)."""
    from bot.features import stats

    await known_data(app, clock)
    officer = await make_officer(app, "so")
    await officer.send("/stats")
    seen: list[str | None] = []

    async def draw(spec: chart_worker.ChartSpec) -> bytes:
        async with app.deps.db.transaction() as tx:  # would never start inside the claim
            seen.append(
                await tx.fetch_value("SELECT status FROM deliveries WHERE kind = 'stats_chart'")
            )
        return PNG

    monkeypatch.setattr(stats, "draw", draw)
    await asyncio.wait_for(app.outbox.deliver_due(), 30)
    assert seen == ["sending"]  # claimed and committed before the drawing started
    assert charts(sender, "so") == [PNG]


async def test_a_chart_that_fails_to_draw_waits_for_a_later_try(
    app: App, clock: FakeClock, sender: RecordingSender, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.features import stats

    await known_data(app, clock)
    officer = await make_officer(app, "so")
    await officer.send("/stats")

    async def broken(spec: chart_worker.ChartSpec) -> bytes:
        raise RuntimeError("the worker fell over")

    monkeypatch.setattr(stats, "draw", broken)
    stats_run = await app.outbox.deliver_due()
    assert stats_run.retried == 1 and charts(sender, "so") == []
    row = await app.deps.db.fetch_one("SELECT status FROM deliveries WHERE kind = 'stats_chart'")
    assert row is not None and row["status"] == "pending"  # back in the queue, not lost
