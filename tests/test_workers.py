"""Two workers on one database: an outbox claimed twice sends once, daily tips are queued
once, and a role (the poller, the scheduler) is held by one worker, taken over when it dies."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from bot.core.clock import FakeClock
from bot.runner import serve
from bot.settings import Settings
from bot.storage.db import open_database
from bot.storage.dialect import lock_key
from bot.storage.leader import Leadership
from bot.storage.postgres import PgDatabase
from tests.builders import subscribed_chats
from tests.conftest import AppFactory
from tests.fake_zalo import TOKEN as ZALO_TOKEN
from tests.fake_zalo import FakeZalo
from tests.harness import RecordingSender, at
from tests.loopback import serve as serve_fake
from tests.pg import backends, fresh_schema


async def test_two_workers_on_one_outbox_send_each_tip_once(
    make_app: AppFactory, clock: FakeClock, sender: RecordingSender
) -> None:
    first, second = await make_app(), await make_app()
    chats = await subscribed_chats(first, 8)
    sender.sent.clear()
    clock.set(at("2026-12-01", "07:00"))
    queued = await asyncio.gather(first.outbox.run_jobs(), second.outbox.run_jobs())
    assert sorted(queued) == [0, 8]  # queued once, whichever worker ran the job first
    stats = await asyncio.gather(
        first.outbox.deliver_due(concurrency=4), second.outbox.deliver_due(concurrency=4)
    )
    assert sum(s.sent for s in stats) == 8
    times = Counter(chat_id for chat_id, _ in sender.sent)
    assert times == Counter({chat.name: 1 for chat in chats})
    rows = await first.deps.db.fetch_all("SELECT status, COUNT(*) FROM deliveries GROUP BY 1")
    assert [tuple(r) for r in rows] == [("sent", 8)]


async def test_on_sqlite_the_only_process_always_leads(settings: Settings) -> None:
    if settings.database_url:
        pytest.skip("SQLite only: one process, no election")
    db = await open_database(settings)
    try:
        assert await Leadership(db, "poller").try_lead()
        assert await Leadership(db, "poller").try_lead()
    finally:
        await db.close()


@pytest.mark.skipif("pg" not in backends(), reason="BOT_TEST_PG is not set (see tests/pg.py)")
async def test_one_worker_leads_and_another_takes_over_when_it_dies() -> None:
    async with fresh_schema() as url:
        one, two = await PgDatabase.connect(url), await PgDatabase.connect(url)
        try:
            first, second = Leadership(one, "poller"), Leadership(two, "poller")
            assert await first.try_lead()
            assert not await second.try_lead()
            scheduler = Leadership(two, "scheduler")
            assert await scheduler.try_lead()  # another role, free
            await scheduler.resign()
            # The leader's process dies: the server ends its session.
            pid = await first._conn.fetchval("SELECT pg_backend_pid()")
            await one.fetch_all("SELECT pg_terminate_backend(?)", (pid,))
            assert not await first.still_leading()
            assert await second.try_lead()
            assert not await first.try_lead()
            await second.resign()  # a graceful stop hands the role over at once
            assert await first.try_lead()
            await first.resign()
        finally:
            await one.close()
            await two.close()


async def lock_holders(db: PgDatabase, role: str = "worker") -> list[int]:
    """The sessions holding a role's advisory lock (a 64-bit key: classid, objid)."""
    key = lock_key(db.schema, f"role:{role}") & (2**64 - 1)
    rows = await db.fetch_all(
        """SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
           AND classid::bigint = ? AND objid::bigint = ?""",
        (key >> 32, key & (2**32 - 1)),
    )
    return [int(r[0]) for r in rows]


@pytest.mark.skipif("pg" not in backends(), reason="BOT_TEST_PG is not set (see tests/pg.py)")
async def test_two_workers_one_serves_the_other_takes_over_when_it_is_cut_off(
    tmp_path: Path,
) -> None:
    fake = FakeZalo()
    async with fresh_schema() as db_url, serve_fake(fake.app()) as url:
        settings = Settings(
            db_path=str(tmp_path / "unused.db"),
            database_url=db_url,
            zalo_token=ZALO_TOKEN,
            zalo_api_base_url=url,
        )
        stops = [asyncio.Event(), asyncio.Event()]
        # Both start at once: they migrate the same empty schema side by side.
        workers = [asyncio.create_task(serve(settings, stop=s, standby=0.05)) for s in stops]
        fake.push_text("p1", "/start")
        await fake.wait_for(lambda: fake.texts("p1"))
        observer = await PgDatabase.connect(db_url)
        try:
            (holder,) = await lock_holders(observer)  # one worker serves
            # The serving worker is cut off from the database (its session ends, as when
            # its machine dies): it stops, and the standby takes over.
            await observer.fetch_all("SELECT pg_terminate_backend(?)", (holder,))
            done, _ = await asyncio.wait(workers, return_when=asyncio.FIRST_COMPLETED)
            (gone,) = done
            assert gone.result() == 3
            fake.push_text("p2", "/start")
            await fake.wait_for(lambda: fake.texts("p2"))
            assert len(fake.texts("p2")) == 1 and len(fake.texts("p1")) == 1
            (new_holder,) = await lock_holders(observer)
            assert new_holder != holder
        finally:
            await observer.close()
        for stop in stops:
            stop.set()
        (remaining,) = [w for w in workers if w is not gone]
        assert await asyncio.wait_for(remaining, 10) == 0
