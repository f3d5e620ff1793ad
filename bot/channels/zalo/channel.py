"""The Zalo channel: updates in (polling or webhook), replies out, under a send rate.

Zalo has no buttons: choices go out as numbered lines and the person answers with the
number or the option's words (the engine maps both back). Texts are split under 2,000
characters. Photos go out by public URL only (the bot's media store), and documents, which
Zalo cannot carry, become a link, or a plain explanation without PUBLIC_BASE_URL.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any

import httpx

from bot.channels.zalo.api import ZaloApi, ZaloApiError, send_error
from bot.channels.zalo.download import DownloadPolicy, UnsafeDownload, fetch_image
from bot.channels.zalo.media import MediaStore
from bot.channels.zalo.updates import ZaloMessage, parse_update
from bot.core import jsons
from bot.core.door import Door
from bot.core.inbox import Stored
from bot.core.messages import Attachment, Capabilities, Incoming, Kind, Reply
from bot.core.render import texts_for
from bot.core.sending import Progress, RecipientGone, SendError, Throttled

log = logging.getLogger(__name__)
CHANNEL = "zalo"
Sleep = Callable[[float], Awaitable[None]]


class SendPacer:
    """Spaces sends so that at most `rate` go out per second, across all chats."""

    def __init__(self, rate: float, clock: Callable[[], float], sleep: Sleep) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._clock, self._sleep = clock, sleep
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = self._clock()
            if self._next > now:
                await self._sleep(self._next - now)
                now = self._next
            self._next = now + self.interval


class ZaloChannel:
    capabilities = Capabilities(
        buttons=False, max_text=2000, photos_by_url_only=True, location=False, documents=False
    )

    def __init__(
        self,
        door: Door,
        api: ZaloApi,
        media: MediaStore,
        *,
        downloads: httpx.AsyncClient,
        policy: DownloadPolicy | None = None,
        send_rate: float = 20.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.door = door
        self.api = api
        self.media = media
        self.downloads = downloads
        self.policy = policy or DownloadPolicy()
        self.pacer = SendPacer(send_rate, asyncio.get_running_loop().time, sleep)
        self.stopping = False  # set at shutdown: the outbox's work waits for the next start
        door.add_sender(CHANNEL, self)
        door.add_answer_sender(CHANNEL, self)
        door.serve(CHANNEL, self._on_stored)

    async def handle_update(self, update: Any, *, wait: bool = True) -> bool:
        """Stores one update in the inbox (a repeat is recognised there) and, with `wait`,
        returns once it was handled; False when it was malformed, from a bot or a repeat."""
        message = parse_update(update)
        if message is None or message.from_bot:
            return False
        payload = jsons.dumps(update)
        return await self.door.put(CHANNEL, message.message_id, message.user_id, payload, wait=wait)

    async def _on_stored(self, item: Stored) -> None:
        message = parse_update(jsons.loads(item.payload))
        if message is not None:
            await self._answer(message, item.id)

    async def _answer(self, message: ZaloMessage, inbox_id: int | None = None) -> None:
        incoming = await self._incoming(message)
        if incoming is None:
            _ = self.door.translator(await self._locale(message.chat_id))
            text = _("I could not open that photo. Please send it again as a photo (under 8 MB).")
            replies = [Reply(text)]
            try:
                await self._send_replies(message.chat_id, replies)
            except SendError as exc:
                log.warning("could not answer a Zalo message: %s", exc)
            return
        address = jsons.dumps({"chat": message.chat_id, "user": message.user_id})
        answered = await self.door.answer(incoming, inbox_id, address)
        if not answered.replies:
            return
        try:
            await self.door.send(CHANNEL, answered, address)
        except RecipientGone:
            await self.door.handle(
                Incoming(CHANNEL, message.user_id, message.chat_id, Kind.BLOCKED)
            )
        except SendError as exc:
            log.warning("could not answer a Zalo message: %s", exc)

    async def _incoming(self, message: ZaloMessage) -> Incoming | None:
        """The neutral message; None when a photo could not be fetched safely."""
        if message.kind is Kind.PHOTO and message.photo_url:
            try:
                data, mime = await fetch_image(self.downloads, message.photo_url, self.policy)
            except UnsafeDownload as exc:
                log.info("refused a Zalo photo: %s", exc)
                return None
            photo = Attachment(data, "photo." + mime.split("/")[1], mime)
            return Incoming(
                CHANNEL,
                message.user_id,
                message.chat_id,
                Kind.PHOTO,
                text=message.text,  # the caption, if any
                photo=photo,
                is_private=message.is_private,
            )
        if message.kind is Kind.TEXT:
            return Incoming.from_text(
                CHANNEL,
                message.user_id,
                message.text,
                chat_id=message.chat_id,
                is_private=message.is_private,
            )
        return Incoming(
            CHANNEL,
            message.user_id,
            message.chat_id,
            Kind.UNSUPPORTED,
            is_private=message.is_private,
        )

    async def send(self, chat_id: str, replies: Sequence[Reply]) -> None:
        """The outbox's entry: refuses new work once the bot is stopping (kept queued)."""
        if self.stopping:
            raise Throttled(0, "the bot is stopping; delivery kept for the next start")
        await self._send_replies(chat_id, replies)

    async def send_parts(
        self, chat_id: str, replies: Sequence[Reply], skip: int, progress: Progress
    ) -> None:
        """The outbox's entry for a delivery that may resume after its first `skip` messages."""
        if self.stopping:
            raise Throttled(0, "the bot is stopping; delivery kept for the next start")
        await self._send_replies(chat_id, replies, skip, progress)

    async def send_answer(
        self, address: str, replies: Sequence[Reply], skip: int, progress: Progress
    ) -> None:
        """A stored answer to the chat its address names, after its first `skip` messages."""
        chat_id = str(jsons.loads(address)["chat"])
        await self._send_replies(chat_id, replies, skip, progress)

    async def _send_replies(
        self,
        chat_id: str,
        replies: Sequence[Reply],
        skip: int = 0,
        progress: Progress | None = None,
    ) -> None:
        """Sends replies in order, after the first `skip` messages; raises the shared send
        errors."""
        steps: list[Callable[[], Awaitable[None]]] = []
        for reply in replies:
            for text in texts_for(reply, self.capabilities):
                if text.strip():
                    steps.append(
                        partial(self._call, "sendMessage", {"chat_id": chat_id, "text": text})
                    )
            for attachment in (reply.photo, reply.document):
                if attachment is not None:
                    is_photo = attachment is reply.photo
                    steps.append(partial(self._attachment, chat_id, attachment, is_photo=is_photo))
        for number, step in enumerate(steps, 1):
            if number <= skip:
                continue
            await step()
            if progress is not None and number < len(steps):
                await progress(number)

    async def _attachment(self, chat_id: str, attachment: Attachment, *, is_photo: bool) -> None:
        _ = self.door.translator(await self._locale(chat_id))
        if not self.media.enabled:
            text = _("(A file was prepared for you, but Zalo cannot receive files from this bot.)")
            await self._call("sendMessage", {"chat_id": chat_id, "text": text})
            return
        url = await self.media.publish(attachment, chat_id)
        if is_photo:
            await self._call("sendPhoto", {"chat_id": chat_id, "photo": url})
        else:
            text = _(
                "Your file {name}: {url} (the link works for 2 days)",
                name=attachment.filename,
                url=url,
            )
            await self._call("sendMessage", {"chat_id": chat_id, "text": text})

    async def _locale(self, chat_id: str) -> str | None:
        return await self.door.locale(CHANNEL, chat_id=chat_id)

    async def _call(self, method: str, payload: dict[str, Any]) -> None:
        await self.pacer.wait()
        try:
            await self.api.call(method, payload)
        except ZaloApiError as exc:
            raise send_error(exc) from None
