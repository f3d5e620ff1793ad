"""One person's flood of updates never holds up everybody else; each person's stay in order."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.channels.telegram import Tuning
from bot.core.engine import Answered
from bot.core.messages import Incoming
from tests.telegram_harness import FAST, telegram_harness

FLOODER, OTHER = 7101, 7102


async def test_a_flood_from_one_person_does_not_take_every_slot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    few_slots = Tuning(limits=FAST.limits, poll_timeout=5, read_timeout=5)
    async with telegram_harness(tmp_path, tuning=few_slots) as tg:
        answer = tg.app.engine.answer
        gate = asyncio.Event()  # the flooder's answers are slow (their chat: ~1 message/s)

        async def slow_for_the_flooder(
            incoming: Incoming, *, inbox_id: int | None = None, address: str | None = None
        ) -> Answered:
            if incoming.user_id == str(FLOODER):
                await gate.wait()
            return await answer(incoming, inbox_id=inbox_id, address=address)

        monkeypatch.setattr(tg.app.engine, "answer", slow_for_the_flooder)
        flooder, other = tg.person(FLOODER), tg.person(OTHER)
        try:
            for n in range(1, 7):  # three times as many updates as there are slots
                await flooder.say(f"/flood{n}")
            await tg.fake.wait_for(lambda: tg.fake.acked > 6)  # all fetched and confirmed
            await other.say("/help")
            assert (await other.read_text()).startswith("What I can do")  # served meanwhile
            assert tg.fake.sent(FLOODER) == []
        finally:
            gate.set()
        texts = [c.params["text"] for c in await flooder.read(6)]
        assert [t.split("/flood")[1][0] for t in texts] == list("123456")  # in order
