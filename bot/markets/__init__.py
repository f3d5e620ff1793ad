"""Markets as the reporting and moderation features see them: from YAML and from the database.

`content/markets.yaml` lists the markets with a source; officers add more with /addmarket
(table `markets`) and mark model points (table `model_points`, which also overrides the
YAML's `model_point`). Shared by the report, moderation and market features, which must not
import each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.content.model import Content
from bot.content.units import distance_km
from bot.core.auth import Role
from bot.core.i18n import Translator
from bot.core.router import N_
from bot.core.text import fold
from bot.storage.db import Transaction
from bot.storage.users import User

# The checklist a report answers, in order: key and question (N_ message ids).
CHECKLIST: tuple[tuple[str, str], ...] = (
    ("free_bags", N_("Are nylon bags given out freely?")),
    ("bag_stall", N_("Is there a stall selling cloth bags or baskets?")),
    ("sorting_bins", N_("Are there bins for sorting waste?")),
    ("sign", N_("Is the model point's sign up?")),
)
# Short names of the checklist items, for summaries.
CHECK_LABELS = {
    "free_bags": N_("Free nylon bags"),
    "bag_stall": N_("Cloth-bag or basket stall"),
    "sorting_bins": N_("Sorting bins"),
    "sign": N_("Model point sign"),
}
# Agencies whose province-wide officers moderate reports: the environment department (its
# key is still `so-tnmt` in content/plan.yaml; `so-nnmt` is its 2025 successor's).
ENVIRONMENT_AGENCIES = frozenset({"so-tnmt", "so-nnmt"})
_WORDS_TO_DROP = ("cho ", "sieu thi ", "trung tam thuong mai ")


def checklist_lines(_: Translator, answers: dict[str, bool]) -> list[str]:
    """One line per answered checklist item: '• Sorting bins: yes'."""
    return [
        f"• {_(CHECK_LABELS[key])}: {_('yes') if answers[key] else _('no')}"
        for key, _question in CHECKLIST
        if key in answers
    ]


@dataclass(frozen=True)
class MarketInfo:
    id: str
    name_vi: str
    name_en: str
    commune: str
    kind: str
    model_point: bool
    lat: float | None = None
    lon: float | None = None

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_vi

    @property
    def key(self) -> str:
        """The folded name without 'chợ': what a typed name is matched against."""
        return name_key(self.name_vi)


@dataclass(frozen=True)
class Area:
    """Where a moderator's powers reach: one commune, or the whole province (None)."""

    commune: str | None


def moderation_area(user: User, role: Role) -> Area | None:
    """Admins and province-wide environment officers: everywhere; a commune's officer: there."""
    if role is Role.ADMIN:
        return Area(None)
    if role is not Role.OFFICER:
        return None
    if user.officer_commune:
        return Area(user.officer_commune)
    return Area(None) if user.officer_agency in ENVIRONMENT_AGENCIES else None


def name_key(name: str) -> str:
    """'Chợ Đông Kinh' -> 'dong kinh'."""
    return _strip(fold(name)).strip()


def _strip(folded: str) -> str:
    for word in _WORDS_TO_DROP:
        if folded.startswith(word):
            return folded[len(word) :]
    return folded


async def all_markets(tx: Transaction, content: Content) -> list[MarketInfo]:
    marks = {
        str(r[0]): bool(r[1])
        for r in await tx.fetch_all("SELECT market_id, model_point FROM model_points")
    }
    found = [
        MarketInfo(
            m.id,
            m.name.vi,
            m.name.en,
            m.commune,
            m.kind,
            marks.get(m.id, m.model_point),
            m.lat,
            m.lon,
        )
        for m in content.markets
    ]
    rows = await tx.fetch_all("SELECT id, name, commune_code, kind FROM markets ORDER BY name")
    found += [
        MarketInfo(str(r[0]), r[1], r[1], r[2], r[3], marks.get(str(r[0]), False)) for r in rows
    ]
    return found


async def market(tx: Transaction, content: Content, market_id: str) -> MarketInfo | None:
    return next((m for m in await all_markets(tx, content) if m.id == market_id), None)


def by_name(markets: list[MarketInfo], query: str) -> list[MarketInfo]:
    """Markets whose name matches a typed one: exact, then containing it, then with typos."""
    key = _strip(fold(query)).strip()
    if not key:
        return []
    exact = [m for m in markets if m.key == key]
    if exact:
        return exact
    contained = [m for m in markets if key in m.key]
    if contained:
        return contained
    hits = process.extract(
        key, [m.key for m in markets], scorer=fuzz.ratio, score_cutoff=80, limit=None
    )
    return [markets[index] for _, _, index in sorted(hits, key=lambda h: -h[1])]


def search(markets: list[MarketInfo], content: Content, query: str) -> list[MarketInfo]:
    """By the market's name first, else the markets of the communes the text names."""
    named = by_name(markets, query)
    if named:
        return named
    codes = [c.code for c in content.units.search(query).communes]
    return [m for code in codes for m in markets if m.commune == code]


def nearest(
    markets: list[MarketInfo],
    content: Content,
    lat: float,
    lon: float,
    limit: int = 5,
    within_km: float = 30.0,
) -> list[MarketInfo]:
    """Markets near a point: by their own coordinates where known, else by the distance of
    their commune's centre (most markets have no coordinates yet)."""
    centres = {c.code: c.centre for c in content.communes if c.centre is not None}

    def distance(m: MarketInfo) -> float:
        if m.lat is not None and m.lon is not None:
            return distance_km(lat, lon, m.lat, m.lon)
        centre = centres.get(m.commune)
        return distance_km(lat, lon, *centre) if centre else float("inf")

    ranked = sorted(markets, key=distance)
    return [m for m in ranked if distance(m) <= within_km][:limit]
