"""The Telegram channel's network and concurrency knobs."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.channels.telegram.limiter import Limits


@dataclass(frozen=True)
class Tuning:
    """Network and concurrency knobs; tests shrink them, production keeps the defaults."""

    limits: Limits = field(default_factory=Limits)
    poll_timeout: float = 25.0  # long polling: how long Telegram may hold getUpdates
    read_timeout: float = 10.0
    connect_timeout: float = 5.0
    connections: int = 64
