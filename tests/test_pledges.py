"""/pledge (or "cam kết"): a typed sentence finds its pledge; a list suited to the person, one
or several, then a duration; /mypledges with the streaks, and dropping one after a yes."""

from __future__ import annotations

from bot.app import App
from tests.harness import Chat, onboard


async def pledges_of(app: App, chat: Chat) -> list[tuple[str, int | None, str]]:
    row = await chat.row()
    assert row is not None
    rows = await app.deps.db.fetch_all(
        "SELECT pledge_key, weeks, status FROM pledges WHERE user_id = ? ORDER BY id", (row["id"],)
    )
    return [(r[0], r[1], r[2]) for r in rows]


async def counted(app: App, metric: str) -> int:
    row = await app.deps.db.fetch_one(
        "SELECT COALESCE(SUM(value), 0) FROM counters WHERE metric = ?", (metric,)
    )
    assert row is not None
    return int(row[0])


async def test_a_sentence_typed_without_accents_finds_its_pledge(app: App, alice: Chat) -> None:
    await onboard(alice)
    await alice.send("toi cam ket khong dung tui ni long")
    assert "I bring my own cloth bag, basket or làn to market" in alice.text
    assert "Source: World Bank" in alice.text
    assert alice.choice_labels == ["A week", "A month (suggested)", "Three months", "Ongoing"]
    await alice.send("mot tuan")  # "một tuần", accent-free, to English options
    assert "Thank you! You pledged (a week):" in alice.text
    assert "• Bring my own bag to market" in alice.text
    assert "every week at 7:00\u202fPM, starting on December 7, 2026" in alice.text
    assert await pledges_of(app, alice) == [("own-bag", 1, "active")]
    assert await counted(app, "pledges.taken") == 1


async def test_the_vietnamese_sentence_finds_the_pledge(app: App) -> None:
    chat = Chat(app, "chi-lan")
    await onboard(chat, "Resident")
    await chat.send("/lang vi")
    await chat.send("Tôi cam kết không dùng túi ni lông")
    assert "Mình mang túi vải, giỏ hoặc làn của mình khi đi chợ" in chat.text
    assert "Trong bao lâu?" in chat.text
    await chat.send("3 thang")
    assert await pledges_of(app, chat) == [("own-bag", 13, "active")]


async def test_a_trader_is_asked_which_of_the_bag_pledges(app: App) -> None:
    chat = Chat(app, "ba-hoa")
    await onboard(chat, "Market trader", commune="ky lua", market="Kỳ Lừa market")
    await chat.send("/pledge no nylon bags")
    assert "Which of these do you mean?" in chat.text
    assert chat.choice_labels == ["Bring my own bag to market", "Offer no free nylon bags"]
    await chat.send("2")
    assert "At my stall I give no free nylon bags" in chat.text
    await chat.press("A month")
    assert await pledges_of(app, chat) == [("no-free-nylon-bags", 4, "active")]


async def test_the_list_suits_the_person_and_takes_several(app: App, alice: Chat) -> None:
    await onboard(alice)
    await alice.send("cam ket")
    assert "Which habit will you commit to?" in alice.text
    assert "Refuse plastic straws" in alice.choice_labels
    assert "Offer no free nylon bags" not in alice.choice_labels  # a trader's pledge
    await alice.press("Refuse plastic straws")
    assert "Straws are on the list of single-use plastic products" in alice.text
    assert "✓ Refuse plastic straws" in alice.choice_labels
    await alice.send("sort our waste")
    await alice.send("carry my own")
    await alice.press("✓ Carry my own")  # pressed again: no longer chosen
    assert "Done: 2 chosen" in alice.choice_labels
    await alice.press("Done")
    await alice.press("Three months")
    assert await pledges_of(app, alice) == [
        ("no-straws", 13, "active"),
        ("sort-three", 13, "active"),
    ]
    await alice.send("/pledge")
    assert "Refuse plastic straws" not in alice.choice_labels  # already going on
    await alice.send("/pledge ong hut")
    assert "You already took this pledge" in alice.text


async def test_a_trader_sees_their_own_pledges(app: App) -> None:
    chat = Chat(app, "co-ngan")
    await onboard(chat, "Market trader")
    await chat.send("/pledge")
    labels = chat.choice_labels
    for own in ("Offer no free nylon bags", "Keep cloth bags at my stall", "Wrap in banana leaves"):
        assert own in labels
    assert "Bring my own bag to market" in labels


async def test_the_menu_offers_the_pledges(app: App, alice: Chat) -> None:
    await onboard(alice)
    await alice.send("/menu")
    assert {"Take a pledge", "My pledges"} <= set(alice.choice_labels)
    await alice.press("Take a pledge")
    assert "Which habit will you commit to?" in alice.text


async def test_mypledges_shows_the_streaks_and_drops_after_a_yes(app: App, alice: Chat) -> None:
    await onboard(alice)
    await alice.send("/mypledges")
    assert "You have no pledge going on." in alice.text
    await alice.send("/pledge straws")
    await alice.press("A month")
    await alice.send("/pledge foam")
    await alice.press("Ongoing")
    await alice.send("xem cam ket")  # the words for /mypledges
    assert "• Refuse plastic straws (for 4 weeks): kept 0 weeks in a row" in alice.text
    assert "• No foam boxes for take-away (ongoing): kept 0 weeks in a row" in alice.text
    await alice.press("Drop: Refuse plastic straws")
    assert "Drop “Refuse plastic straws”? Its streak ends here." in alice.text
    await alice.send("khong")
    assert "OK, your pledge goes on." in alice.text
    assert ("no-straws", 4, "active") in await pledges_of(app, alice)
    await alice.send("/mypledges")
    await alice.press("Drop: No foam boxes")
    await alice.send("co")
    assert "Dropped." in alice.text
    assert await pledges_of(app, alice) == [
        ("no-straws", 4, "active"),
        ("no-foam-boxes", None, "dropped"),
    ]
    assert await counted(app, "pledges.dropped") == 1
    await alice.send("/mypledges")
    assert "No foam boxes" not in alice.text
