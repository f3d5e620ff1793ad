"""What the engine's outbox needs from a channel: a `Sender`, and the send errors.

They live in core because the outbox (core) uses them and core never imports a channel;
every channel maps its platform's errors to these few outcomes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, runtime_checkable

from bot.core.messages import Capabilities, Reply


class SendError(Exception):
    """A send failed; subclasses say what the outbox should do about it."""


class RecipientGone(SendError):
    """Blocked the bot or deactivated: stop sending and mark them unreachable."""


class Throttled(SendError):
    """The platform asked us to slow down: retry after `retry_after` seconds."""

    def __init__(self, retry_after: float, message: str = "throttled") -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TemporaryFailure(SendError):
    """Network trouble or a server error: retry with backoff."""


class PermanentFailure(SendError):
    """The platform refused the message for good: log it and drop it."""


class Sender(Protocol):
    """Delivers replies to one chat on one channel."""

    capabilities: Capabilities

    async def send(self, chat_id: str, replies: Sequence[Reply]) -> None: ...


Progress = Callable[[int], Awaitable[None]]  # returns once the count is recorded


class AnswerSender(Protocol):
    """Sends a stored answer (see `bot.storage.answers`) to the place its address names."""

    async def send_answer(
        self, address: str, replies: Sequence[Reply], skip: int, progress: Progress
    ) -> None:
        """Sends the messages of `replies` after the first `skip`; awaits `progress(n)` once
        the first n are sent, before the next one. Raises a `SendError`."""


@runtime_checkable
class PartSender(Protocol):
    """A `Sender` that can resume a split message: the outbox's deliveries use it when the
    channel offers it, so a retry never repeats the messages already sent."""

    async def send_parts(
        self, chat_id: str, replies: Sequence[Reply], skip: int, progress: Progress
    ) -> None:
        """As `Sender.send`, after the first `skip` messages, awaiting `progress(n)` once the
        first n are sent (before the next one). Raises a `SendError`."""
