"""Start, consent, who you are, commune: the first journey."""

from __future__ import annotations

import unicodedata

from bot.app import App
from tests.conftest import AppFactory
from tests.harness import Chat, onboard


async def test_start_greets_in_vietnamese_by_default(app: App) -> None:
    chat = Chat(app, "ba", hint=None)
    await chat.send("/start")
    assert "Xin chào" in chat.text
    assert "Bạn có đồng ý không?" in chat.text
    assert chat.choice_labels[:2] == ["Tôi đồng ý", "Không, cảm ơn"]


async def test_english_hint_and_switching_language_before_consent(app: App) -> None:
    chat = Chat(app, "tom", hint="en-US")
    await chat.send("/start")
    assert "Do you agree?" in chat.text
    await chat.press("Tiếng Việt")
    assert "Bạn có đồng ý không?" in chat.text
    row = await chat.row()
    assert row is not None and row["locale"] is None  # nothing stored before consent


async def test_nothing_but_the_channel_id_is_stored_before_consent(app: App) -> None:
    chat = Chat(app, "nam")
    await chat.send("/start")
    await chat.press("No, thanks")
    assert "I keep nothing about you" in chat.text
    row = await chat.row()
    assert row is not None
    stored = {k: row[k] for k in row.keys() if row[k] is not None}  # noqa: SIM118
    assert set(stored) == {"id", "channel", "channel_user_id", "chat_id", "created_at", "reachable"}


async def test_resident_journey_stores_profile_and_counts(alice: Chat, app: App) -> None:
    await onboard(alice)
    row = await alice.row()
    assert row is not None
    assert row["consent_at"] and row["onboarded_at"]
    assert (row["audience"], row["commune_code"], row["locale"]) == ("resident", "05977", "en")
    total = await app.deps.db.fetch_one("SELECT value FROM counters WHERE metric = 'joined'")
    assert total is not None and total[0] == 1


async def test_student_gives_level_and_age_band_never_a_name(app: App) -> None:
    chat = Chat(app, "hs1")
    await chat.send("/start")
    await chat.press("I agree")
    await chat.press("Student")
    assert "school level" in chat.text
    await chat.press("Lower secondary")
    assert "age group" in chat.text and "never ask for your name" in chat.text
    await chat.press("11 to 14")
    assert "parent or guardian" in chat.text
    await chat.press("Yes, a parent or guardian agreed")
    await chat.send("Tân Đoàn")
    row = await chat.row()
    assert row is not None
    assert (row["school_level"], row["age_band"]) == ("lower_secondary", "11-14")
    assert "name" not in {k for k in row.keys()}  # noqa: SIM118


async def test_commune_found_with_or_without_accents_in_any_unicode_form(app: App) -> None:
    spellings = ["dong kinh", "Đông Kinh", unicodedata.normalize("NFD", "Đông Kinh"), "DONG KINH"]
    for number, spelling in enumerate(spellings):
        chat = Chat(app, f"u{number}")
        await chat.send("/start")
        await chat.press("I agree")
        await chat.press("Resident")
        await chat.send(spelling)
        assert "Phường Đông Kinh" in chat.text, spelling
        row = await chat.row()
        assert row is not None and row["commune_code"] == "05977"


async def test_commune_that_matches_nothing_asks_again(alice: Chat) -> None:
    await alice.send("/start")
    await alice.press("I agree")
    await alice.press("Resident")
    await alice.send("Hà Nội")
    assert "No commune matches" in alice.text
    assert await alice.state() == "profile.commune"
    assert "Huyện Lộc Bình" in alice.choice_labels


async def test_commune_that_matches_many_lists_them_and_a_number_picks(alice: Chat) -> None:
    await alice.send("/start")
    await alice.press("I agree")
    await alice.press("Resident")
    await alice.send("an")
    assert "communes match" in alice.text
    assert len(alice.choice_labels) == 9  # eight communes and "back"
    first = alice.choice_labels[0]
    await alice.send("1")
    assert first in alice.text and "You're all set" in alice.text


async def test_commune_picked_through_its_former_district(alice: Chat) -> None:
    await alice.send("/start")
    await alice.press("I agree")
    await alice.press("Resident")
    await alice.press("Văn Quan")
    assert "Communes that were in Huyện Văn Quan" in alice.text
    await alice.press("Tân Đoàn")
    row = await alice.row()
    assert row is not None and row["onboarded_at"] is not None


async def test_restart_in_the_middle_of_onboarding_continues(make_app: AppFactory) -> None:
    first = await make_app()
    chat = Chat(first, "linh")
    await chat.send("/start")
    await chat.press("I agree")
    await chat.press("Teacher")
    assert "Which commune" in chat.text
    await first.close()

    second = await make_app()
    again = Chat(second, "linh")
    await again.send("2")  # the second former district, offered before the restart
    assert "Huyện Tràng Định" in again.text
    await again.send("Thất Khê")
    assert "You're all set" in again.text


async def test_start_again_after_onboarding_shows_the_menu(alice: Chat) -> None:
    await onboard(alice)
    await alice.send("/start")
    assert "Welcome back" in alice.text
    await alice.send("1")  # "A tip now"
    assert "💡" in alice.text
