"""The Telegram channel: python-telegram-bot's Application around the engine.

Updates arrive by long polling (the Updater) or by webhook (`feed`, called by the web app);
either way they go through the Application's queue and `PerPersonProcessor`, then
`_on_update` turns them into `Incoming`, asks the engine and sends the replies back to the
chat they came from. A pressed button is always acknowledged (`answerCallbackQuery`) and its
keyboard removed, so it cannot be pressed twice; the engine decides whether the choice still
counts. In a group, answers reply to the command they answer, and only the person who sent
that command removes the keyboard by pressing (anyone else's press is still acknowledged and
judged by the engine). A 403 on a direct answer in a person's own chat marks them unreachable,
as the outbox does. Stopping stops receiving first, then drains the queue within a budget: an
update acknowledged to Telegram is handled before exit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from telegram import CallbackQuery, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, InvalidToken, TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler
from telegram.request import HTTPXRequest

from bot.app import App
from bot.channels.base import ChannelStartError, RecipientGone, SendError
from bot.channels.telegram import texts
from bot.channels.telegram.commands import set_commands
from bot.channels.telegram.inbound import CHANNEL, Action, FileRef, Inbound, parse_update
from bot.channels.telegram.limiter import Limits, Now, Sleep, TelegramRateLimiter
from bot.channels.telegram.processor import PerPersonProcessor
from bot.channels.telegram.sender import TelegramSender
from bot.core.i18n import pick_locale
from bot.core.messages import Attachment, Incoming, Kind, Reply
from bot.settings import Settings
from bot.storage import users

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
MAX_DOWNLOAD_MB = 10
CONFIRM_TIMEOUT = 2.0  # seconds for the last getUpdates that confirms what was fetched
STOPPING_MAX_WAIT = 2.0  # seconds of a 429 pause still waited out while stopping
PTBApplication = Application[Any, Any, Any, Any, Any, Any]


@dataclass(frozen=True)
class Tuning:
    """Network and concurrency knobs; tests shrink them, production keeps the defaults."""

    limits: Limits = field(default_factory=Limits)
    poll_timeout: float = 25.0  # long polling: how long Telegram may hold getUpdates
    read_timeout: float = 10.0
    connect_timeout: float = 5.0
    concurrent_updates: int = 64
    connections: int = 64


class TelegramChannel:
    def __init__(
        self,
        app: App,
        settings: Settings,
        tuning: Tuning | None = None,
        *,
        sleep: Sleep | None = None,
        now: Now | None = None,
    ) -> None:
        if not settings.telegram_token:
            raise ValueError("TELEGRAM_BOT_TOKEN is not set")
        self.app = app
        self.webhook = settings.telegram_webhook_url is not None
        self.tuning = tuning = tuning or Tuning()
        limiter_args: dict[str, Any] = {"now": now} | ({"sleep": sleep} if sleep else {})
        self.limiter = TelegramRateLimiter(tuning.limits, **limiter_args)
        self.processor = PerPersonProcessor(tuning.concurrent_updates)
        request = HTTPXRequest(
            connection_pool_size=tuning.connections,
            read_timeout=tuning.read_timeout,
            connect_timeout=tuning.connect_timeout,
            write_timeout=tuning.read_timeout,
            media_write_timeout=tuning.read_timeout * 3,
        )
        polling = HTTPXRequest(
            read_timeout=tuning.poll_timeout + tuning.read_timeout,
            connect_timeout=tuning.connect_timeout,
        )
        builder = (
            Application.builder()
            .token(settings.telegram_token)
            .base_url(settings.telegram_api_base_url)
            .base_file_url(settings.telegram_file_base_url)
            .request(request)
            .get_updates_request(polling)
            .rate_limiter(self.limiter)
            .concurrent_updates(self.processor)
        )
        if self.webhook:
            builder = builder.updater(None)
        self._requests = (request, polling)
        self.application: PTBApplication = builder.build()
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        self.sender = TelegramSender(self.application.bot, app.deps.i18n)
        app.senders[CHANNEL] = self.sender
        self._admins = settings.admins

    @property
    def username(self) -> str:
        return str(self.application.bot.username)

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
        await self.application.initialize()
        bot, deps = self.application.bot, self.app.deps
        await set_commands(bot, self.app.router, deps.i18n, self._admins)
        await self.application.start()
        if self.application.updater is not None:
            await self.application.updater.start_polling(
                poll_interval=0,
                timeout=timedelta(seconds=self.tuning.poll_timeout),
                allowed_updates=ALLOWED_UPDATES,
            )
        log.info("Telegram channel started as @%s (%s)", self.username, self.mode)

    @property
    def mode(self) -> str:
        return "webhook" if self.webhook else "long polling"

    async def set_webhook(self, url: str, secret: str) -> None:
        """Tells Telegram where to post updates; raises ChannelStartError when it refuses."""
        try:
            await self.application.bot.set_webhook(
                url, secret_token=secret, allowed_updates=ALLOWED_UPDATES, max_connections=40
            )
        except (BadRequest, Forbidden, InvalidToken) as exc:
            raise ChannelStartError(
                f"Telegram refused TELEGRAM_WEBHOOK_URL ({exc}): it must be a public https URL.",
                bad_setting=True,
            ) from None
        except TelegramError as exc:
            raise ChannelStartError(f"Could not set the Telegram webhook: {exc}") from None

    async def feed(self, data: dict[str, Any]) -> None:
        """A webhook update: queued at once, so Telegram gets its answer fast."""
        update = Update.de_json(data, self.application.bot)
        await self.application.update_queue.put(update)

    async def begin_stop(self) -> None:
        """No new work; what was received keeps being handled (`stop` waits for it).

        - Long polling stops: no more getUpdates, and what was fetched is confirmed to
          Telegram. The poll in flight is cancelled (whatever it would have returned is not
          confirmed, so Telegram sends it again on the next start). In webhook mode the web
          server is the receiver: the runner stops it.
        - The outbox's new sends are refused: they stay queued for the next start.
        - A 429 pause is still waited out when short (answers to updates already received),
          a longer one fails fast.
        """
        self.sender.stopping = True
        self.limiter.max_wait = min(self.limiter.max_wait, STOPPING_MAX_WAIT)
        updater = self.application.updater
        if updater is None or not updater.running:
            return
        try:
            await asyncio.wait_for(updater.stop(), CONFIRM_TIMEOUT)
        except TimeoutError:
            log.warning("could not confirm the last updates; Telegram sends them again")

    async def stop(self, within: float | None = None) -> None:
        """Stops receiving, handles what was already received, closes the HTTP clients.

        `within` bounds the handling in seconds: what is not finished by then is cancelled."""
        await self.begin_stop()
        if self.application.running:
            try:
                await asyncio.wait_for(self.application.stop(), within)
            except TimeoutError:
                left = await self.processor.cancel_pending()
                log.error("stopped with %d received Telegram updates not handled", left)
        await self.application.shutdown()
        for request in self._requests:  # also when start() failed half-way
            await request.shutdown()

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("Telegram update %s failed", update_id, exc_info=context.error)

    async def _on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query is not None:
            await self._on_press(update.callback_query)
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
        replies = await self.app.engine.handle(incoming)
        if incoming.kind is not Kind.BLOCKED:
            # In a group, answer as a reply to the command: it shows whom the answer is for,
            # and a press on its buttons can be told apart (see `_pressed_by_addressee`).
            group_message = update.message if not incoming.is_private else None
            reply_to = group_message.message_id if group_message is not None else None
            await self._answer(inbound.chat_id, replies, incoming, reply_to=reply_to)

    async def _on_press(self, query: CallbackQuery) -> None:
        """Acknowledge, remove the keyboard, then let the engine judge the payload.

        In a private chat only its owner can press: a press whose message is from another
        private chat is forged, and is answered in the presser's own chat, not there. In a
        group the keyboard is removed only by the person the message answered."""
        try:
            await query.answer()
        except TelegramError as exc:
            log.info("could not answer a callback query: %s", exc)
        user = query.from_user
        message = query.message if isinstance(query.message, Message) else None
        private = message is None or message.chat.type == ChatType.PRIVATE
        chat_id = user.id if private or message is None else message.chat.id
        if message is not None and message.reply_markup and _pressed_by_addressee(message, user.id):
            await self._remove_keyboard(message)
        if not query.data:
            return
        person = str(user.id)
        incoming = Incoming(
            CHANNEL,
            person,
            person,
            Kind.CHOICE,
            payload=query.data,
            language_hint=user.language_code,
            is_private=private,
        )
        await self._answer(chat_id, await self.app.engine.handle(incoming), incoming)

    async def _remove_keyboard(self, message: Message) -> None:
        try:
            await self.application.bot.edit_message_reply_markup(
                message.chat.id, message.message_id, reply_markup=None
            )
        except TelegramError as exc:
            log.info("could not remove a pressed keyboard: %s", exc)

    async def _download(self, inbound: Inbound, file: FileRef) -> Attachment | None:
        if file.size is not None and file.size > MAX_DOWNLOAD_MB * 1024 * 1024:
            await self._notice(inbound, texts.TOO_BIG, size=MAX_DOWNLOAD_MB)
            return None
        try:
            remote = await self.application.bot.get_file(file.file_id)
            data = bytes(await remote.download_as_bytearray())
        except TelegramError as exc:
            log.warning("could not download a file: %s", exc)
            await self._notice(inbound, texts.TRY_AGAIN)
            return None
        return Attachment(data, file.filename, file.mime_type)

    async def _notice(self, inbound: Inbound, message: str, **values: object) -> None:
        assert inbound.incoming is not None
        locale = await self._locale(inbound.incoming)
        text = self.app.deps.i18n.translator(locale)(message, **values)
        await self._answer(inbound.chat_id, [Reply(text)], inbound.incoming, locale)

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
        await self.app.engine.handle(gone)

    async def _locale(self, incoming: Incoming) -> str:
        """The person's saved language, else what their Telegram app says."""
        async with self.app.deps.db.transaction() as tx:
            user = await users.find(tx, CHANNEL, incoming.user_id)
        if user is not None and user.locale:
            return user.locale
        return pick_locale(incoming.language_hint)


def _pressed_by_addressee(message: Message, user_id: int) -> bool:
    """A press by the person the message was for: the owner of a private chat; in a group,
    whoever sent the command the message answers (it is a reply to it)."""
    if message.chat.type == ChatType.PRIVATE:
        return message.chat.id == user_id
    command = message.reply_to_message
    return command is not None and command.from_user is not None and command.from_user.id == user_id
