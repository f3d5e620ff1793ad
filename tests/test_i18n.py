"""Every interface text is translated; dates, times and numbers follow the locale."""

from __future__ import annotations

import functools
import re
from datetime import date, time
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.core.i18n import LOCALES_DIR, I18n, pick_locale

BOT_DIR = Path(__file__).resolve().parent.parent / "bot"
PLACEHOLDER = re.compile(r"\{\w+\}")


@functools.cache
def extracted_ids() -> frozenset[str]:
    """Message ids in the code; a plural message (`_.plural`) is named by its singular.
    (Read once: the tests below only compare with it.)"""
    keywords = {"_": None, "N_": None, "plural": (1, 2)}
    found = extract_from_dir(str(BOT_DIR), keywords=keywords)
    return frozenset(m if isinstance(m, str) else m[0] for _, _, m, _, _ in found if m)


def catalog(locale: str) -> dict[str, str]:
    """msgid -> translation; a plural entry counts as translated when all its forms are."""
    path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    entries: dict[str, str] = {}
    with path.open("rb") as handle:
        for m in read_po(handle, locale=locale):
            if not m.id:
                continue
            if isinstance(m.id, str):
                entries[m.id] = str(m.string or "")
            else:
                forms = [str(f) for f in m.string or ("",)]
                entries[m.id[0]] = forms[0] if all(forms) else ""
    return entries


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
