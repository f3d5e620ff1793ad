"""The interface every platform channel offers the runner, and its door into the engine.

A channel is started, gives the web server its routes (webhooks, media), and is stopped in
two steps (stop receiving, then finish what was received). It reaches the engine through a
`Door` only: put an update in, look up a person's language. The send errors and the
`Sender` it gives the outbox are defined in core (`bot.core.sending`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.web import AnyRoute


class ChannelStartError(Exception):
    """A channel could not start; the message says what to check (no secret in it)."""

    def __init__(self, message: str, *, bad_setting: bool = False) -> None:
        super().__init__(message)
        self.exit_code = 2 if bad_setting else 1


class Channel(Protocol):
    """What the runner does with every configured channel, in this order."""

    name: str

    async def start(self) -> None:
        """Checks the token and starts receiving; raises ChannelStartError."""

    def routes(self) -> Sequence[AnyRoute]:
        """The web routes it serves (its webhook), empty when it polls."""

    async def after_listening(self) -> None:
        """Once the web server listens: registers the webhook; raises ChannelStartError."""

    async def begin_stop(self) -> None:
        """Stops receiving and refuses new outbox sends (they stay queued)."""

    async def stop(self, within: float) -> None:
        """Finishes what was received within `within` seconds, closes its clients."""
