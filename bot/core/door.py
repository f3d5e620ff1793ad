"""The narrow door between the channels and the engine.

A channel stores what it receives (`put`, through the durable inbox), serves its stored
updates (`serve`), hands a person's message to the engine (`handle`), looks up a person's
language (`locale`), translates its own few texts (`translator`), and gives the outbox its
sender (`add_sender`). It never reads the database itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import Protocol

from bot.core.answers import Answers
from bot.core.engine import Answered
from bot.core.i18n import I18n, Translator
from bot.core.inbox import Handler, Inbox
from bot.core.messages import Incoming, Reply
from bot.core.router import Router
from bot.core.sending import AnswerSender, Sender
from bot.storage.db import Database

ENGINE_QUEUE = 4  # handlers waiting for the engine's database at once


class Handles(Protocol):
    async def handle(self, incoming: Incoming, *, inbox_id: int | None = None) -> list[Reply]: ...

    async def answer(
        self, incoming: Incoming, *, inbox_id: int | None = None, address: str | None = None
    ) -> Answered: ...


class Door:
    def __init__(
        self,
        engine: Handles,
        inbox: Inbox,
        db: Database,
        i18n: I18n,
        router: Router,
        senders: MutableMapping[str, Sender],
    ) -> None:
        self.engine, self.inbox, self._db, self._i18n = engine, inbox, db, i18n
        self.router = router  # read for the command menus only
        self._senders = senders
        self.answer_senders: dict[str, AnswerSender] = {}
        # The engine's transactions run one at a time anyway; letting only a few wait for the
        # database keeps the queue short for the commits that record what was sent.
        self._engine_gate = asyncio.Semaphore(ENGINE_QUEUE)
        self.answers = Answers(db, inbox.clock, inbox, self.answer_senders)

    async def put(
        self, channel: str, key: str, person: str, payload: str, *, wait: bool = False
    ) -> bool:
        """Stores a received update durably; False if it was stored before. With `wait`, it
        returns only once the update was handled too."""
        if not wait:
            return await self.inbox.put(channel, key, person, payload)
        handled: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if not await self.inbox.put(channel, key, person, payload, handled=handled):
            return False
        await handled
        return True

    @property
    def sending(self) -> bool:
        """False late in a stop: updates are still handled, but nothing is sent (the answers
        wait in the outbox for the next start); a channel skips its courtesy calls too."""
        return self.inbox.sending

    async def finish(self, within: float) -> None:
        """Handles what was stored before a channel closes its clients (the runner has done it
        already when the whole process stops: then this returns at once)."""
        await self.inbox.stop(within)

    def serve(self, channel: str, handler: Handler) -> None:
        """`handler` gets the channel's stored updates, each person's in order."""
        self.inbox.register(channel, handler)

    async def handle(self, incoming: Incoming, inbox_id: int | None = None) -> list[Reply]:
        """The engine's answer; the stored update `inbox_id` is finished in its transaction."""
        return await self.engine.handle(incoming, inbox_id=inbox_id)

    async def answer(self, incoming: Incoming, inbox_id: int | None, address: str) -> Answered:
        """The engine's answer, stored with its transaction for sending to `address`."""
        async with self._engine_gate:
            return await self.engine.answer(incoming, inbox_id=inbox_id, address=address)

    async def send(self, channel: str, answered: Answered, address: str) -> None:
        """Sends a stored answer now; if it fails it waits for a retry, and the `SendError`
        is raised for the channel to act on."""
        if answered.id is None:  # an apology, not stored: nothing to record
            await self.answer_senders[channel].send_answer(address, answered.replies, 0, _ignore)
            return
        await self.answers.deliver(channel, answered.id, address, answered.replies)

    def add_answer_sender(self, channel: str, sender: AnswerSender) -> None:
        self.answer_senders[channel] = sender

    async def locale(self, channel: str, *, user_id: str = "", chat_id: str = "") -> str | None:
        """The person's saved language, by their platform id or their chat."""
        column, value = ("channel_user_id", user_id) if user_id else ("chat_id", chat_id)
        row = await self._db.fetch_one(
            f"SELECT locale FROM users WHERE channel = ? AND {column} = ?", (channel, value)
        )
        return None if row is None or not row[0] else str(row[0])

    @property
    def i18n(self) -> I18n:
        return self._i18n

    def translator(self, locale: str | None) -> Translator:
        return self._i18n.translator(locale or "vi")

    def add_sender(self, channel: str, sender: Sender) -> None:
        self._senders[channel] = sender


async def _ignore(count: int) -> None:
    """The progress of an answer that has no row to record it in."""
