"""Interface texts through Babel gettext catalogs, and locale-aware formatting.

Message ids are English; `bot/locales/<lang>/LC_MESSAGES/messages.po` hold the catalogs. The
`.po` files are compiled in memory at start-up, so nothing binary is committed and a
translator only ever edits the `.po` file. Vietnamese is the default language.
"""

from __future__ import annotations

import io
from datetime import date, datetime, time
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from bot.core.clock import LOCAL_TZ

DEFAULT_LOCALE = "vi"
SUPPORTED = ("vi", "en")
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"


def pick_locale(hint: str | None) -> str:
    """Maps a platform language hint ('en-US', 'vi', None...) to a supported locale."""
    if hint:
        lang = hint.replace("_", "-").split("-", 1)[0].lower()
        if lang in SUPPORTED:
            return lang
    return DEFAULT_LOCALE


class Translator:
    """Translates and formats for one locale. Call it like gettext: `_("Hello {name}", name=x)`."""

    def __init__(self, locale: str, catalog: NullTranslations) -> None:
        self.locale = locale
        self._catalog = catalog
        self._babel_locale = Locale.parse(locale)

    def __call__(self, message: str, **values: object) -> str:
        text = self._catalog.gettext(message)
        return text.format(**values) if values else text

    def plural(self, singular: str, plural: str, count: int, **values: object) -> str:
        text = self._catalog.ngettext(singular, plural, count)
        return text.format(count=self.number(count), **values)

    def time(self, value: time) -> str:
        return format_time(value, "short", locale=self._babel_locale)

    def date(self, value: date) -> str:
        return format_date(value, "long", locale=self._babel_locale)

    def datetime(self, value: datetime) -> str:
        return format_datetime(value, "short", tzinfo=LOCAL_TZ, locale=self._babel_locale)

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self._babel_locale)


class I18n:
    """All catalogs, loaded once."""

    def __init__(self, locales_dir: Path = LOCALES_DIR) -> None:
        self._translators = {
            locale: Translator(locale, _load_catalog(locales_dir, locale)) for locale in SUPPORTED
        }

    def translator(self, locale: str | None) -> Translator:
        return self._translators.get(locale or DEFAULT_LOCALE, self._translators[DEFAULT_LOCALE])


def _load_catalog(locales_dir: Path, locale: str) -> NullTranslations:
    po_path = locales_dir / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        raise FileNotFoundError(f"{po_path}: the {locale!r} message catalog is missing")
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)
