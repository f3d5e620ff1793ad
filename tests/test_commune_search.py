"""Commune search on the real content: every name a commune has had, typos, districts."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content import units
from bot.content.loader import load_content
from bot.content.model import Content
from bot.content.units import CommuneIndex, allowed_typos, search_communes
from bot.core.text import fold, fold_unit_name
from bot.settings import Settings


@cache
def shipped() -> Content:
    return load_content(Settings().content_dir)


@pytest.fixture
def content() -> Content:
    return shipped()


def codes(index: CommuneIndex, query: str) -> list[str]:
    return [c.code for c in index.search(query).communes]


def test_every_current_name_finds_its_commune_first(content: Content) -> None:
    for commune in content.communes:
        for spelling in (commune.name, fold(commune.name), commune.folded.replace(" ", "")):
            assert codes(content.units, spelling)[0] == commune.code, spelling


def test_every_old_name_finds_the_commune_it_went_to(content: Content) -> None:
    for commune in content.communes:
        for unit in commune.former:
            district = content.district(unit.district)
            assert district is not None
            found = codes(content.units, fold(unit.short_name))
            assert commune.code in found, unit
            with_district = codes(content.units, f"{unit.short_name}, {district.short_name}")
            assert commune.code in with_district, (unit, with_district)
            namesake_now = any(
                c.folded == unit.folded and c.former_district == unit.district and c != commune
                for c in content.communes
            )  # 'Cao Lộc, Cao Lộc': the old town (now Kỳ Lừa) or today's Xã Cao Lộc
            if not unit.partial and not namesake_now:  # a divided unit went to two communes
                assert len(with_district) == 1, (unit, with_district)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tan tein", ["06019"]),  # a swap: one typo
        ("dong kihn", ["05977"]),
        ("hoagn vna thu", ["06172", "06112", "06187"]),  # two swaps in 11 letters
        ("mai pah", ["05977"]),
        ("Hòa Bình, Văn Quan", ["06253"]),
        ("hoa binh - chi lang", ["06505"]),
        ("xa tan thanh huyen huu lung", ["06445"]),
        ("tan thanh huu lung", ["06445"]),
        ("Tân Thành (Cao Lộc)", ["06316"]),
        ("thai binh", ["06616"]),  # the new commune, the old town and the old commune
        ("nong truong thai binh", ["06616"]),
    ],
)
def test_queries_people_type(content: Content, query: str, expected: list[str]) -> None:
    assert codes(content.units, query) == expected


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ("dogn kihn", "8 letters allow one typo, this has two"),
        ("hoagn vna thy", "11 letters allow two typos, this has three"),
        ("Hà Nội", "not in the province"),
        ("🌿🌿", "no letters"),
    ],
)
def test_too_far_from_any_name_finds_nothing(content: Content, query: str, why: str) -> None:
    result = content.units.search(query)
    assert (result.found, result.district) == ((), None), why


def test_allowed_typos_scale_with_length() -> None:
    assert [allowed_typos("x" * n) for n in (1, 3, 4, 8, 9, 20)] == [0, 0, 1, 1, 2, 2]


def test_district_names(content: Content) -> None:
    search = content.units.search
    assert search("huyen trang dinh") == units.CommuneSearch((), content.district("180"))
    assert search("TP Lạng Sơn").district == content.district("178")
    assert search("lang son").district == content.district("178")
    both = search("Bình Gia")  # a new commune and a former district
    assert both.communes == [content.commune("06112")] and both.district == content.district("181")


def test_old_name_matches_say_which_old_unit(content: Content) -> None:
    [found] = content.units.search("mai pha").found
    assert found.via is not None and (found.via.code, found.via.name) == ("05992", "Xã Mai Pha")
    [own] = content.units.search("dong kinh").found
    assert own.via is None  # the current name wins over the old ward of the same name


def test_names_are_folded_at_load_not_per_query(
    content: Content, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A query folds its own text only: `merged_from` is not parsed again, and none of the
    261 names is folded again."""
    folded: list[str] = []

    def counting(text: str) -> str:
        folded.append(text)
        return fold_unit_name(text)

    def forbidden(*_: object) -> None:
        raise AssertionError("merged_from parsed during a search")

    monkeypatch.setattr(units, "parse_merged_from", forbidden)
    monkeypatch.setattr(units, "fold_unit_name", counting)
    assert codes(content.units, "kim dong, trang dinh") == ["06019"]
    assert folded == ["kim dong"]


def test_search_communes_for_the_school_import(content: Content) -> None:
    assert [c.code for c in search_communes(content.communes, "mai pha")] == ["05977"]


def test_nearest_centres(content: Content) -> None:
    [(first, km), *_] = content.units.nearest(21.80, 106.78)
    assert first.code == "05977" and 1.0 < km < 1.5
    assert units.distance_km(21.0, 106.0, 22.0, 106.0) == pytest.approx(111.2, abs=0.1)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_gets_an_answer_without_error(text: str) -> None:
    result = shipped().units.search(text)
    assert all(c in shipped().communes for c in result.communes)
