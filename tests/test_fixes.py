"""Defects found under load and review, each pinned: admins' consent, erased files."""

from __future__ import annotations

from bot.app import App
from tests.conftest import ADMIN
from tests.harness import Chat


async def test_an_admin_agrees_before_anything_of_theirs_is_stored(app: App) -> None:
    admin = Chat(app, ADMIN)
    await admin.send("/subscribe 06:30")
    assert "Please send /start" in admin.text
    await admin.send("/invite officer")
    assert "Please send /start" in admin.text
    row = await admin.row()
    assert row is not None and row["tip_time"] is None and row["consent_at"] is None
    assert await app.deps.db.fetch_one("SELECT 1 FROM invites") is None
    await admin.send("/start")
    await admin.press("I agree")
    await admin.send("/invite officer")
    assert "Which agency will the officer work for?" in admin.text
