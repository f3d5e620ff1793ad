"""How updates reach the Zalo channel: polling getUpdates, or the webhook.

getUpdates returns one update, has no offset and may repeat: the channel de-duplicates on
message_id, and the poller never spins: it pauses when idle, on a repeat, and backs off
(doubling, capped) while the API fails. The webhook checks the secret in constant time and
answers once the update is stored in the inbox; the work goes on after the 200.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Mapping

from bot.channels.zalo.api import IDLE, ZaloApi, ZaloApiError
from bot.channels.zalo.channel import ZaloChannel
from bot.channels.zalo.updates import parse_update

log = logging.getLogger(__name__)
SECRET_HEADER = "x-bot-api-secret-token"
Pause = Callable[[float], Awaitable[None]]


class ZaloPoller:
    def __init__(
        self,
        channel: ZaloChannel,
        api: ZaloApi,
        pause: Pause,
        *,
        poll_timeout: int = 30,
        idle_pause: float = 1.0,
        max_backoff: float = 60.0,
    ) -> None:
        self.channel, self.api, self.pause = channel, api, pause
        self.poll_timeout, self.idle_pause, self.max_backoff = poll_timeout, idle_pause, max_backoff
        self.failures = 0
        self.stopping = False
        self.busy = False

    async def prepare(self) -> None:
        """Polling and webhook exclude each other: make sure no webhook is set."""
        try:
            await self.api.call("deleteWebhook")
        except ZaloApiError as exc:
            log.info("deleteWebhook: %s", exc.description or exc.code)

    async def poll_once(self) -> str:
        """One getUpdates round: 'handled', 'repeat', 'idle' or 'error' (already paused)."""
        try:
            update = await self.api.call("getUpdates", {"timeout": self.poll_timeout})
        except ZaloApiError as exc:
            if exc.code == IDLE:
                self.failures = 0
                await self.pause(self.idle_pause)
                return "idle"
            self.failures += 1
            delay = min(self.max_backoff, self.idle_pause * 2**self.failures)
            log.warning("Zalo getUpdates failed (%s); retrying in %.0f s", exc, delay)
            await self.pause(delay)
            return "error"
        self.failures = 0
        updates = update if isinstance(update, list) else [update]
        handled = False
        self.busy = True  # from here on the update is ours: stopping waits for it
        try:
            for item in updates:
                handled = await self.channel.handle_update(item) or handled
        finally:
            self.busy = False
        if not handled:
            await self.pause(self.idle_pause)
            return "repeat" if update else "idle"
        return "handled"

    async def run(self, stop: asyncio.Event) -> None:
        """Polls until `stop`; a long poll in progress is abandoned, never an update's handling."""
        await self.prepare()
        while not stop.is_set() and not self.stopping:
            poll = asyncio.create_task(self.poll_once())
            waiter = asyncio.create_task(stop.wait())
            await asyncio.wait({poll, waiter}, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            if not poll.done() and not self.busy:
                poll.cancel()  # an idle long poll: nothing of ours is lost
            try:
                await poll
            except asyncio.CancelledError:
                if not stop.is_set():
                    raise
            except Exception:
                # One bad update or a bug must never end polling for everyone.
                log.exception("a Zalo polling round failed; going on after a pause")
                await self.pause(self.max_backoff / 4)


class ZaloWebhook:
    """Framework-neutral webhook handler: (headers, body) -> (status, JSON answer)."""

    def __init__(self, channel: ZaloChannel, secret: str) -> None:
        self.channel = channel
        self.secret = secret.encode()

    def authorized(self, headers: Mapping[str, str]) -> bool:
        """The secret header, compared in constant time (checked before the body is read)."""
        given = {k.lower(): v for k, v in headers.items()}.get(SECRET_HEADER, "")
        return hmac.compare_digest(given.encode(), self.secret)

    async def __call__(
        self, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, object]]:
        if not self.authorized(headers):
            return 401, {"ok": False, "description": "unauthorized"}
        if not body.strip():
            return 200, {"ok": True}  # Zalo's empty-body probe
        try:
            update = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            log.warning("a Zalo webhook body that is not JSON")
            return 400, {"ok": False, "description": "body is not JSON"}
        if parse_update(update) is None:
            log.warning("a Zalo webhook body that is not a message event")
            return 400, {"ok": False, "description": "not a Zalo update"}
        # Stored before the 200; handled by the inbox's workers after it.
        await self.channel.handle_update(update, wait=False)
        return 200, {"ok": True}
