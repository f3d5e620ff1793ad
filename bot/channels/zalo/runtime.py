"""Runs the Zalo channel in the bot's process: polling, or the webhook on the web server."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from urllib.parse import urlparse

import httpx

from bot.channels.base import ChannelStartError
from bot.channels.zalo.api import ZaloApi, ZaloApiError
from bot.channels.zalo.channel import CHANNEL, ZaloChannel
from bot.channels.zalo.download import DownloadPolicy
from bot.channels.zalo.media import MediaStore
from bot.channels.zalo.transport import ZaloPoller, ZaloWebhook
from bot.core.door import Door
from bot.logsafe import register_secret
from bot.settings import Settings
from bot.web import AnyRoute, handler_route

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/zalo/webhook"
STOP_BUDGET = 6.0  # seconds for an update in hand; the platform kills us 10 s after SIGTERM


class ZaloRuntime:
    def __init__(self, door: Door, settings: Settings, media: MediaStore, stop: asyncio.Event):
        assert settings.zalo_token is not None
        register_secret(settings.zalo_token)
        register_secret(settings.zalo_webhook_secret)
        self.name = CHANNEL
        self.settings = settings
        self.stop_event = stop
        self.api = ZaloApi(settings.zalo_token, settings.zalo_api_base_url)
        self.downloads = httpx.AsyncClient()
        policy = DownloadPolicy(allowed_hosts=settings.zalo_photo_hosts)
        self.channel = ZaloChannel(
            door,
            self.api,
            media,
            downloads=self.downloads,
            policy=policy,
            send_rate=settings.zalo_send_rate,
        )
        self.webhook: ZaloWebhook | None = None
        if settings.zalo_webhook_url and settings.zalo_webhook_secret:
            self.webhook = ZaloWebhook(self.channel, settings.zalo_webhook_secret)
        self.poller = ZaloPoller(self.channel, self.api, self._pause)
        self._task: asyncio.Task[None] | None = None

    def routes(self) -> list[AnyRoute]:
        if self.webhook is None:
            return []
        path = urlparse(self.settings.zalo_webhook_url or "").path or WEBHOOK_PATH
        return [handler_route(path, self.webhook, authorized=self.webhook.authorized)]

    async def start(self) -> None:
        """Checks the token (getMe) and, without a webhook, starts polling."""
        try:
            await self.api.call("getMe")
        except ZaloApiError as exc:
            raise start_error(exc) from None
        if self.webhook is None:
            self._task = asyncio.create_task(self.poller.run(self.stop_event), name="zalo-poller")
            log.info("Zalo polling started")

    async def after_listening(self) -> None:
        await self.register_webhook()

    async def register_webhook(self) -> None:
        """Tells Zalo where to post updates; call it once the web server is listening."""
        if self.webhook is not None:
            payload = {
                "url": self.settings.zalo_webhook_url,
                "secret_token": self.settings.zalo_webhook_secret,
            }
            try:
                await self.api.call("setWebhook", payload)
            except ZaloApiError as exc:
                raise start_error(exc) from None
            log.info("Zalo webhook set")

    async def _pause(self, seconds: float) -> None:
        with suppress(TimeoutError):
            await asyncio.wait_for(self.stop_event.wait(), seconds)

    async def begin_stop(self) -> None:
        """No new polls, and the outbox's sends stay queued for the next start."""
        self.channel.stopping = True
        self.poller.stopping = True

    async def stop(self, within: float = STOP_BUDGET) -> None:
        """Stops polling, handles what was stored within the budget (what is left stays
        stored for the next start), then closes the clients."""
        self.channel.stopping = True
        if self._task is not None:
            self.poller.stopping = True
            # An update being handled (it was marked seen) is finished, within the budget.
            budget = min(within, STOP_BUDGET) if self.poller.busy else 0.5
            done, _ = await asyncio.wait({self._task}, timeout=budget)
            if not done:
                self._task.cancel()
                with suppress(asyncio.CancelledError):
                    await self._task
        await self.channel.door.finish(min(within, STOP_BUDGET))  # before the clients close
        await self.api.close()
        await self.downloads.aclose()


def start_error(exc: ZaloApiError) -> ChannelStartError:
    if exc.code == 401:
        message = "Zalo refused ZALO_BOT_TOKEN: check the token of your Zalo bot."
        return ChannelStartError(message, bad_setting=True)
    return ChannelStartError(f"Could not start the Zalo channel: {exc}")
