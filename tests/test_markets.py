"""content/markets.yaml: the province's markets load, each in a known commune, and a broken
file is refused with its path and key named."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.content.loader import ContentError, load_content
from bot.content.model import MARKET_KINDS, Content
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


def broken(folder: Path, change: Any) -> str:
    path = folder / "markets.yaml"
    data = read_yaml(path)
    change(data["markets"])
    write_yaml(path, data)
    with pytest.raises(ContentError) as raised:
        load_content(folder)
    message = str(raised.value)
    assert str(path) in message
    return message


def test_the_named_markets_are_in_their_communes(content: Content) -> None:
    communes = {m.id: content.commune(m.commune) for m in content.markets}
    names = {key: (c.name if c else None) for key, c in communes.items()}
    assert names["ky-lua"] == "Phường Kỳ Lừa"
    assert names["dong-kinh"] == "Phường Đông Kinh"
    assert names["tan-thanh-border"] == "Xã Hoàng Văn Thụ"
    assert names["ba-xa"] == "Xã Tân Đoàn"
    assert [m.id for m in content.markets if m.model_point] == ["ba-xa"]
    assert content.markets_in("06316") == (content.market("ba-xa"),)


def test_every_market_is_complete(content: Content) -> None:
    assert len({m.id for m in content.markets}) == len(content.markets) >= 4
    for market in content.markets:
        assert market.kind in MARKET_KINDS
        assert market.name.vi.strip() and market.name.en.strip()
        assert 0 < len(market.source.vi) <= 120 and 0 < len(market.source.en) <= 120
        assert (market.lat is None) == (market.lon is None)


def test_an_unknown_commune(copy: Path) -> None:
    message = broken(copy, lambda markets: markets[1].update(commune="99999"))
    assert "markets[1].commune" in message and "'99999'" in message


def test_an_unknown_kind(copy: Path) -> None:
    message = broken(copy, lambda markets: markets[0].update(kind="bazaar"))
    assert "markets[0].kind" in message and "trade_centre" in message


def test_model_point_must_be_true_or_false(copy: Path) -> None:
    message = broken(copy, lambda markets: markets[2].update(model_point="yes"))
    assert "markets[2].model_point" in message


def test_a_duplicate_id(copy: Path) -> None:
    message = broken(copy, lambda markets: markets[1].update(id=markets[0]["id"]))
    assert "duplicate market id" in message


def test_coordinates_outside_the_province_or_alone(copy: Path) -> None:
    swapped = broken(copy, lambda markets: markets[0].update(lat=106.76, lon=21.85))
    assert "markets[0].lat" in swapped and "outside" in swapped
    alone = broken(copy, lambda markets: markets[0].update(lat=21.85))
    assert "markets[0].lon" in alone


def test_a_source_longer_than_120_characters(copy: Path) -> None:
    message = broken(copy, lambda markets: markets[3].update(source="x" * 121))
    assert "markets[3].source" in message and "120" in message
