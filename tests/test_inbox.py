"""The durable inbox: stored once, handled in order per person, taken up again after a stop."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

import pytest

from bot.app import App
from bot.core.inbox import Inbox, InboxLimits
from bot.core.messages import Incoming, Reply
from bot.core.sending import Progress
from bot.storage import inbox as store
from bot.storage.inbox import Stored
from tests.conftest import AppFactory

ADDRESS = json.dumps({"chat": "hanna"})


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


async def test_stop_handles_every_stored_update_first_spilled_ones_included(app: App) -> None:
    """A SIGTERM under load: most updates wait in the database (memory holds 4), none is left."""
    inbox = Inbox(app.deps.db, app.deps.clock, InboxLimits(workers=2, held=4, per_person=2))
    handled: list[tuple[str, int]] = []

    async def handler(item: Stored) -> None:
        await asyncio.sleep(0)  # a handler that yields, as the engine does
        handled.append((item.person, int(json.loads(item.payload)["text"])))

    inbox.register("shell", handler)
    await inbox.start()
    await asyncio.gather(
        *(inbox.put("shell", f"{p}{i}", p, payload(str(i))) for p in "abc" for i in range(30))
    )
    assert await inbox.stop(within=30) == 0
    for person in "abc":
        assert [n for p, n in handled if p == person] == list(range(30))
    assert await store.count_waiting(app.deps.db) == 0
    with pytest.raises(RuntimeError):
        await inbox.put("shell", "late", "a", payload("late"))


async def test_a_flood_of_new_people_keeps_memory_within_its_bound(app: App) -> None:
    """Sixty people, one update each, memory for four: the spilled ones are read back one
    worker at a time, not all at once as they arrive."""
    limits = InboxLimits(workers=2, held=4, per_person=2)
    inbox = Inbox(app.deps.db, app.deps.clock, limits)
    seen: list[int] = []

    async def handler(item: Stored) -> None:
        seen.append(inbox.held)
        await asyncio.sleep(0)

    inbox.register("shell", handler)
    await inbox.start()
    await asyncio.gather(*(inbox.put("shell", f"p{n}", f"p{n}", payload("hi")) for n in range(60)))
    await inbox.drain()
    assert len(seen) == 60
    assert max(seen) <= limits.held + limits.workers
    await inbox.stop(within=5)


async def test_late_in_a_stop_updates_are_handled_and_their_answers_wait_for_the_next_start(
    make_app: AppFactory,
) -> None:
    first = await make_app()
    sent: list[str] = []
    gate = asyncio.Event()

    class Sender:
        async def send_answer(
            self, address: str, replies: Sequence[Reply], skip: int, progress: Progress
        ) -> None:
            sent.extend(r.text for r in replies[skip:])

    async def handler(item: Stored) -> None:
        await gate.wait()  # still being handled when the stop's sending time is over
        text = json.loads(item.payload)["text"]
        incoming = Incoming.from_text("shell", item.person, text, language_hint="en")
        answered = await first.door.answer(incoming, item.id, ADDRESS)
        await first.door.send("shell", answered, ADDRESS)

    first.door.add_answer_sender("shell", Sender())
    first.inbox.register("shell", handler)
    await first.inbox.start()
    for i in range(3):
        await first.inbox.put("shell", f"h{i}", "hanna", payload("/help"))
    stopping = asyncio.create_task(first.inbox.stop(within=30, send_for=0))
    for _ in range(1000):  # until the stop's sending time (none) is over
        if not first.inbox.sending:
            break
        await asyncio.sleep(0)
    assert not first.inbox.sending
    gate.set()
    assert await stopping == 0
    assert sent == []  # handled (the updates are done), answers kept
    assert await store.count_waiting(first.deps.db) == 0
    assert first.door.answers.held == 3
    await first.close()

    restarted = await make_app()
    restarted.door.add_answer_sender("shell", Sender())
    assert await restarted.door.answers.recover() == 0  # queued again at the stop already
    await restarted.inbox.start()
    assert await restarted.door.answers.resend_due() == 3
    assert len(sent) >= 3 and sent == sent[: len(sent) // 3] * 3  # three times the same help
    assert tuple(await restarted.deps.db.fetch_all("SELECT id FROM answers")) == ()


async def test_an_update_that_cannot_finish_in_the_grace_period_waits_for_the_next_start(
    make_app: AppFactory,
) -> None:
    first = await make_app()
    never = asyncio.Event()

    async def stuck(item: Stored) -> None:
        await never.wait()

    first.inbox.register("shell", stuck)
    await first.inbox.start()
    await first.inbox.put("shell", "s1", "sam", payload("stuck"))
    assert await first.inbox.stop(within=0.05) == 1  # cut short, still stored
    await first.close()
    restarted = await make_app()
    handled: list[str] = []

    async def handler(item: Stored) -> None:
        handled.append(json.loads(item.payload)["text"])

    restarted.inbox.register("shell", handler)
    assert await restarted.inbox.start() == 1
    await restarted.inbox.drain()
    assert handled == ["stuck"]
