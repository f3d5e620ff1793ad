"""Interface texts through Babel gettext catalogs, and locale-aware formatting.

Message ids are English; `bot/locales/<lang>/LC_MESSAGES/messages.po` hold the catalogs. The
`.po` files are compiled in memory at start-up, so nothing binary is committed and a
translator only ever edits the `.po` file. Vietnamese is the default language.
"""

from __future__ import annotations

import io
import re
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
# How the bot addresses the person in Vietnamese: "bạn" (default), "ông/bà" (formal, chosen in
# /settings or an officer's default) or "quý vị" (a message to a group). English is unchanged.
ADDRESSES = {"ban": ("", ""), "ongba": ("ông/bà", "Ông/Bà"), "quyvi": ("quý vị", "Quý vị")}
_YOU = re.compile(r"\b([Bb])ạn\b(?! bè)")
# The bot speaks of itself as "mình" to "bạn", and as "tôi" when it says "ông/bà" or "quý vị"
# ("mình" is familiar). "của mình", "chính mình" (one's own, oneself) are the person's.
_ME = re.compile(r"(?<!của )(?<!chính )\b([Mm])ình\b")
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

    def __init__(self, locale: str, catalog: NullTranslations, address: str = "ban") -> None:
        self.locale = locale
        self.address = address
        self._catalog = catalog
        self._babel_locale = Locale.parse(locale)
        self._you = ADDRESSES.get(address, ("", "")) if locale == "vi" else ("", "")

    def __call__(self, message: str, **values: object) -> str:
        text = self.addressed(self._catalog.gettext(message), speaking=True)
        return text.format(**values) if values else text

    def plural(self, singular: str, plural: str, count: int, **values: object) -> str:
        text = self.addressed(self._catalog.ngettext(singular, plural, count), speaking=True)
        return text.format(count=self.number(count), **values)

    def addressed(self, text: str, *, speaking: bool = False) -> str:
        """The text with "bạn" (you) in the person's chosen form of address; content texts
        (tips) go through this too. `speaking`: the bot's own sentences (the catalog), where
        it also calls itself "tôi" instead of "mình" in the formal forms; a tip's "nhà mình"
        (your household) is the reader's, so content keeps its "mình"."""
        you, capital = self._you
        if not you:
            return text
        text = _YOU.sub(lambda m: capital if m.group(1) == "B" else you, text)
        if speaking:
            text = _ME.sub(lambda m: "Tôi" if m.group(1) == "M" else "tôi", text)
        return text

    def with_address(self, address: str) -> Translator:
        return Translator(self.locale, self._catalog, address)

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

    def translator(self, locale: str | None, address: str = "ban") -> Translator:
        found = self._translators.get(locale or DEFAULT_LOCALE, self._translators[DEFAULT_LOCALE])
        return found if address == "ban" else found.with_address(address)


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
