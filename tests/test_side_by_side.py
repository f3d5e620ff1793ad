"""Workers side by side on one PostgreSQL: updates stored by any of them are handled once
each, one person's in order, whichever worker holds the person's lease; a dead worker's
people come back to the others once its leases ran out; a stale handler is fenced off."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from datetime import timedelta

import pytest

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.messages import Incoming
from bot.core.shared_inbox import SharedInbox
from bot.settings import Settings
from bot.storage import inbox as store
from bot.storage.inbox import Stored
from tests.conftest import AppFactory

Seen = list[tuple[str, str, int]]  # (worker, person, number)


def pg_only(settings: Settings) -> None:
    if not settings.database_url:
        pytest.skip("PostgreSQL only: on SQLite one process serves, without leases")


def recorder(name: str, seen: Seen) -> object:
    async def handler(item: Stored) -> None:
        seen.append((name, item.person, json.loads(item.payload)["n"]))
        await asyncio.sleep(0)  # let the other worker run in between

    return handler


async def two_workers(make_app: AppFactory, seen: Seen) -> tuple[App, App]:
    first, second = await make_app(), await make_app()
    for name, app in (("one", first), ("two", second)):
        assert isinstance(app.inbox, SharedInbox)
        app.inbox.register("shell", recorder(name, seen))  # type: ignore[arg-type]
        await app.inbox.start()
    return first, second


async def settle(*apps: App) -> None:
    """Until nothing is waiting in the database, each worker drained."""
    for _ in range(50):
        await asyncio.gather(*(app.inbox.drain() for app in apps))
        if await store.count_waiting(apps[0].deps.db) == 0:
            return
    raise AssertionError("updates were left unhandled")


async def test_updates_posted_to_either_worker_are_handled_once_each_in_order(
    make_app: AppFactory, settings: Settings
) -> None:
    pg_only(settings)
    seen: Seen = []
    first, second = await two_workers(make_app, seen)
    people = ["an", "binh", "chi"]
    for number in range(12):  # a load balancer alternates between the workers
        puts = []
        for person in people:  # the people at once; each person's updates one after another
            worker = first if (number + len(person)) % 2 else second
            body = json.dumps({"n": number})
            puts.append(worker.inbox.put("shell", f"{person}-{number}", person, body))
        assert all(await asyncio.gather(*puts))
    await settle(first, second)
    by_person: dict[str, list[int]] = defaultdict(list)
    for _, person, number in seen:
        by_person[person].append(number)
    assert by_person == {person: list(range(12)) for person in people}  # once each, in order
    assert {name for name, _, _ in seen} == {"one", "two"}  # both workers took a share
    leases = await first.deps.db.fetch_all("SELECT * FROM person_leases")
    assert list(leases) == []  # handed back once each person's updates were done


async def test_a_dead_workers_people_come_back_once_its_lease_ran_out(
    make_app: AppFactory, settings: Settings, clock: FakeClock
) -> None:
    pg_only(settings)
    seen: Seen = []
    first, second = await two_workers(make_app, seen)
    assert isinstance(first.inbox, SharedInbox) and isinstance(second.inbox, SharedInbox)
    # The first worker holds Dung's lease and dies without handing it back.
    assert await first.inbox.held_leases.take(("shell", "dung"))
    await second.inbox.put("shell", "dung-0", "dung", json.dumps({"n": 0}))
    await second.inbox.drain()
    assert seen == []  # stored, and left to the lease's holder
    assert await second.inbox.sweep() == 0  # the lease is live: nobody else takes Dung
    clock.advance(timedelta(seconds=first.inbox.held_leases.terms.seconds + 1))
    assert await second.inbox.sweep() == 1
    await settle(second)
    assert seen == [("two", "dung", 0)]


async def test_an_update_finished_by_another_worker_is_not_handled_again(
    app: App, settings: Settings
) -> None:
    # A worker whose lease ran out while it was handling: the other finished the update
    # first. The late one's transaction is rolled back and it sends nothing.
    await app.inbox.start()
    await app.inbox.put("shell", "u1", "em", json.dumps({"n": 0}))  # no handler: it waits
    (row,) = await app.deps.db.fetch_all("SELECT id FROM inbox")
    async with app.deps.db.transaction() as tx:
        await store.finish_new(tx, int(row[0]))
    incoming = Incoming.from_text("shell", "em", "/start", language_hint="vi")
    answered = await app.engine.answer(incoming, inbox_id=int(row[0]), address="em")
    assert answered.replies == [] and answered.id is None
    assert await app.deps.db.fetch_all("SELECT id FROM users") == []  # rolled back
    assert await app.deps.db.fetch_all("SELECT id FROM answers") == []
