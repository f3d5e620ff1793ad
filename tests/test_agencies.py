"""Agencies are data with dates, and plans have a period (content/agencies.yaml, plan.yaml)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.content.loader import ContentError, load_content
from bot.content.model import Content
from bot.settings import Settings
from tests.harness_content import read_yaml, write_yaml


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(Settings().content_dir)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(Settings().content_dir, target)
    return target


def rewrite(path: Path, change: Any) -> None:
    data = read_yaml(path)
    change(data)
    write_yaml(path, data)


def refused(folder: Path) -> str:
    with pytest.raises(ContentError) as raised:
        load_content(folder)
    return str(raised.value)


def codes(agencies: Any) -> list[str]:
    return [a.code for a in agencies]


def test_the_2025_reorganisation(content: Content) -> None:
    before, after = date(2025, 2, 28), date(2026, 11, 29)
    assert content.successor("so-tnmt", before)[0].code == "so-tnmt"
    assert codes(content.successor("so-tnmt", after)) == ["so-nnmt"]
    assert content.agency("so-nnmt") is not None
    assert content.agency("so-nnmt").name.vi == "Sở Nông nghiệp và Môi trường"  # type: ignore[union-attr]
    assert codes(content.successor("so-tttt", after)) == ["so-vhttdl", "so-khcn"]
    assert codes(content.successor("bo-tnmt", after)) == ["bo-nnmt"]
    assert codes(content.successor("ubnd-huyen", date(2025, 6, 30))) == ["ubnd-huyen"]
    assert codes(content.successor("ubnd-huyen", date(2025, 7, 1))) == ["ubnd-xa"]


def test_current_agencies_drop_the_ended_ones(content: Content) -> None:
    today = codes(content.current_agencies(date(2026, 11, 29), level="province"))
    assert "so-tttt" not in today and "so-tnmt" not in today and "ubnd-huyen" not in today
    assert {"so-nnmt", "so-khcn", "so-vhttdl", "so-gddt", "ubnd-tinh"} <= set(today)
    in_2024 = codes(content.current_agencies(date(2024, 5, 1), level="province"))
    assert "so-tttt" in in_2024 and "so-nnmt" not in in_2024


def test_uncertain_names_say_so(content: Content) -> None:
    for code in ("bao-lang-son", "dai-ptth", "so-tttt"):
        agency = content.agency(code)
        assert agency is not None and agency.confidence == "unconfirmed" and agency.note


def test_the_plan_has_ended_and_the_recipient_is_held(content: Content) -> None:
    assert content.plan.period == (2021, 2025)
    assert content.plan_in_force(date(2026, 12, 1)) is None
    assert content.plan_for(date(2026, 12, 1)) is content.plan  # the last one
    assert content.plan_in_force(date(2024, 12, 1)) is content.plan
    recipient = content.report_recipient(date(2024, 12, 1))
    assert recipient is not None and recipient.code == "so-tttt"
    # 2025: the plan is in force but Sở TT&TT ended with two successors: not guessed.
    assert content.report_recipient(date(2025, 12, 1)) is None
    assert content.report_recipient(date(2026, 12, 1)) is None


def test_a_next_plan_in_the_plans_folder_is_in_force(copy: Path) -> None:
    (copy / "plans").mkdir()
    shutil.copy(copy / "plan.yaml", copy / "plans" / "2026-2030.yaml")

    def next_plan(data: Any) -> None:
        data["plan"]["period"] = {"start": 2026, "end": 2030}
        data["plan"]["report_recipient"] = {"agency": "so-vhttdl", "confirmed": True, "source": "x"}
        data["agencies"].append("so-nnmt")

    rewrite(copy / "plans" / "2026-2030.yaml", next_plan)
    content = load_content(copy)
    assert [p.period for p in content.plans] == [(2021, 2025), (2026, 2030)]
    assert content.plan_for(date(2026, 12, 1)).period == (2026, 2030)
    recipient = content.report_recipient(date(2026, 12, 1))
    assert recipient is not None and recipient.code == "so-vhttdl"


def test_overlapping_plans_are_refused(copy: Path) -> None:
    (copy / "plans").mkdir()
    shutil.copy(copy / "plan.yaml", copy / "plans" / "again.yaml")
    assert "overlap" in refused(copy)


def test_an_unknown_successor(copy: Path) -> None:
    path = copy / "agencies.yaml"
    rewrite(path, lambda data: data["agencies"][1].update(successors=["so-khong-co"]))
    message = refused(copy)
    assert str(path) in message and "agencies[1].successors" in message
    assert "so-khong-co" in message


def test_a_bad_date_and_a_bad_confidence(copy: Path) -> None:
    path = copy / "agencies.yaml"
    rewrite(path, lambda data: data["agencies"][3].update(valid_to="28/02/2025"))
    assert "agencies[3].valid_to" in refused(copy)
    rewrite(path, lambda data: data["agencies"][3].update(valid_to=None, successors=[]))
    rewrite(path, lambda data: data["agencies"][0].update(confidence="maybe"))
    assert "agencies[0].confidence" in refused(copy)


def test_a_plan_naming_an_unknown_agency(copy: Path) -> None:
    path = copy / "plan.yaml"
    rewrite(path, lambda data: data["agencies"].append("so-khong-co"))
    message = refused(copy)
    assert str(path) in message and "agencies[10]" in message and "so-khong-co" in message


def test_a_report_recipient_the_plan_does_not_list(copy: Path) -> None:
    path = copy / "plan.yaml"
    rewrite(path, lambda data: data["plan"]["report_recipient"].update(agency="so-nnmt"))
    message = refused(copy)
    assert str(path) in message and "plan.report_recipient.agency" in message


def test_an_unconfirmed_recipient_is_never_named(copy: Path) -> None:
    path = copy / "plan.yaml"
    rewrite(path, lambda data: data["plan"]["report_recipient"].update(confirmed=False))
    assert load_content(copy).report_recipient(date(2024, 12, 1)) is None
