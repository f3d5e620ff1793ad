"""The shipped content loads, and a broken file is refused with its path and key named."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.content.loader import ContentError, load_content
from bot.content.model import Content, DayRule, Localized
from bot.settings import Settings
from tests.harness_content import parse_yaml, read_yaml, write_yaml
from tests.sources import citation_problems

Edit = Callable[[Any], None]


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(Settings().content_dir)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(Settings().content_dir, target)
    return target


def edit(folder: Path, name: str, change: Edit) -> Path:
    """Loads one YAML file, changes the data, writes it back (PyYAML quotes "on" itself)."""
    path = folder / name
    data = read_yaml(path)
    change(data)
    write_yaml(path, data)
    return path


def refused(folder: Path) -> str:
    with pytest.raises(ContentError) as raised:
        load_content(folder)
    return str(raised.value)


def test_the_65_communes_and_11_former_districts(content: Content) -> None:
    assert len(content.communes) == 65
    kinds = [c.kind for c in content.communes]
    assert (kinds.count("xa"), kinds.count("phuong")) == (61, 4)
    assert len(content.districts) == 11
    assert len({c.code for c in content.communes}) == 65
    codes = {d.code for d in content.districts}
    assert all(c.former_district in codes for c in content.communes)
    assert {c.name for c in content.communes if c.kind == "phuong"} >= {"Phường Đông Kinh"}


def test_at_least_60_tips_each_with_a_source_in_both_languages(content: Content) -> None:
    assert len(content.tips) >= 60
    assert len({t.id for t in content.tips}) == len(content.tips)
    for tip in content.tips:
        assert citation_problems(tip.source) == [], (tip.id, tip.source)
        assert tip.text.vi.strip() and tip.text.en.strip(), tip.id
        assert tip.text.vi != tip.text.en, tip.id


def test_dated_tips_for_the_campaign_days(content: Content) -> None:
    def dated_on(day: date) -> list[str]:
        return [t.id for t in content.tips if t.on is not None and t.on.matches(day)]

    assert dated_on(date(2026, 6, 5)), "World Environment Day"
    assert dated_on(date(2026, 7, 3)), "International Plastic Bag Free Day"
    earth_hour = [t for t in content.tips if t.on == DayRule(month=3, nth=-1, weekday=5)]
    assert earth_hour, "Earth Hour: last Saturday of March"
    rule = earth_hour[0].on
    assert rule is not None
    assert rule.matches(date(2026, 3, 28))  # the last Saturday of March 2026
    assert not rule.matches(date(2026, 3, 21))  # a Saturday, but not the last one
    assert not rule.matches(date(2026, 3, 29))
    assert rule.matches(date(2027, 3, 27))
    assert dated_on(date(2026, 3, 28)) and not dated_on(date(2026, 3, 21))


def test_plan_task_2c_has_a_quota_of_5_to_10_a_year(content: Content) -> None:
    tasks = [t for t in content.plan.tasks if t.number == "2c"]
    quotas = [(t.quota.kind, t.quota.minimum, t.quota.maximum, t.quota.per) for t in tasks]
    assert ("count", 5, 10, "year") in quotas
    assert {t.lead for t in tasks} == {"so-gddt"}  # the Department of Education leads 2c
    assert all(content.plan.agency(t.lead) is not None for t in content.plan.tasks)


def test_a_copy_of_the_content_loads(copy: Path, content: Content) -> None:
    assert load_content(copy) == content


def test_a_duplicate_tip_id(copy: Path) -> None:
    def change(data: Any) -> None:
        data["tips"][1]["id"] = data["tips"][0]["id"]

    path = edit(copy, "tips.yaml", change)
    message = refused(copy)
    assert str(path) in message and "tips[1]" in message and "duplicate tip id" in message


def test_a_missing_source(copy: Path) -> None:
    def change(data: Any) -> None:
        del data["tips"][3]["source"]

    path = edit(copy, "tips.yaml", change)
    message = refused(copy)
    assert str(path) in message and "tips[3].source" in message and "missing" in message


def test_the_vietnamese_source_cites_the_same_article(content: Content) -> None:
    tip = content.tip("law-lep-2020-in-force")
    assert tip is not None
    assert tip.source.en.startswith("Law on Environmental Protection 72/2020/QH14")
    assert tip.source.vi.startswith("Luật Bảo vệ môi trường số 72/2020/QH14")
    assert tip.source.vi.endswith("Điều 75 khoản 1") and tip.source.en.endswith("Art. 75.1")


@pytest.mark.parametrize(
    ("vi", "problem"),
    [
        ("Nghị định 08/2022/NĐ-CP, Điều 3 khoản 14", "articles or clauses differ"),
        ("Nghị định 08/2022/NĐ-CP, Điều 3", "articles or clauses differ"),
        ("Nghị định 45/2022/NĐ-CP, Điều 3 khoản 13", "instrument numbers or dates differ"),
        ("Decree 08/2022/NĐ-CP, Art. 3.13", "English 'Decree' in the vi"),
    ],
)
def test_a_vietnamese_source_citing_something_else_is_caught(vi: str, problem: str) -> None:
    english = "Decree 08/2022/NĐ-CP, Art. 3.13"
    assert (
        citation_problems(Localized(vi="Nghị định 08/2022/NĐ-CP, Điều 3 khoản 13", en=english))
        == []
    )
    assert problem in citation_problems(Localized(vi=vi, en=english))


def test_a_source_may_be_one_text_for_both_languages(copy: Path) -> None:
    def change(data: Any) -> None:
        data["tips"][3]["source"] = "Decree 08/2022/NĐ-CP, Art. 64"
        data["tips"][4]["source"] = {"vi": "Nghị định 08/2022/NĐ-CP, Điều 64", "en": "Decree 08"}

    edit(copy, "tips.yaml", change)
    tips = load_content(copy).tips
    assert tips[3].source == Localized(
        vi="Decree 08/2022/NĐ-CP, Art. 64", en="Decree 08/2022/NĐ-CP, Art. 64"
    )
    assert tips[4].source == Localized(vi="Nghị định 08/2022/NĐ-CP, Điều 64", en="Decree 08")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ({"en": "Decree 08/2022/NĐ-CP, Art. 64"}, "tips[3].source.vi: missing"),
        ({"vi": "Nghị định 08/2022/NĐ-CP, Điều 64"}, "tips[3].source.en: missing"),
        ({"vi": " ", "en": "Decree 08"}, "tips[3].source.vi: expected non-empty text"),
        ("  ", "tips[3].source: expected non-empty text"),
        (["Decree 08"], "tips[3].source: expected text or a mapping with vi and en"),
    ],
)
def test_a_broken_source(copy: Path, source: Any, expected: str) -> None:
    def change(data: Any) -> None:
        data["tips"][3]["source"] = source

    path = edit(copy, "tips.yaml", change)
    assert refused(copy) == f"{path}: {expected}"


def test_an_unknown_audience(copy: Path) -> None:
    def change(data: Any) -> None:
        data["tips"][2]["audiences"] = ["resident", "tourists"]

    path = edit(copy, "tips.yaml", change)
    message = refused(copy)
    assert str(path) in message and "tips[2].audiences[1]" in message and "tourists" in message


@pytest.mark.parametrize(
    "value", ["13-01", "06-32", "02-30", "04-31", "6-5", "03/5/sat", "03/last/sun-day", ""]
)
def test_a_bad_on_value(copy: Path, value: str) -> None:
    def change(data: Any) -> None:
        data["tips"][0]["on"] = value

    path = edit(copy, "tips.yaml", change)
    message = refused(copy)
    assert str(path) in message and "tips[0].on" in message


def test_an_unquoted_on_key_read_as_true(copy: Path) -> None:
    path = copy / "tips.yaml"
    text = path.read_text(encoding="utf-8")
    assert '    "on": "06-05"' in text
    path.write_text(text.replace('    "on": "06-05"', '    on: "06-05"', 1), encoding="utf-8")
    broken = [n for n, tip in enumerate(parse_yaml(text)["tips"]) if tip.get("on") == "06-05"]
    message = refused(copy)
    assert str(path) in message and f"tips[{broken[0]}]" in message
    assert 'write "on": with quotes' in message


def test_an_unknown_former_district(copy: Path) -> None:
    def change(data: Any) -> None:
        data["communes"][5]["former_district"] = "999"

    path = edit(copy, "units.yaml", change)
    message = refused(copy)
    assert str(path) in message and "communes[5].former_district" in message
    assert "'999'" in message


def test_a_task_led_by_an_agency_that_does_not_exist(copy: Path) -> None:
    def change(data: Any) -> None:
        data["tasks"][2]["lead"] = "so-khong-co"

    path = edit(copy, "plan.yaml", change)
    message = refused(copy)
    assert str(path) in message and "tasks[2].lead" in message and "so-khong-co" in message


def test_invalid_yaml(copy: Path) -> None:
    path = copy / "plan.yaml"
    path.write_text("plan:\n  title: [unclosed\n  period: {start: 2021\n", encoding="utf-8")
    message = refused(copy)
    assert str(path) in message and "not valid YAML" in message and "line" in message


def test_a_merged_from_part_that_cannot_be_read(copy: Path) -> None:
    def change(data: Any) -> None:
        data["communes"][2]["merged_from"] += " + Xã Ba Bể (Bắc Kạn)"

    path = edit(copy, "units.yaml", change)
    message = refused(copy)
    assert str(path) in message and "communes[2].merged_from" in message
    assert "'Xã Ba Bể (Bắc Kạn)'" in message


def test_a_merged_from_district_that_does_not_exist(copy: Path) -> None:
    def change(data: Any) -> None:
        data["communes"][2]["merged_from"] += " + Xã Ba Bể (02000, Huyện Ba Bể)"

    edit(copy, "units.yaml", change)
    message = refused(copy)
    assert "communes[2].merged_from" in message and "'Huyện Ba Bể'" in message


@pytest.mark.parametrize(
    ("centre", "expected"),
    [
        ([21.0, 105.8, 3], "expected [latitude, longitude]"),
        (["21.8", 106.7], "expected"),
        ([10.77, 106.7], "is not in Lạng Sơn province"),
    ],
)
def test_a_commune_centre_that_is_not_a_point_in_the_province(
    copy: Path, centre: list[object], expected: str
) -> None:
    def change(data: Any) -> None:
        data["communes"][4]["centre"] = centre

    edit(copy, "units.yaml", change)
    message = refused(copy)
    assert "communes[4].centre" in message and expected in message


def test_former_units_are_read_once_at_load(content: Content) -> None:
    dong_kinh = content.commune("05977")
    assert dong_kinh is not None
    assert [(u.code, u.short_name, u.district) for u in dong_kinh.former] == [
        ("05977", "Vĩnh Trại", "178"),
        ("05980", "Đông Kinh", "178"),
        ("05992", "Mai Pha", "178"),
        ("06247", "Yên Trạch", "183"),
    ]
    partial = {u.short_name for c in content.communes for u in c.former if u.partial}
    assert partial == {"Bính Xá", "Kiên Mộc"}
    assert all(c.centre is not None for c in content.communes)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("kind", "rule", "tips[5].kind: expected one of habit, fact, law"),
        ("local", "yes", "tips[5].local: expected true or false"),
        ("months", [6, 13], "tips[5].months[1]: expected a month from 1 to 12"),
        ("source", {"vi": "x" * 121, "en": "y"}, "tips[5].source.vi: longer than 120"),
    ],
)
def test_a_bad_tip_tag(copy: Path, field: str, value: Any, expected: str) -> None:
    path = edit(copy, "tips.yaml", lambda data: data["tips"][5].update({field: value}))
    assert refused(copy).startswith(f"{path}: {expected}")


def test_placeholders_must_be_known_and_the_same_in_both_languages(copy: Path) -> None:
    def unknown(data: Any) -> None:
        data["tips"][5]["text"] = {"vi": "Đi {cho} nhé", "en": "Go to {cho}"}

    edit(copy, "tips.yaml", unknown)
    assert "tips[5].text: unknown placeholder {cho}" in refused(copy)

    def different(data: Any) -> None:
        data["tips"][5]["text"] = {"vi": "Đi {market} nhé", "en": "Go to market"}

    edit(copy, "tips.yaml", different)
    assert "tips[5].text: vi and en use different {placeholders}" in refused(copy)


def test_a_tip_with_a_placeholder_is_local(content: Content) -> None:
    tip = content.tip("cloth-bag-market")
    assert tip is not None and tip.placeholders == {"market"} and tip.local
    local = sum(t.local for t in content.tips)
    assert local * 3 >= len(content.tips), f"{local} local tips of {len(content.tips)}"
