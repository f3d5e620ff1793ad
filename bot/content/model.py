"""Typed content: what the YAML files under `content/` become once validated."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.content.units import CommuneIndex

AUDIENCES = ("resident", "student", "teacher", "worker", "media", "trader")
LEVELS = ("primary", "lower_secondary", "upper_secondary", "higher")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Localized:
    vi: str
    en: str

    def get(self, locale: str) -> str:
        return self.en if locale == "en" else self.vi


@dataclass(frozen=True)
class District:
    code: str
    name: str
    folded: str = field(compare=False, default="")  # 'trang dinh', 'lang son'

    @property
    def short_name(self) -> str:
        """'Tràng Định' for 'Huyện Tràng Định'; the city keeps its whole name."""
        return self.name.removeprefix("Huyện ")


@dataclass(frozen=True)
class FormerUnit:
    """A commune, ward or town before 1 July 2025, as listed in a commune's `merged_from`."""

    code: str
    name: str  # 'Xã Mai Pha'
    district: str  # the former district's code
    partial: bool  # only part of it joined this commune
    folded: str = field(compare=False, default="")  # 'mai pha'

    @property
    def short_name(self) -> str:
        """'Mai Pha' for 'Xã Mai Pha'."""
        for kind in ("Thị trấn ", "Phường ", "Xã "):
            if self.name.startswith(kind):
                return self.name[len(kind) :]
        return self.name


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    kind: str
    former_district: str
    merged_from: str
    former: tuple[FormerUnit, ...] = ()
    centre: tuple[float, float] | None = None  # latitude, longitude
    folded: str = field(compare=False, default="")


MARKET_KINDS = ("market", "supermarket", "trade_centre")


@dataclass(frozen=True)
class Market:
    """A market, supermarket or trade centre, in a commune of `content/units.yaml`."""

    id: str
    name: Localized
    commune: str
    kind: str
    model_point: bool
    source: Localized
    lat: float | None = None
    lon: float | None = None
    note: str = ""


# A pledge's durations: the number of weekly check-ins (None: ongoing, asked every week).
DURATIONS: dict[str, int | None] = {"week": 1, "month": 4, "quarter": 13, "ongoing": None}


@dataclass(frozen=True)
class Pledge:
    """A habit a person commits to (content/pledges.yaml)."""

    id: str
    label: Localized  # short, for a button
    text: Localized  # the pledge in full: "I bring my own bag or basket to market"
    why: Localized  # one line
    source: Localized | None  # where the why states a fact
    duration: str  # the suggested one, a key of DURATIONS
    audiences: frozenset[str]
    words: tuple[str, ...]  # folded phrases that find it in a typed sentence

    def suits(self, audience: str | None) -> bool:
        return "all" in self.audiences or (audience or "resident") in self.audiences


@dataclass(frozen=True)
class DayRule:
    """A fixed day ('06-05') or the Nth weekday of a month ('03/last/sat')."""

    month: int
    day: int = 0
    nth: int = 0
    weekday: int = 0

    def matches(self, when: date) -> bool:
        if when.month != self.month:
            return False
        if self.day:
            return when.day == self.day
        if when.weekday() != self.weekday:
            return False
        if self.nth == -1:
            last_day = calendar.monthrange(when.year, when.month)[1]
            return when.day + 7 > last_day
        return (when.day - 1) // 7 + 1 == self.nth


TIP_KINDS = ("habit", "fact", "law")  # law: a fine or a legal duty (the order rule spaces them)


@dataclass(frozen=True)
class Tip:
    id: str
    audiences: frozenset[str]
    levels: frozenset[str]
    on: DayRule | None
    text: Localized
    source: Localized
    kind: str = "habit"
    local: bool = False  # names a place of Lạng Sơn, or takes the person's commune or market
    source_long: Localized | None = None  # the full citation, shown by /source
    placeholders: frozenset[str] = frozenset()
    months: frozenset[int] = frozenset()  # a seasonal tip (harvest, festivals): only these months

    @property
    def long_source(self) -> Localized:
        return self.source_long or self.source

    def in_season(self, day: date) -> bool:
        return not self.months or day.month in self.months

    def suits(self, audience: str | None, level: str | None) -> bool:
        if "all" not in self.audiences and (audience or "resident") not in self.audiences:
            return False
        return not self.levels or level is None or level in self.levels


@dataclass(frozen=True)
class Agency:
    """A body with the period it exists under this name (`content/agencies.yaml`)."""

    key: str
    short: str
    name: Localized
    level: str = "province"  # central | province | commune
    valid_from: date | None = None
    valid_to: date | None = None
    successors: tuple[str, ...] = ()
    confidence: str = "sourced"  # sourced | unconfirmed
    source: str = ""
    note: str = ""

    @property
    def code(self) -> str:
        return self.key

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True)
class ReportRecipient:
    """Who receives the plan's yearly report; `confirmed` false means: do not name it."""

    agency: str
    confirmed: bool
    source: str


@dataclass(frozen=True)
class Quota:
    kind: str  # "count", "regular" or "yearly"
    minimum: int | None = None
    maximum: int | None = None
    per: str = "year"
    unit: str = ""


@dataclass(frozen=True)
class Target:
    id: str
    percent: int | None
    audiences: frozenset[str]
    text: Localized
    source: str


@dataclass(frozen=True)
class Task:
    id: str
    number: str
    text: Localized
    lead: str
    quota: Quota
    source: str


@dataclass(frozen=True)
class Plan:
    title: Localized
    instrument: str
    period: tuple[int, int]
    report_deadline: tuple[int, int]
    source: str
    agencies: tuple[Agency, ...]
    targets: tuple[Target, ...]
    tasks: tuple[Task, ...]
    report_recipient: ReportRecipient | None = None

    def agency(self, key: str) -> Agency | None:
        return next((a for a in self.agencies if a.key == key), None)

    @property
    def starts(self) -> date:
        return date(self.period[0], 1, 1)

    @property
    def ends(self) -> date:
        return date(self.period[1], 12, 31)

    def in_force(self, day: date) -> bool:
        return self.starts <= day <= self.ends


@dataclass(frozen=True)
class Content:
    districts: tuple[District, ...]
    communes: tuple[Commune, ...]
    tips: tuple[Tip, ...]
    plan: Plan
    units: CommuneIndex = field(compare=False, repr=False)  # search and location look-up
    markets: tuple[Market, ...] = ()
    agencies: tuple[Agency, ...] = ()
    plans: tuple[Plan, ...] = ()  # every plan, oldest first; `plan` is content/plan.yaml
    pledges: tuple[Pledge, ...] = ()

    def commune(self, code: str | None) -> Commune | None:
        return next((c for c in self.communes if c.code == code), None)

    def district(self, code: str) -> District | None:
        return next((d for d in self.districts if d.code == code), None)

    def tip(self, tip_id: str) -> Tip | None:
        return next((t for t in self.tips if t.id == tip_id), None)

    def market(self, market_id: str) -> Market | None:
        return next((m for m in self.markets if m.id == market_id), None)

    def pledge(self, pledge_id: str) -> Pledge | None:
        return next((p for p in self.pledges if p.id == pledge_id), None)

    def markets_in(self, commune_code: str | None) -> tuple[Market, ...]:
        return tuple(m for m in self.markets if m.commune == commune_code)

    def agency(self, code: str) -> Agency | None:
        return next((a for a in self.agencies if a.key == code), None)

    def current_agencies(self, day: date, level: str | None = None) -> tuple[Agency, ...]:
        """The bodies that exist on `day` under their name (optionally of one level)."""
        return tuple(
            a for a in self.agencies if a.valid_on(day) and (level is None or a.level == level)
        )

    def successor(self, code: str, day: date) -> tuple[Agency, ...]:
        """The bodies doing `code`'s work on `day`: itself while it exists, else its successors
        (followed through later mergers), the first one taking the figures recorded under it."""
        found: list[Agency] = []
        pending, seen = [code], set()
        while pending:
            current = self.agency(pending.pop(0))
            if current is None or current.key in seen:
                continue
            seen.add(current.key)
            if current.valid_on(day) or not current.successors:
                if current.valid_on(day) and current not in found:
                    found.append(current)
                continue
            pending = list(current.successors) + pending
        return tuple(found)

    def plan_in_force(self, day: date) -> Plan | None:
        return next((p for p in self.plans if p.in_force(day)), None)

    def plan_for(self, day: date) -> Plan:
        """The plan in force on `day`, or else the last one that started before it."""
        started = [p for p in self.plans if p.starts <= day] or list(self.plans[:1])
        return self.plan_in_force(day) or (started[-1] if started else self.plan)

    def report_recipient(self, day: date) -> Agency | None:
        """Who receives the yearly report due around `day`, or None when it cannot be said:
        no plan in force, a recipient the data marks unconfirmed, or a recipient that has
        ended without one confirmed successor."""
        plan = self.plan_in_force(day)
        recipient = plan.report_recipient if plan else None
        if recipient is None or not recipient.confirmed:
            return None
        agency = self.agency(recipient.agency)
        if agency is None:
            return None
        if agency.valid_on(day):
            return agency
        heirs = self.successor(agency.key, day)
        return heirs[0] if len(heirs) == 1 and agency.confidence == "sourced" else None
