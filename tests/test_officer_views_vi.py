"""Every officer view rendered in Vietnamese: no text may fall back to its English msgid."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.app import App
from bot.core.clock import FakeClock
from bot.core.i18n import Translator
from tests.builders import known_data, make_officer

VIEWS = (
    "/stats",
    "/stats Tràng Định",
    "/stats Tân Đoàn 2025-2026",
    "/stats THCS Tân Đoàn",
    "/stats Nowhere at all",
    "/classstats",
    "/classstats 2025-2026",
    "/classstats 2026",
    "/classstats tan doan",
    "/classstats Nowhere",
    "/approvals",
    "/plan",
    "/plan 2025",
    "/setcount media 120",
    "/setcount",
    "/export",
    "/annualreport 2026",
)


@pytest.fixture
def misses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The Vietnamese message ids the catalog has no translation for."""
    found: list[str] = []
    plain, plural = Translator.__call__, Translator.plural

    def known(self: Translator, key: object, message: str) -> None:
        if self.locale == "vi" and key not in self._catalog._catalog:
            found.append(message)

    def call(self: Translator, message: str, **values: object) -> str:
        known(self, message, message)
        return plain(self, message, **values)

    def plural_call(
        self: Translator, singular: str, plural_: str, count: int, **values: object
    ) -> str:
        known(self, (singular, 0), singular)  # Vietnamese has one form: index 0
        return plural(self, singular, plural_, count, **values)

    monkeypatch.setattr(Translator, "__call__", call)
    monkeypatch.setattr(Translator, "plural", plural_call)
    yield found


async def test_every_officer_view_is_vietnamese(
    app: App, clock: FakeClock, misses: list[str]
) -> None:
    await known_data(app, clock)
    officer = await make_officer(app, "so")
    await officer.send("/lang vi")
    misses.clear()  # the English journey that made the officer
    seen = []
    for view in VIEWS:
        await officer.send(view)
        seen.append(officer.text)
        for reply in officer.replies:
            if reply.document is not None and reply.document.filename.endswith(".csv"):
                header = reply.document.data.decode("utf-8-sig").splitlines()[0]
                assert header.startswith('Năm học,Huyện cũ,"Xã, phường",Trường,'), header
                assert "School" not in header and "Class" not in header
    assert misses == []
    assert "Số liệu của toàn tỉnh" in seen[0], seen[0]
    assert "Các xã, phường còn xa mục tiêu 90% nhất:" in seen[0]
    assert "lớp ·" in seen[5] and "class" not in seen[5].replace("/classstats", "")


async def test_a_missing_translation_is_caught(app: App, misses: list[str]) -> None:
    """The check itself: a text with no Vietnamese entry is reported."""
    app.deps.i18n.translator("vi")("A text nobody translated")
    assert misses == ["A text nobody translated"]
