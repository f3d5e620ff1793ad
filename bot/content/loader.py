"""Loads and validates the YAML content at start-up.

Every error names the file and the key ("content/tips.yaml: tips[12].source: missing"), so a
content author can fix it without reading code.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.content.fill import PLACEHOLDERS, placeholders
from bot.content.model import (
    AUDIENCES,
    LEVELS,
    MARKET_KINDS,
    TIP_KINDS,
    Commune,
    Content,
    District,
    FormerUnit,
    Localized,
    Market,
    Tip,
)
from bot.content.nodes import ContentError, Node, day_rule, load_yaml, members
from bot.content.plans import load_agencies, load_plans
from bot.content.units import CommuneIndex, fold_district_name, parse_merged_from
from bot.core.text import fold_unit_name

MAX_TIP_CHARS = 600
MAX_SOURCE_CHARS = 120  # a short source shown under a tip or question; the long one is /source

__all__ = ["ContentError", "Node", "load_content", "load_yaml"]


def load_content(directory: Path) -> Content:
    units = load_yaml(directory / "units.yaml")
    districts = tuple(_district(n) for n in units.child("former_districts").items())
    communes = tuple(_commune(n, districts) for n in units.child("communes").items())
    _unique([c.code for c in communes], units.child("communes"), "commune code")
    tips_node = load_yaml(directory / "tips.yaml").child("tips")
    tips = tuple(_tip(n) for n in tips_node.items())
    _unique([t.id for t in tips], tips_node, "tip id")
    agencies = load_agencies(directory / "agencies.yaml")
    plan, plans = load_plans(directory, agencies)
    markets = load_markets(directory / "markets.yaml", {c.code for c in communes})
    from bot.content.pledges import load_pledges  # it uses this module's _unique

    pledges = load_pledges(directory / "pledges.yaml")
    index = CommuneIndex(districts, communes)
    return Content(districts, communes, tips, plan, index, markets, agencies, plans, pledges)


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
        folded=fold_unit_name(name),
        former=_former_units(node.child("merged_from"), districts),
        centre=_centre(node.child("centre", required=False)),
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
    text = node.child("text").localized(MAX_TIP_CHARS)
    found = placeholders(text.vi)
    if found != placeholders(text.en):
        raise node.child("text").fail("vi and en use different {placeholders}")
    if unknown := found - set(PLACEHOLDERS):
        raise node.child("text").fail(f"unknown placeholder {{{sorted(unknown)[0]}}}")
    kind = node.child("kind", required=False)
    if kind.value is not None and kind.value not in TIP_KINDS:
        raise kind.fail(f"expected one of {', '.join(TIP_KINDS)}")
    local = node.child("local", required=False)
    if local.value is not None and not isinstance(local.value, bool):
        raise local.fail("expected true or false")
    long_node = node.child("source_long", required=False)
    months = node.child("months", required=False)
    return replace(
        _tip_core(node, text),
        kind=kind.text() if kind.value is not None else "habit",
        local=bool(local.value) or bool(found & {"commune", "market"}),
        source_long=long_node.localized_or_text() if long_node.value is not None else None,
        placeholders=frozenset(found),
        months=_months(months) if months.value is not None else frozenset(),
    )


def _months(node: Node) -> frozenset[int]:
    values = [n.value for n in node.items()]
    for index, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
            raise node.child(index).fail("expected a month from 1 to 12")
    return frozenset(values)


def _tip_core(node: Node, text: Localized) -> Tip:
    audiences = members(node.child("audiences"), (*AUDIENCES, "all"))
    levels_node = node.child("levels", required=False)
    levels = members(levels_node, LEVELS) if levels_node.value is not None else frozenset()
    on_node = node.child("on", required=False)
    return Tip(
        id=node.child("id").ident(),
        audiences=audiences,
        levels=levels,
        on=day_rule(on_node) if on_node.value is not None else None,
        text=text,
        source=node.child("source").localized_or_text(MAX_SOURCE_CHARS),
    )
