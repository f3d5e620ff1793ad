"""Reply -> Bot API calls, and Telegram's errors -> the few send errors every channel shares.

Choices become an inline keyboard (one button per row, the payload as callback data);
`ask_location` becomes a one-time "share my location" reply keyboard, removed again with the
next plain message to that chat (`LocationKeyboards` says which chats have one). A photo or
document is uploaded, captioned with the text when it fits. Link previews are off: tips cite
their sources and a preview would drown them. An answer in a group replies to the command it
answers (`reply_to`).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any

from telegram import InputFile
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.channels.telegram.lean import LeanBot
from bot.channels.telegram.limiter import retry_seconds
from bot.channels.telegram.texts import OR_SHARE_LOCATION, SHARE_LOCATION
from bot.core import jsons
from bot.core.i18n import I18n
from bot.core.messages import Attachment, Capabilities, Choice, Reply
from bot.core.render import texts_for
from bot.core.sending import (
    PermanentFailure,
    Progress,
    RecipientGone,
    SendError,
    TemporaryFailure,
    Throttled,
)

log = logging.getLogger(__name__)

CAPABILITIES = Capabilities(buttons=True, max_text=4096, location=True, documents=True)
MAX_CAPTION = 1024
NO_PREVIEW = {"is_disabled": True}  # the Bot API's LinkPreviewOptions
Markup = dict[str, Any]  # a keyboard as the Bot API's JSON (python-telegram-bot's objects
# cost more to serialise than the rest of a sendMessage)
REMOVE_KEYBOARD: Markup = {"remove_keyboard": True}
Step = Callable[[], Awaitable[object]]
LocaleOf = Callable[[str], Awaitable[str | None]]
LOCATION_KEYBOARDS = 5000  # chats remembered as showing a "share my location" keyboard


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


def inline_keyboard(choices: Sequence[Choice]) -> Markup:
    return {"inline_keyboard": [[{"text": c.label, "callback_data": c.payload}] for c in choices]}


class LocationKeyboards:
    """The chats that were last sent a "share my location" keyboard, most recent last.

    Kept in memory and bounded (least recently asked forgotten first), so it cannot grow
    without limit. A chat forgotten, by eviction or by a restart, does not get the
    `ReplyKeyboardRemove` with its next plain message: the keyboard is one-time (Telegram hides
    it once used), the person can still close it or type, and the next question that asks
    for a location replaces it. Nothing else depends on this set.
    """

    def __init__(self, limit: int = LOCATION_KEYBOARDS) -> None:
        self.limit = limit
        self._chats: OrderedDict[int, None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._chats)

    def __contains__(self, chat_id: object) -> bool:
        return chat_id in self._chats

    def add(self, chat_id: int) -> None:
        self._chats[chat_id] = None
        self._chats.move_to_end(chat_id)
        while len(self._chats) > self.limit:
            self._chats.popitem(last=False)

    def discard(self, chat_id: int) -> None:
        self._chats.pop(chat_id, None)


class TelegramSender:
    """The outbox's sender for Telegram; the channel uses `deliver` for its direct answers."""

    capabilities = CAPABILITIES

    def __init__(self, bot: LeanBot, i18n: I18n, locale_of: LocaleOf | None = None) -> None:
        self.bot = bot
        self.i18n = i18n
        self.locale_of = locale_of
        self.stopping = False
        self.location_keyboards = LocationKeyboards()

    async def send(self, chat_id: str, replies: Sequence[Reply]) -> None:
        """The outbox's entry: refuses new work once the bot is stopping."""
        if self.stopping:
            raise Stopping()
        await self.deliver(int(chat_id), replies)

    async def send_parts(
        self, chat_id: str, replies: Sequence[Reply], skip: int, progress: Progress
    ) -> None:
        """The outbox's entry for a delivery that may resume after its first `skip` messages."""
        if self.stopping:
            raise Stopping()
        await self.deliver(int(chat_id), replies, skip=skip, progress=progress)

    async def deliver(
        self,
        chat_id: int,
        replies: Sequence[Reply],
        locale: str = "vi",
        *,
        reply_to: int | None = None,
        skip: int = 0,
        progress: Progress | None = None,
    ) -> None:
        """Sends the replies in order, each message a reply to the message `reply_to` of that
        chat if given; raises a `SendError` if Telegram refuses one. The first `skip`
        messages were sent before; `progress(n)` is told each time n have been sent."""
        extra: dict[str, Any] = {}
        if reply_to is not None:  # sent anyway if that message was deleted meanwhile
            extra["reply_parameters"] = {
                "message_id": reply_to,
                "allow_sending_without_reply": True,
            }
        steps = [step for reply in replies for step in self._steps(chat_id, reply, locale, extra)]
        try:
            for number, step in enumerate(steps, 1):
                if number <= skip:
                    continue
                await step()
                if progress is not None and number < len(steps):
                    await progress(number)
        except TelegramError as exc:
            raise send_error(exc) from exc

    async def send_answer(
        self, address: str, replies: Sequence[Reply], skip: int, progress: Progress
    ) -> None:
        """A stored answer: its address says the chat, the message it answers, whose it is."""
        where = jsons.loads(address)
        locale = "vi"
        if any(r.ask_location for r in replies) and self.locale_of is not None:
            locale = await self.locale_of(str(where["user"])) or where.get("hint") or "vi"
        await self.deliver(
            int(where["chat"]),
            replies,
            locale,
            reply_to=where.get("reply_to"),
            skip=skip,
            progress=progress,
        )

    def _steps(self, chat_id: int, reply: Reply, locale: str, extra: dict[str, Any]) -> list[Step]:
        """One Bot API call per step, in order (the markup is decided here, once)."""
        steps: list[Step] = []
        parts = [part for part in texts_for(reply, CAPABILITIES) if part.strip()]
        markup = self._markup(chat_id, reply, locale)
        attachments = [a for a in (reply.photo, reply.document) if a is not None]
        for number, attachment in enumerate(attachments, 1):
            last = number == len(attachments)
            caption = (
                parts[0] if last and len(parts) == 1 and len(parts[0]) <= MAX_CAPTION else None
            )
            is_photo = reply.photo is attachment
            steps.append(
                partial(self._upload, chat_id, attachment, is_photo, caption, markup, extra)
            )
            if caption is not None:
                parts, markup = [], None
        for number, part in enumerate(parts, 1):
            last = number == len(parts)
            steps.append(
                partial(self._send_text, chat_id, part, markup if last else None, NO_PREVIEW, extra)
            )
        if reply.choices and reply.ask_location:  # one message cannot carry both keyboards
            hint = self.i18n.translator(locale)(OR_SHARE_LOCATION)
            keyboard = self._location_keyboard(locale)
            steps.append(partial(self._send_text, chat_id, hint, keyboard, None, extra))
        return steps

    async def _send_text(
        self,
        chat_id: int,
        text: str,
        markup: Markup | None,
        preview: dict[str, bool] | None,
        extra: dict[str, Any],
    ) -> None:
        """sendMessage, its answer left as JSON (the sent message is not read)."""
        params = {"chat_id": chat_id, "text": text, "reply_markup": markup, **extra}
        await self.bot.call("sendMessage", params | {"link_preview_options": preview})

    async def _upload(
        self,
        chat_id: int,
        attachment: Attachment,
        is_photo: bool,
        caption: str | None,
        markup: Markup | None,
        extra: dict[str, Any],
    ) -> None:
        upload = InputFile(attachment.data, filename=attachment.filename)
        field, method = ("photo", "sendPhoto") if is_photo else ("document", "sendDocument")
        params = {"chat_id": chat_id, field: upload, "caption": caption, "reply_markup": markup}
        await self.bot.call(method, params | extra)

    def _markup(self, chat_id: int, reply: Reply, locale: str) -> Markup | None:
        if reply.ask_location:
            self.location_keyboards.add(chat_id)
            if not reply.choices:
                return self._location_keyboard(locale)
        if reply.choices:
            return inline_keyboard(reply.choices)
        if chat_id in self.location_keyboards:
            self.location_keyboards.discard(chat_id)
            return REMOVE_KEYBOARD
        return None

    def _location_keyboard(self, locale: str) -> Markup:
        label = "📍 " + self.i18n.translator(locale)(SHARE_LOCATION)
        return {
            "keyboard": [[{"text": label, "request_location": True}]],
            "resize_keyboard": True,
            "one_time_keyboard": True,
        }
