"""Reply -> Bot API calls, and Telegram's errors -> the few send errors every channel shares.

Choices become an inline keyboard (one button per row, the payload as callback data);
`ask_location` becomes a one-time "share my location" reply keyboard, removed again with the
next plain message to that chat. A photo or document is uploaded, captioned with the text
when it fits. Link previews are off: tips cite their sources and a preview would drown them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.channels.base import (
    PermanentFailure,
    RecipientGone,
    SendError,
    TemporaryFailure,
    Throttled,
)
from bot.channels.telegram.limiter import retry_seconds
from bot.channels.telegram.texts import OR_SHARE_LOCATION, SHARE_LOCATION
from bot.core.i18n import I18n
from bot.core.messages import Attachment, Capabilities, Choice, Reply
from bot.core.render import texts_for

log = logging.getLogger(__name__)

CAPABILITIES = Capabilities(buttons=True, max_text=4096, location=True, documents=True)
MAX_CAPTION = 1024
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


class Stopping(Throttled):
    """The bot is shutting down: the outbox keeps the delivery for the next start."""

    def __init__(self) -> None:
        super().__init__(0, "the bot is stopping; delivery kept for the next start")


def send_error(exc: TelegramError) -> SendError:
    """Maps a python-telegram-bot error to what the outbox should do about it."""
    if isinstance(exc, RetryAfter):
        return Throttled(retry_seconds(exc), str(exc))
    if isinstance(exc, Forbidden):  # blocked, deactivated, kicked, never started the bot
        return RecipientGone(str(exc))
    if isinstance(exc, BadRequest | ChatMigrated | InvalidToken):  # chat not found, bad markup
        return PermanentFailure(str(exc))
    if isinstance(exc, NetworkError):  # timeouts and 5xx, after the limiter's retries
        return TemporaryFailure(str(exc))
    return TemporaryFailure(str(exc))


def inline_keyboard(choices: Sequence[Choice]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(c.label, callback_data=c.payload)] for c in choices]
    )


class TelegramSender:
    """The outbox's sender for Telegram; the channel uses `deliver` for its direct answers."""

    capabilities = CAPABILITIES

    def __init__(self, bot: Bot, i18n: I18n) -> None:
        self.bot = bot
        self.i18n = i18n
        self.stopping = False
        self._location_keyboards: set[int] = set()

    async def send(self, chat_id: str, replies: Sequence[Reply]) -> None:
        """The outbox's entry: refuses new work once the bot is stopping."""
        if self.stopping:
            raise Stopping()
        await self.deliver(int(chat_id), replies)

    async def deliver(self, chat_id: int, replies: Sequence[Reply], locale: str = "vi") -> None:
        """Sends the replies in order; raises a `SendError` if Telegram refuses one."""
        try:
            for reply in replies:
                await self._reply(chat_id, reply, locale)
        except TelegramError as exc:
            raise send_error(exc) from exc

    async def _reply(self, chat_id: int, reply: Reply, locale: str) -> None:
        parts = [part for part in texts_for(reply, CAPABILITIES) if part.strip()]
        markup = self._markup(chat_id, reply, locale)
        attachments = [a for a in (reply.photo, reply.document) if a is not None]
        for number, attachment in enumerate(attachments, 1):
            last = number == len(attachments)
            caption = (
                parts[0] if last and len(parts) == 1 and len(parts[0]) <= MAX_CAPTION else None
            )
            await self._upload(chat_id, attachment, reply.photo is attachment, caption, markup)
            if caption is not None:
                parts, markup = [], None
        for number, part in enumerate(parts, 1):
            await self.bot.send_message(
                chat_id,
                part,
                reply_markup=markup if number == len(parts) else None,
                link_preview_options=NO_PREVIEW,
            )
        if reply.choices and reply.ask_location:  # one message cannot carry both keyboards
            hint = self.i18n.translator(locale)(OR_SHARE_LOCATION)
            await self.bot.send_message(chat_id, hint, reply_markup=self._location_keyboard(locale))

    async def _upload(
        self,
        chat_id: int,
        attachment: Attachment,
        is_photo: bool,
        caption: str | None,
        markup: Markup | None,
    ) -> None:
        upload = InputFile(attachment.data, filename=attachment.filename)
        if is_photo:
            await self.bot.send_photo(chat_id, upload, caption=caption, reply_markup=markup)
        else:
            await self.bot.send_document(chat_id, upload, caption=caption, reply_markup=markup)

    def _markup(self, chat_id: int, reply: Reply, locale: str) -> Markup | None:
        if reply.ask_location:
            self._location_keyboards.add(chat_id)
            if not reply.choices:
                return self._location_keyboard(locale)
        if reply.choices:
            return inline_keyboard(reply.choices)
        if chat_id in self._location_keyboards:
            self._location_keyboards.discard(chat_id)
            return ReplyKeyboardRemove()
        return None

    def _location_keyboard(self, locale: str) -> ReplyKeyboardMarkup:
        label = "📍 " + self.i18n.translator(locale)(SHARE_LOCATION)
        return ReplyKeyboardMarkup(
            [[KeyboardButton(label, request_location=True)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
