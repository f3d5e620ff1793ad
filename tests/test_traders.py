"""Market traders: their audience, their market after the commune, and tips for them."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.app import App
from bot.content.loader import load_content
from bot.settings import Settings
from tests.harness import Chat, onboard
from tests.harness_content import read_yaml, write_yaml


async def test_a_trader_typed_without_accents_picks_their_market(app: App) -> None:
    chat = Chat(app, "ba-lan", hint="vi")
    await chat.send("/start")
    await chat.send("dong y")
    assert "Tiểu thương, người bán hàng ở chợ" in chat.choice_labels
    await chat.send("tieu thuong")
    await chat.send("ky lua")
    assert "Bạn bán hàng ở chợ nào?" in chat.text
    assert chat.choice_labels == ["Chợ Kỳ Lừa", "Chợ khác", "Không có chợ của mình"]
    await chat.send("cho ky lua")
    assert "Chợ: Chợ Kỳ Lừa." in chat.text
    row = await chat.row()
    assert row is not None and (row["audience"], row["market_id"]) == ("trader", "ky-lua")
    await chat.send("/settings")
    assert "Chợ: Chợ Kỳ Lừa" in chat.text


async def test_another_market_lists_every_market(app: App) -> None:
    chat = Chat(app, "anh-tuan")
    await chat.send("/start")
    await chat.press("I agree")
    await chat.press("Market trader")
    await chat.send("ky lua")
    await chat.press("Another market")
    assert chat.choice_labels[:4] == [
        "Kỳ Lừa market",
        "Đông Kinh market",
        "Tân Thanh border-gate market",
        "Ba Xa market",
    ]
    await chat.send("ba xa")
    assert "Market: Ba Xa market." in chat.text and "You're all set" in chat.text


async def test_a_commune_without_a_market_offers_them_all_or_none(app: App) -> None:
    chat = Chat(app, "chi-hoa")
    await onboard(chat, "Market trader", commune="mai pha")
    row = await chat.row()
    assert row is not None and row["market_id"] is None
    assert "Market: none" in (await chat.send("/settings"))[0].text


async def test_leaving_the_trader_audience_forgets_the_market(app: App) -> None:
    chat = Chat(app, "chu-nam")
    await onboard(chat, "Market trader", market="Đông Kinh market")
    row = await chat.row()
    assert row is not None and row["market_id"] == "dong-kinh"
    await chat.send("/settings")
    await chat.press("Who I am")
    await chat.press("Resident")
    row = await chat.row()
    assert row is not None and (row["audience"], row["market_id"]) == ("resident", None)
    assert "Market:" not in chat.text


async def test_a_trader_changing_commune_is_asked_the_market_again(app: App) -> None:
    chat = Chat(app, "co-mai")
    await onboard(chat, "Market trader")
    await chat.send("/settings")
    await chat.press("Commune")
    await chat.send("tan doan")
    assert chat.choice_labels[0] == "Ba Xa market"
    await chat.press("Ba Xa")
    row = await chat.row()
    assert row is not None and row["market_id"] == "ba-xa"


def test_trader_tips_load_and_tips_for_all_suit_traders(tmp_path: Path) -> None:
    folder = tmp_path / "content"
    shutil.copytree(Settings().content_dir, folder)
    path = folder / "tips.yaml"
    data = read_yaml(path)
    data["tips"][0]["audiences"] = ["trader"]
    write_yaml(path, data)
    content = load_content(folder)
    assert content.tips[0].suits("trader", None)
    assert not content.tips[0].suits("resident", None)
    for_all = [t for t in content.tips if "all" in t.audiences]
    assert for_all and all(t.suits("trader", None) for t in for_all)
