"""Reusable steps that features call and that give a typed result back: a commune, a date,
the person's profile. Registered once by the composition root, below every feature."""

from __future__ import annotations

from bot.core.router import Router
from bot.steps import commune, consent, dates, profile


def register(router: Router) -> None:
    commune.register(router)
    consent.register(router)
    dates.register(router)
    profile.register(router)
