"""Reusable steps that features call and that give a typed result back: a date (and more
to come). Registered once by the composition root, below every feature."""

from __future__ import annotations

from bot.core.router import Router
from bot.steps import dates


def register(router: Router) -> None:
    dates.register(router)
