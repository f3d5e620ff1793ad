"""The Telegram channel: python-telegram-bot's bot (`LeanBot`, on aiohttp and `LeanHttp`) at the
engine's door.

Updates arrive by long polling (`_poll`: the offset moves past an update only once it is
stored) or by webhook (`routes`: the 200 is given once it is stored). Either way they go into
the durable inbox, which gives them back to `_on_stored`, each person's in order; there
`_on_update` turns them into `Incoming`, asks the engine and sends the replies back to the
chat they came from. Updates stay the Bot API's JSON from receipt to handling (`inbound`).
A pressed button is always acknowledged (`answerCallbackQuery`; by webhook, in the answer to
the webhook call) and its keyboard removed, so it cannot be pressed twice; the engine decides
whether the choice still counts. In a group, answers reply to the command they answer, and
only the person who sent that command removes the keyboard by pressing (anyone else's press
is still acknowledged and judged by the engine). A 403 on a direct answer in a person's own
chat marks them unreachable, as the outbox does. Stopping stops receiving; what was stored
and not handled is handled at the next start.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import replace
from typing import Any
from urllib.parse import urlparse

from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter, TelegramError

from bot.channels.base import ChannelStartError
from bot.channels.telegram import texts
from bot.channels.telegram.aiohttp_request import LeanRequest
from bot.channels.telegram.commands import set_commands
from bot.channels.telegram.courtesy import courtesies
from bot.channels.telegram.inbound import (
    CHANNEL,
    Action,
    FileRef,
    Inbound,
    Press,
    parse_press,
    parse_update,
    person_key,
    pressed,
)
from bot.channels.telegram.lean import LeanBot
from bot.channels.telegram.limiter import Now, Sleep, TelegramRateLimiter, retry_seconds
from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.tuning import Tuning
from bot.channels.telegram.webhook import acknowledge, webhook_route
from bot.core import jsons
from bot.core.door import Door
from bot.core.i18n import pick_locale
from bot.core.inbox import Stored
from bot.core.messages import Attachment, Incoming, Kind, Reply
from bot.core.sending import RecipientGone, SendError
from bot.settings import Settings
from bot.web import AnyRoute

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
MAX_DOWNLOAD_MB = 10
CONFIRM_TIMEOUT = 2.0  # seconds for the last getUpdates that confirms what was stored
MAX_POLL_BACKOFF = 30.0  # seconds between getUpdates attempts while Telegram fails
STOPPING_MAX_WAIT = 2.0  # seconds of a 429 pause still waited out while stopping
STOP_WITHIN = 2.0  # seconds to handle what was stored, when stopped on its own (tests)


class TelegramChannel:
    def __init__(
        self,
        door: Door,
        settings: Settings,
        tuning: Tuning | None = None,
        *,
        sleep: Sleep | None = None,
        now: Now | None = None,
    ) -> None:
        if not settings.telegram_token:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set")
        self.door = door
        self.name = CHANNEL
        self.webhook = settings.telegram_webhook_url is not None
        self._webhook_secret = settings.telegram_webhook_secret
        self.tuning = tuning = tuning or Tuning()
        self._sleep = sleep or asyncio.sleep  # the poller's backoff (injected by tests)
        limiter_args: dict[str, Any] = {"now": now} | ({"sleep": sleep} if sleep else {})
        self.limiter = TelegramRateLimiter(tuning.limits, **limiter_args)
        request = LeanRequest(
            connections=tuning.connections,
            read_timeout=tuning.read_timeout,
            connect_timeout=tuning.connect_timeout,
            write_timeout=tuning.read_timeout,
            media_write_timeout=tuning.read_timeout * 3,
        )
        polling = LeanRequest(  # getUpdates waits up to poll_timeout: a pool of its own
            connections=1,
            read_timeout=tuning.poll_timeout + tuning.read_timeout,
            connect_timeout=tuning.connect_timeout,
        )
        self.bot = LeanBot(
            settings.telegram_token,
            base_url=settings.telegram_api_base_url,
            base_file_url=settings.telegram_file_base_url,
            request=request,
            get_updates_request=polling,
            rate_limiter=self.limiter,
        )
        self._requests = (request, polling)
        self.sender = TelegramSender(self.bot, door.i18n, self._saved_locale)
        door.add_sender(CHANNEL, self.sender)
        door.add_answer_sender(CHANNEL, self.sender)
        door.serve(CHANNEL, self._on_stored)
        self._admins = settings.admins
        self._webhook_url = settings.telegram_webhook_url
        self._poller: asyncio.Task[None] | None = None
        self._offset: int | None = None  # the next update to fetch: all before it are stored
        self._receiving = True

    @property
    def username(self) -> str:
        return str(self.bot.username)

    async def start(self) -> None:
        """getMe, the command menus, then polling (webhook mode: Telegram calls `feed`).

        Raises ChannelStartError when Telegram refuses; the caller then calls `stop`.
        """
        try:
            await self._start()
        except InvalidToken:
            raise ChannelStartError(
                "Telegram refused TELEGRAM_BOT_TOKEN: check it with @BotFather.", bad_setting=True
            ) from None
        except TelegramError as exc:
            raise ChannelStartError(f"Could not start the Telegram channel: {exc}") from None

    async def _start(self) -> None:
        bot = self.bot
        await bot.initialize()
        await set_commands(bot, self.door.router, self.door.i18n, self._admins)
        if not self.webhook:
            await bot.delete_webhook()
            self._poller = asyncio.create_task(self._poll(), name="telegram-poller")
        log.info("Telegram channel started as @%s (%s)", self.username, self.mode)

    @property
    def mode(self) -> str:
        return "webhook" if self.webhook else "long polling"

    async def set_webhook(self, url: str, secret: str) -> None:
        """Tells Telegram where to post updates; raises ChannelStartError when it refuses."""
        try:
            await self.bot.set_webhook(
                url, secret_token=secret, allowed_updates=ALLOWED_UPDATES, max_connections=40
            )
        except (BadRequest, Forbidden, InvalidToken) as exc:
            raise ChannelStartError(
                f"Telegram refused TELEGRAM_WEBHOOK_URL ({exc}): it must be a public https URL.",
                bad_setting=True,
            ) from None
        except TelegramError as exc:
            raise ChannelStartError(f"Could not set the Telegram webhook: {exc}") from None

    def routes(self) -> list[AnyRoute]:
        if not (self.webhook and self._webhook_url and self._webhook_secret):
            return []
        path = urlparse(self._webhook_url).path or "/"
        return [webhook_route(path, self._webhook_secret, self.store, self.is_update, acknowledge)]

    async def after_listening(self) -> None:
        if self.webhook and self._webhook_url and self._webhook_secret:
            await self.set_webhook(self._webhook_url, self._webhook_secret)

    def is_update(self, data: dict[str, Any]) -> bool:
        """A JSON object the channel can read as an update (`webhook.well_formed` checked
        the fields it relies on first)."""
        try:
            if isinstance(data.get("callback_query"), dict):
                parse_press(data["callback_query"])
            else:
                parse_update(data, self.username)
        except (KeyError, TypeError, ValueError, AttributeError):
            return False
        return True

    async def store(self, data: dict[str, Any]) -> bool:
        """Stores an update in the inbox; False if it was stored before (a repeat)."""
        payload = jsons.dumps(data)
        return await self.door.put(CHANNEL, str(data["update_id"]), person_key(data), payload)

    async def _poll(self) -> None:
        """getUpdates; the next offset (which confirms the updates) only once they are stored.

        An update fetched again after a stop or a crash is recognised by the inbox."""
        failures = 0
        bot = self.bot
        while self._receiving:
            try:  # as JSON: python-telegram-bot's Update objects would only be undone again
                got: list[dict[str, Any]] = await bot.call(
                    "getUpdates",
                    {
                        "offset": self._offset,
                        "timeout": int(self.tuning.poll_timeout),
                        "allowed_updates": ALLOWED_UPDATES,
                    },
                )
            except TelegramError as exc:
                failures += 1
                delay = min(MAX_POLL_BACKOFF, 0.5 * 2**failures)
                if isinstance(exc, RetryAfter):  # a 429 says how long: never sooner
                    delay = max(delay, retry_seconds(exc))
                log.warning("Telegram getUpdates failed (%s); retrying in %.1f s", exc, delay)
                await self._sleep(delay)
                continue
            failures = 0
            if got:
                await asyncio.gather(*(self.store(u) for u in got))
                self._offset = int(got[-1]["update_id"]) + 1

    async def _on_stored(self, item: Stored) -> None:
        await self._on_update(jsons.loads(item.payload), item.id)

    async def begin_stop(self) -> None:
        """No new work: polling stops (the poll in flight is abandoned: what it would have
        returned is not confirmed, so Telegram sends it again) and the outbox's new sends
        are refused (they stay queued). A 429 pause is still waited out when short (answers
        to updates already received), a longer one fails fast. In webhook mode the web
        server is the receiver: the runner stops it."""
        self.sender.stopping = True
        self.limiter.max_wait = min(self.limiter.max_wait, STOPPING_MAX_WAIT)
        self._receiving = False
        if self._poller is None:
            return
        self._poller.cancel()
        with suppress(asyncio.CancelledError):
            await self._poller
        self._poller = None
        if self._offset is not None:  # confirms what was stored (a repeat would be ignored)
            try:
                await asyncio.wait_for(
                    self.bot.call("getUpdates", {"offset": self._offset, "timeout": 0, "limit": 1}),
                    CONFIRM_TIMEOUT,
                )
            except (TimeoutError, TelegramError):
                log.info("could not confirm the last updates; Telegram sends them again")

    async def stop(self, within: float | None = None) -> None:
        """Stops receiving, handles what was stored (within `within` s; what is left stays
        stored), then closes the HTTP clients, which the handling still needs."""
        await self.begin_stop()
        await self.door.finish(STOP_WITHIN if within is None else within)
        await self.bot.shutdown()
        for request in self._requests:  # also when start() failed half-way
            await request.shutdown()

    async def _on_update(self, update: dict[str, Any], inbox_id: int | None = None) -> None:
        query = update.get("callback_query")
        if query is not None:
            await self._on_press(parse_press(query), inbox_id)
            return
        inbound = parse_update(update, self.username)
        incoming = inbound.incoming
        if incoming is None or inbound.action is Action.IGNORE:
            return
        if inbound.action is Action.DOWNLOAD and inbound.file is not None:
            attachment = await self._download(inbound, inbound.file)
            if attachment is None:
                return
            if inbound.file.is_photo:
                incoming = replace(incoming, photo=attachment)
            else:
                incoming = replace(incoming, document=attachment)
        if incoming.kind is Kind.BLOCKED:
            await self.door.handle(incoming, inbox_id)
            return
        # In a group, answer as a reply to the command: it shows whom the answer is for,
        # and a press on its buttons can be told apart (see `pressed_by_addressee`).
        reply_to = inbound.message_id if not incoming.is_private else None
        await self._respond(inbound.chat_id, incoming, inbox_id, reply_to)

    async def _on_press(self, press: Press, inbox_id: int | None = None) -> None:
        """Acknowledge, remove the keyboard, and let the engine judge the payload, all at once:
        the answer does not wait for two round trips to Telegram.

        A forged press (on another person's private chat) is answered in the presser's own
        chat (`parse_press`). In a group the keyboard is removed only by the person the
        message answered."""
        calls = courtesies(self.bot, press, sending=self.door.sending, webhook=self.webhook)
        running = [asyncio.create_task(call) for call in calls]
        try:
            if press.data:
                await self._respond(press.chat_id, pressed(press, press.data), inbox_id)
        except BaseException:
            for task in running:
                task.cancel()
            raise
        finally:
            for result in await asyncio.gather(*running, return_exceptions=True):
                if isinstance(result, Exception):
                    log.error("a courtesy call for a press failed", exc_info=result)

    async def _download(self, inbound: Inbound, file: FileRef) -> Attachment | None:
        if file.size is not None and file.size > MAX_DOWNLOAD_MB * 1024 * 1024:
            await self._notice(inbound, texts.TOO_BIG, size=MAX_DOWNLOAD_MB)
            return None
        try:
            remote = await self.bot.get_file(file.file_id)
            data = bytes(await remote.download_as_bytearray())
        except TelegramError as exc:
            log.warning("could not download a file: %s", exc)
            await self._notice(inbound, texts.TRY_AGAIN)
            return None
        return Attachment(data, file.filename, file.mime_type)

    async def _notice(self, inbound: Inbound, message: str, **values: object) -> None:
        assert inbound.incoming is not None
        locale = await self._locale(inbound.incoming)
        text = self.door.translator(locale)(message, **values)
        await self._answer(inbound.chat_id, [Reply(text)], inbound.incoming, locale)

    async def _respond(
        self, chat_id: int, incoming: Incoming, inbox_id: int | None, reply_to: int | None = None
    ) -> None:
        """The engine's answer, stored with its state change, then sent (or retried later)."""
        where = {"chat": chat_id, "user": incoming.user_id, "hint": incoming.language_hint}
        address = jsons.dumps(where | ({"reply_to": reply_to} if reply_to is not None else {}))
        answered = await self.door.answer(incoming, inbox_id, address)
        if not answered.replies:
            return
        try:
            await self.door.send(CHANNEL, answered, address)
        except SendError as exc:
            await self._send_failed(exc, chat_id, incoming)

    async def _send_failed(self, exc: SendError, chat_id: int, incoming: Incoming) -> None:
        if not isinstance(exc, RecipientGone):
            log.warning("could not answer in a Telegram chat (kept for a retry): %s", exc)
        elif str(chat_id) != incoming.user_id:  # a group that removed the bot: not them
            log.warning("could not answer in a Telegram group: %s", exc)
        else:
            log.info("a person blocked the bot or is gone: %s", exc)
            await self._mark_unreachable(incoming)

    async def _answer(
        self,
        chat_id: int,
        replies: Sequence[Reply],
        incoming: Incoming,
        locale: str | None = None,
        *,
        reply_to: int | None = None,
    ) -> None:
        if not replies:
            return
        if locale is None and any(r.ask_location for r in replies):
            locale = await self._locale(incoming)
        try:
            await self.sender.deliver(chat_id, replies, locale or "vi", reply_to=reply_to)
        except RecipientGone as exc:
            if str(chat_id) != incoming.user_id:  # a group that removed the bot: not them
                log.warning("could not answer in a Telegram group: %s", exc)
                return
            log.info("a person blocked the bot or is gone: %s", exc)
            await self._mark_unreachable(incoming)
        except SendError as exc:
            log.warning("could not answer in a Telegram chat: %s", exc)

    async def _mark_unreachable(self, incoming: Incoming) -> None:
        """What the outbox does on a 403, said the channel-neutral way: they blocked the bot
        (or were deactivated); they are welcomed back if they return."""
        person = incoming.user_id
        gone = Incoming(CHANNEL, person, person, Kind.BLOCKED, language_hint=incoming.language_hint)
        await self.door.handle(gone)

    async def _saved_locale(self, user_id: str) -> str | None:
        return await self.door.locale(CHANNEL, user_id=user_id)

    async def _locale(self, incoming: Incoming) -> str:
        """The person's saved language, else what their Telegram app says."""
        saved = await self.door.locale(CHANNEL, user_id=incoming.user_id)
        return saved or pick_locale(incoming.language_hint)
