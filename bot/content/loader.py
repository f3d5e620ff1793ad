"""Loads and validates the YAML content at start-up.

Every error names the file and the key ("content/tips.yaml: tips[12].source: missing"), so a
content author can fix it without reading code.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.content.model import (
    AUDIENCES,
    LEVELS,
    MARKET_KINDS,
    WEEKDAYS,
    Agency,
    Commune,
    Content,
    DayRule,
    District,
    FormerUnit,
    Localized,
    Market,
    Plan,
    Quota,
    Target,
    Task,
    Tip,
)
from bot.content.units import CommuneIndex, fold_district_name, parse_merged_from
from bot.core.text import fold_unit_name

MAX_TIP_CHARS = 600
MAX_SOURCE_CHARS = 120  # a short source shown under a tip or question; the long one is /source
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_FIXED_DAY = re.compile(r"^(\d\d)-(\d\d)$")
_NTH_DAY = re.compile(r"^(\d\d)/([1-4]|last)/([a-z]{3})$")


class ContentError(ValueError):
    """A content file is invalid; the message names the file and the key."""


class Node:
    """A YAML value plus where it came from, for error messages."""

    def __init__(self, value: Any, file: str, key: str) -> None:
        self.value, self.file, self.key = value, file, key

    def fail(self, message: str) -> ContentError:
        return ContentError(f"{self.file}: {self.key}: {message}")

    def child(self, name: str | int, required: bool = True) -> Node:
        key = f"{self.key}[{name}]" if isinstance(name, int) else f"{self.key}.{name}".strip(".")
        if isinstance(name, int):
            return Node(self.value[name], self.file, key)
        if not isinstance(self.value, dict):
            raise self.fail("expected a mapping")
        if required and name not in self.value:
            raise Node(None, self.file, key).fail("missing")
        return Node(self.value.get(name), self.file, key)

    def items(self) -> list[Node]:
        if not isinstance(self.value, list) or not self.value:
            raise self.fail("expected a non-empty list")
        return [self.child(i) for i in range(len(self.value))]

    def text(self, max_len: int = 2000) -> str:
        if not isinstance(self.value, str | int) or not str(self.value).strip():
            raise self.fail("expected non-empty text")
        value = str(self.value).strip()
        if len(value) > max_len:
            raise self.fail(f"longer than {max_len} characters ({len(value)})")
        return unicodedata.normalize("NFC", value)

    def localized(self, max_len: int = 2000) -> Localized:
        return Localized(vi=self.child("vi").text(max_len), en=self.child("en").text(max_len))

    def localized_or_text(self, max_len: int = 2000) -> Localized:
        """A `{vi, en}` mapping, or one text used for both languages (older content)."""
        if isinstance(self.value, dict):
            return self.localized(max_len)
        if isinstance(self.value, list):
            raise self.fail("expected text or a mapping with vi and en")
        value = self.text(max_len)
        return Localized(vi=value, en=value)

    def ident(self) -> str:
        value = self.text()
        if not _ID.match(value):
            raise self.fail(f"{value!r} is not a valid id (lowercase letters, digits, '-')")
        return value


def load_yaml(path: Path) -> Node:
    try:
        with path.open(encoding="utf-8") as handle:
            node = Node(yaml.safe_load(handle), str(path), "")
    except FileNotFoundError as exc:
        raise ContentError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: not valid YAML: {exc}") from exc
    _check_keys(node)
    return node


def _check_keys(node: Node) -> None:
    """Refuses keys YAML 1.1 turned into booleans: an unquoted `on:` becomes True."""
    if isinstance(node.value, dict):
        for key in node.value:
            if not isinstance(key, str):
                hint = ' (write "on": with quotes)' if key is True else ""
                raise node.fail(f"key {key!r} is not text{hint}")
            _check_keys(node.child(key))
    elif isinstance(node.value, list):
        for index in range(len(node.value)):
            _check_keys(node.child(index))


def load_content(directory: Path) -> Content:
    units = load_yaml(directory / "units.yaml")
    districts = tuple(_district(n) for n in units.child("former_districts").items())
    communes = tuple(_commune(n, districts) for n in units.child("communes").items())
    _unique([c.code for c in communes], units.child("communes"), "commune code")
    tips_node = load_yaml(directory / "tips.yaml").child("tips")
    tips = tuple(_tip(n) for n in tips_node.items())
    _unique([t.id for t in tips], tips_node, "tip id")
    plan = _plan(load_yaml(directory / "plan.yaml"))
    markets = load_markets(directory / "markets.yaml", {c.code for c in communes})
    from bot.content.pledges import load_pledges  # it builds on this module's Node

    pledges = load_pledges(directory / "pledges.yaml")
    index = CommuneIndex(districts, communes)
    return Content(districts, communes, tips, plan, index, markets, pledges)


def load_markets(path: Path, commune_codes: set[str]) -> tuple[Market, ...]:
    node = load_yaml(path).child("markets")
    markets = tuple(_market(n, commune_codes) for n in node.items())
    _unique([m.id for m in markets], node, "market id")
    return markets


def _market(node: Node, commune_codes: set[str]) -> Market:
    commune = node.child("commune")
    if commune.text() not in commune_codes:
        raise commune.fail(f"unknown commune code {commune.value!r} (see content/units.yaml)")
    kind = node.child("kind")
    if kind.value not in MARKET_KINDS:
        raise kind.fail(f"expected one of {', '.join(MARKET_KINDS)}")
    model_point = node.child("model_point")
    if not isinstance(model_point.value, bool):
        raise model_point.fail("expected true or false")
    lat, lon = _coordinates(node)
    note = node.child("note", required=False)
    return Market(
        id=node.child("id").ident(),
        name=node.child("name").localized(120),
        commune=commune.text(),
        kind=kind.text(),
        model_point=model_point.value,
        source=node.child("source").localized_or_text(MAX_SOURCE_CHARS),
        lat=lat,
        lon=lon,
        note=note.text() if note.value is not None else "",
    )


def _coordinates(node: Node) -> tuple[float | None, float | None]:
    """Both or neither; inside a box around Lạng Sơn province, so a swapped pair is refused."""
    lat, lon = node.child("lat", required=False), node.child("lon", required=False)
    if lat.value is None and lon.value is None:
        return None, None
    for part, low, high in ((lat, 21.3, 22.5), (lon, 106.0, 107.4)):
        value = part.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise part.fail("expected a number (give both lat and lon, or neither)")
        if not low <= value <= high:
            raise part.fail(f"{value} is outside Lạng Sơn province ({low} to {high})")
    return float(lat.value), float(lon.value)


def _unique(values: list[str], node: Node, what: str) -> None:
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            raise node.child(index).fail(f"duplicate {what} {value!r}")
        seen.add(value)


def _district(node: Node) -> District:
    name = node.child("name").text()
    return District(code=node.child("code").text(), name=name, folded=fold_district_name(name))


def _commune(node: Node, districts: tuple[District, ...]) -> Commune:
    name = node.child("name").text()
    former = node.child("former_district")
    if former.text() not in {d.code for d in districts}:
        raise former.fail(f"unknown former district {former.value!r}")
    kind = node.child("kind")
    if kind.value not in ("xa", "phuong"):
        raise kind.fail("expected 'xa' or 'phuong'")
    return Commune(
        code=node.child("code").text(),
        name=name,
        kind=kind.text(),
        former_district=former.text(),
        merged_from=node.child("merged_from").text(),
        former=_former_units(node.child("merged_from"), districts),
        centre=_centre(node.child("centre", required=False)),
        folded=fold_unit_name(name),
    )


def _former_units(node: Node, districts: tuple[District, ...]) -> tuple[FormerUnit, ...]:
    try:
        return parse_merged_from(node.text(), districts)
    except ValueError as exc:
        raise node.fail(str(exc)) from exc


def _centre(node: Node) -> tuple[float, float] | None:
    """[latitude, longitude] somewhere in northern Vietnam, or nothing."""
    if node.value is None:
        return None
    value = node.value
    if not (isinstance(value, list) and len(value) == 2) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value
    ):
        raise node.fail("expected [latitude, longitude]")
    latitude, longitude = float(value[0]), float(value[1])
    if not (20.0 <= latitude <= 23.5 and 105.0 <= longitude <= 108.0):
        raise node.fail(f"[{latitude}, {longitude}] is not in Lạng Sơn province")
    return latitude, longitude


def _tip(node: Node) -> Tip:
    audiences = _members(node.child("audiences"), (*AUDIENCES, "all"))
    levels_node = node.child("levels", required=False)
    levels = _members(levels_node, LEVELS) if levels_node.value is not None else frozenset()
    on_node = node.child("on", required=False)
    return Tip(
        id=node.child("id").ident(),
        audiences=audiences,
        levels=levels,
        on=_day_rule(on_node) if on_node.value is not None else None,
        text=node.child("text").localized(MAX_TIP_CHARS),
        source=node.child("source").localized_or_text(),
    )


def _members(node: Node, allowed: tuple[str, ...]) -> frozenset[str]:
    values = [n.text() for n in node.items()]
    for index, value in enumerate(values):
        if value not in allowed:
            raise node.child(index).fail(f"{value!r} is not one of {', '.join(allowed)}")
    return frozenset(values)


def _day_rule(node: Node) -> DayRule:
    value = node.text()
    if fixed := _FIXED_DAY.match(value):
        month, day = int(fixed[1]), int(fixed[2])
        if _real_day(month, day):
            return DayRule(month=month, day=day)
    elif nth := _NTH_DAY.match(value):
        month, which, weekday = int(nth[1]), nth[2], nth[3]
        if 1 <= month <= 12 and weekday in WEEKDAYS:
            position = -1 if which == "last" else int(which)
            return DayRule(month=month, nth=position, weekday=WEEKDAYS.index(weekday))
    raise node.fail(f"{value!r} is not 'MM-DD' or 'MM/N/weekday' (e.g. '03/last/sat')")


def _real_day(month: int, day: int) -> bool:
    """A day that exists in some year (29 February included, 30 February not)."""
    try:
        date(2024, month, day)
    except ValueError:
        return False
    return True


def _plan(root: Node) -> Plan:
    plan = root.child("plan")
    period = plan.child("period")
    deadline = _day_rule(plan.child("report_deadline"))
    agencies = tuple(
        Agency(n.child("key").ident(), n.child("short").text(), n.child("name").localized())
        for n in root.child("agencies").items()
    )
    keys = {a.key for a in agencies}
    return Plan(
        title=plan.child("title").localized(),
        instrument=plan.child("instrument").text(),
        period=(int(period.child("start").text()), int(period.child("end").text())),
        report_deadline=(deadline.month, deadline.day),
        source=plan.child("source").text(),
        agencies=agencies,
        targets=tuple(_target(n) for n in root.child("targets").items()),
        tasks=tuple(_task(n, keys) for n in root.child("tasks").items()),
    )


def _target(node: Node) -> Target:
    percent = node.child("percent").value
    if percent is not None and not (isinstance(percent, int) and 0 < percent <= 100):
        raise node.child("percent").fail("expected a whole percentage from 1 to 100, or null")
    return Target(
        id=node.child("id").ident(),
        percent=percent,
        audiences=_members(node.child("audiences"), AUDIENCES),
        text=node.child("text").localized(),
        source=node.child("source").text(),
    )


def _task(node: Node, agency_keys: set[str]) -> Task:
    lead = node.child("lead")
    if lead.text() not in agency_keys:
        raise lead.fail(f"unknown agency {lead.value!r}")
    return Task(
        id=node.child("id").text(),
        number=node.child("number").text(),
        text=node.child("text").localized(),
        lead=lead.text(),
        quota=_quota(node.child("quota")),
        source=node.child("source").text(),
    )


def _quota(node: Node) -> Quota:
    if not isinstance(node.value, dict):
        raise node.fail("expected a mapping")
    if "kind" in node.value:
        kind = node.child("kind").text()
        if kind not in ("regular", "yearly"):
            raise node.child("kind").fail("expected 'regular' or 'yearly'")
        return Quota(kind=kind)
    low, high = node.child("min").value, node.child("max").value
    if not (isinstance(low, int) and isinstance(high, int) and 0 < low <= high):
        raise node.fail("expected whole numbers with 0 < min <= max")
    return Quota("count", low, high, node.child("per").text(), node.child("unit").text())
