"""Placeholders in tips: `{commune}`, `{market}` and `{report_recipient}`.

A tip can name the person's commune and its market ("Đi chợ {market}, hãy mang làn"), taken
from `content/units.yaml` and `content/markets.yaml`. Someone without a commune, or in a
commune with no listed market nearby, reads a general phrase instead ("chợ gần nhà"), so a
tip never shows a bare brace. `{report_recipient}` is the body that receives the plan's yearly
report on that day; a tip that needs it is held while nobody can be named (see `available`).
"""

from __future__ import annotations

import re
from datetime import date

from bot.content.model import Commune, Content, Localized, Market, Tip

PLACEHOLDERS = ("commune", "market", "report_recipient")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
FALLBACK = {
    "commune": Localized(vi="xã, phường của bạn", en="your commune"),
    "market": Localized(vi="chợ gần nhà", en="the market near you"),
    "report_recipient": Localized(vi="cơ quan đầu mối", en="the lead agency"),
}
_EN_KIND = {"xa": "commune", "phuong": "ward"}


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def nearest_market(content: Content, commune_code: str | None) -> Market | None:
    """The commune's own market (a model point first), else one in the same former district.

    Without coordinates for the communes, "nearest" is "in the commune, or in the former
    district it mostly came from"; anything further would name a market the person may never
    go to.
    """
    own = sorted(content.markets_in(commune_code), key=lambda m: not m.model_point)
    if own:
        return own[0]
    commune = content.commune(commune_code)
    if commune is None:
        return None
    for market in content.markets:
        home = content.commune(market.commune)
        if home is not None and home.former_district == commune.former_district:
            return market
    return None


def commune_phrase(commune: Commune, locale: str) -> str:
    """'xã Tân Tiến' inside a Vietnamese sentence, 'Tân Tiến commune' in English."""
    if locale == "en":
        bare = commune.name.split(" ", 1)[1] if " " in commune.name else commune.name
        return f"{bare} {_EN_KIND.get(commune.kind, 'commune')}"
    return commune.name[:1].lower() + commune.name[1:]


def market_phrase(market: Market, locale: str) -> str:
    name = market.name.get(locale)
    return name if locale == "en" else name[:1].lower() + name[1:]


def available(tip: Tip, content: Content, day: date) -> bool:
    """A tip naming the report's recipient waits until a plan in force names one for sure."""
    return "report_recipient" not in tip.placeholders or (content.report_recipient(day) is not None)


def fill(text: str, locale: str, content: Content, commune_code: str | None, day: date) -> str:
    """The tip's text with the person's commune, market and the report's recipient."""
    if "{" not in text:
        return text
    commune = content.commune(commune_code)
    market = nearest_market(content, commune_code)
    recipient = content.report_recipient(day)
    values = {
        "commune": commune_phrase(commune, locale) if commune else None,
        "market": market_phrase(market, locale) if market else None,
        "report_recipient": recipient.name.get(locale) if recipient else None,
    }

    def one(found: re.Match[str]) -> str:
        key = found[1]
        value = values.get(key)
        if value:
            return value
        fallback = FALLBACK.get(key)
        return fallback.get(locale) if fallback else found[0]

    return _PLACEHOLDER.sub(one, text)
