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
from typing import Any

import httpx

from bot.app import App
from bot.channels.base import RecipientGone, SendError, Throttled
from bot.channels.zalo.api import ZaloApi, ZaloApiError, send_error
from bot.channels.zalo.download import DownloadPolicy, UnsafeDownload, fetch_image
from bot.channels.zalo.updates import ZaloMessage, parse_update
from bot.core.clock import iso
from bot.core.messages import Attachment, Capabilities, Incoming, Kind, Reply
from bot.core.render import texts_for
from bot.media import MediaStore
from bot.storage import seen

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
        app: App,
        api: ZaloApi,
        media: MediaStore,
        *,
        downloads: httpx.AsyncClient,
        policy: DownloadPolicy | None = None,
        send_rate: float = 20.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.app = app
        self.api = api
        self.media = media
        self.downloads = downloads
        self.policy = policy or DownloadPolicy()
        self.pacer = SendPacer(send_rate, asyncio.get_running_loop().time, sleep)
        self.stopping = False  # set at shutdown: the outbox's work waits for the next start
        app.senders[CHANNEL] = self

    async def handle_update(self, update: Any) -> bool:
        """Handles one update once; False when it was malformed, from a bot or seen before."""
        message = parse_update(update)
        if message is None or message.from_bot:
            return False
        async with self.app.deps.db.transaction() as tx:
            if not await seen.first_time(
                tx, CHANNEL, message.message_id, iso(self.app.deps.clock.now())
            ):
                return False
            await seen.prune(tx, CHANNEL)
        await self._answer(message)
        return True

    async def _answer(self, message: ZaloMessage) -> None:
        incoming = await self._incoming(message)
        if incoming is None:
            _ = self.app.deps.i18n.translator(await self._locale(message.chat_id))
            text = _("I could not open that photo. Please send it again as a photo (under 8 MB).")
            replies = [Reply(text)]
        else:
            replies = await self.app.engine.handle(incoming)
        try:
            await self._send_replies(message.chat_id, replies)
        except RecipientGone:
            await self.app.engine.handle(
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

    async def _send_replies(self, chat_id: str, replies: Sequence[Reply]) -> None:
        """Sends replies in order; raises the shared send errors."""
        for reply in replies:
            for text in texts_for(reply, self.capabilities):
                if text.strip():
                    await self._call("sendMessage", {"chat_id": chat_id, "text": text})
            for attachment in (reply.photo, reply.document):
                if attachment is not None:
                    await self._attachment(chat_id, attachment, is_photo=attachment is reply.photo)

    async def _attachment(self, chat_id: str, attachment: Attachment, *, is_photo: bool) -> None:
        _ = self.app.deps.i18n.translator(await self._locale(chat_id))
        if not self.media.enabled:
            text = _("(A file was prepared for you, but Zalo cannot receive files from this bot.)")
            await self._call("sendMessage", {"chat_id": chat_id, "text": text})
            return
        url = await self.media.publish(attachment)
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
        row = await self.app.deps.db.fetch_one(
            "SELECT locale FROM users WHERE channel = ? AND chat_id = ?", (CHANNEL, chat_id)
        )
        return None if row is None else row[0]

    async def _call(self, method: str, payload: dict[str, Any]) -> None:
        await self.pacer.wait()
        try:
            await self.api.call(method, payload)
        except ZaloApiError as exc:
            raise send_error(exc) from None
