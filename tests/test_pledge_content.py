"""content/pledges.yaml: at least 12 pledges in both languages, traders' own among them, each
fact with its source; a broken file is refused with its path and key named."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.content.loader import ContentError, load_content
from bot.content.model import DURATIONS, Content
from bot.settings import Settings
from tests.harness_content import read_yaml, write_yaml
from tests.sources import citation_problems


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(Settings().content_dir)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(Settings().content_dir, target)
    return target


def broken(folder: Path, change: Callable[[list[dict[str, Any]]], None]) -> str:
    path = folder / "pledges.yaml"
    data = read_yaml(path)
    change(data["pledges"])
    write_yaml(path, data)
    with pytest.raises(ContentError) as raised:
        load_content(folder)
    message = str(raised.value)
    assert message.startswith(f"{path}: "), message
    return message


def test_at_least_12_pledges_in_both_languages(content: Content) -> None:
    assert len(content.pledges) >= 12
    for pledge in content.pledges:
        for text in (pledge.label, pledge.text, pledge.why):
            assert text.vi.strip() and text.en.strip() and text.vi != text.en, pledge.id
        assert pledge.duration in DURATIONS and pledge.words, pledge.id


def test_traders_have_their_own_pledges(content: Content) -> None:
    own = {p.id for p in content.pledges if p.audiences == {"trader"}}
    assert {"no-free-nylon-bags", "cloth-bag-stall", "banana-leaves"} <= own
    resident = {p.id for p in content.pledges if p.suits("resident")}
    assert not own & resident
    assert "own-bag" in {p.id for p in content.pledges if p.suits("trader")}


def test_every_source_is_short_and_cites_the_same_in_both_languages(content: Content) -> None:
    sourced = [p for p in content.pledges if p.source is not None]
    assert len(sourced) >= 12
    for pledge in sourced:
        assert pledge.source is not None
        assert len(pledge.source.vi) <= 120 and len(pledge.source.en) <= 120, pledge.id
        assert not citation_problems(pledge.source), (pledge.id, citation_problems(pledge.source))


def test_a_figure_without_a_source_is_refused(copy: Path) -> None:
    def change(pledges: list[dict[str, Any]]) -> None:
        del pledges[1]["source"]

    assert "pledges[1].source: the why states a figure or an article" in broken(copy, change)


def test_a_why_without_a_figure_may_go_without_a_source(copy: Path) -> None:
    path = copy / "pledges.yaml"
    data = read_yaml(path)
    found = next(p for p in data["pledges"] if p["id"] == "clean-up")
    assert "source" not in found
    assert load_content(copy).pledge("clean-up") is not None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda p: p[0].pop("why"), "pledges[0].why: missing"),
        (lambda p: p[2].update(duration="year"), "pledges[2].duration: expected one of week"),
        (lambda p: p[3].update(audiences=["tourists"]), "pledges[3].audiences[0]: 'tourists'"),
        (lambda p: p[4].update(id=p[0]["id"]), "pledges[4]: duplicate pledge id 'own-bag'"),
        (lambda p: p[5]["label"].update(en="x" * 49), "pledges[5].label.en: longer than 48"),
        (lambda p: p[6]["source"].update(vi="x" * 121), "pledges[6].source.vi: longer than 120"),
        (lambda p: p[7].update(words=[]), "pledges[7].words: expected a non-empty list"),
    ],
)
def test_a_broken_pledge_names_the_file_and_key(
    copy: Path, change: Callable[[list[dict[str, Any]]], None], expected: str
) -> None:
    assert expected in broken(copy, change)
