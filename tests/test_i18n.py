"""Every interface text is translated; dates, times and numbers follow the locale."""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.core.i18n import LOCALES_DIR, I18n, pick_locale

BOT_DIR = Path(__file__).resolve().parent.parent / "bot"
PLACEHOLDER = re.compile(r"\{\w+\}")


def extracted_ids() -> set[str]:
    keywords = {"_": None, "N_": None}
    found = extract_from_dir(str(BOT_DIR), keywords=keywords)
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def catalog(locale: str) -> dict[str, str]:
    path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id and isinstance(m.id, str)}


def test_every_text_in_the_code_has_a_vietnamese_translation() -> None:
    vi = catalog("vi")
    missing = sorted(mid for mid in extracted_ids() if not vi.get(mid))
    assert not missing, f"run scripts/i18n and translate in vi/messages.po: {missing}"


def test_catalogs_hold_no_text_the_code_no_longer_uses() -> None:
    stale = sorted(set(catalog("vi")) - extracted_ids())
    assert not stale, f"run scripts/i18n to drop: {stale}"


def test_translations_keep_their_placeholders() -> None:
    for mid, text in catalog("vi").items():
        if text:
            assert sorted(PLACEHOLDER.findall(mid)) == sorted(PLACEHOLDER.findall(text)), mid


def test_locale_formatting() -> None:
    i18n = I18n()
    vi, en = i18n.translator("vi"), i18n.translator("en")
    assert vi.time(time(18, 30)) == "18:30"
    assert en.time(time(18, 30)) == "6:30\u202fPM"
    assert vi.number(1234567) == "1.234.567"
    assert en.number(1234567) == "1,234,567"
    assert "tháng 12" in vi.date(date(2026, 12, 2))
    assert en.date(date(2026, 12, 2)) == "December 2, 2026"


def test_language_hints() -> None:
    assert pick_locale("en-GB") == "en"
    assert pick_locale("vi_VN") == "vi"
    assert pick_locale("fr") == "vi"
    assert pick_locale(None) == "vi"
