"""The durable inbox: stored once, handled in order per person, taken up again after a stop."""

from __future__ import annotations

import asyncio
import json

from bot.app import App
from bot.core.messages import Incoming
from bot.storage.inbox import Stored
from tests.conftest import AppFactory


def payload(text: str) -> str:
    return json.dumps({"text": text})


async def test_the_same_update_twice_is_stored_once(app: App) -> None:
    seen: list[str] = []

    async def handler(item: Stored) -> None:
        seen.append(json.loads(item.payload)["text"])

    app.inbox.register("shell", handler)
    await app.inbox.start()
    first = await app.inbox.put("shell", "u1", "p1", payload("hello"))
    again = await app.inbox.put("shell", "u1", "p1", payload("hello"))
    await app.inbox.drain()
    assert (first, again, seen) == (True, False, ["hello"])


async def test_a_persons_updates_are_handled_in_order_while_others_go_on(app: App) -> None:
    order: list[tuple[str, int]] = []
    gate, other_done = asyncio.Event(), asyncio.Event()

    async def handler(item: Stored) -> None:
        number = json.loads(item.payload)["text"]
        if item.person == "flooder" and number == "0":
            await gate.wait()  # the flooder's first update is slow
        order.append((item.person, int(number)))
        if item.person == "other":
            other_done.set()

    app.inbox.register("shell", handler)
    await app.inbox.start()
    puts = [app.inbox.put("shell", f"f{i}", "flooder", payload(str(i))) for i in range(50)]
    await asyncio.gather(*puts)
    await app.inbox.put("shell", "o1", "other", payload("0"))
    await other_done.wait()  # the other person is answered while the flooder waits
    assert not [o for o in order if o[0] == "flooder"]
    gate.set()
    await app.inbox.drain()
    assert [n for p, n in order if p == "flooder"] == list(range(50))


async def test_what_was_stored_and_not_handled_is_handled_at_the_next_start(
    make_app: AppFactory,
) -> None:
    first = await make_app()
    await first.inbox.start()  # nothing registered for the channel: the updates only wait
    for i in range(3):
        assert await first.inbox.put("shell", f"k{i}", "p", payload(str(i)))
    await first.close()
    restarted = await make_app()
    handled: list[int] = []

    async def handler(item: Stored) -> None:
        handled.append(int(json.loads(item.payload)["text"]))

    restarted.inbox.register("shell", handler)
    assert await restarted.inbox.start() == 3
    await restarted.inbox.drain()
    assert handled == [0, 1, 2]
    assert await restarted.inbox.put("shell", "k1", "p", payload("1")) is False  # a repeat


async def test_the_engine_finishes_the_update_in_its_own_transaction(app: App) -> None:
    async def handler(item: Stored) -> None:
        await app.door.handle(Incoming.from_text("shell", item.person, "/help"), item.id)

    app.inbox.register("shell", handler)
    await app.inbox.start()
    await app.inbox.put("shell", "h1", "hanna", payload("/help"))
    await app.inbox.drain()
    row = await app.deps.db.fetch_one("SELECT status, payload FROM inbox WHERE update_key = 'h1'")
    assert row is not None and (row[0], row[1]) == ("done", None)
