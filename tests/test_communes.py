"""The commune question as people answer it: old names, typos, 'commune, district', a location.

Through the real engine (the shell harness), the shell channel and the Telegram channel.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App
from bot.channels.shell import ShellChannel
from bot.core.clock import OffsetClock
from bot.settings import Settings
from tests import telegram_updates as updates
from tests.harness import Chat
from tests.harness_app import open_app
from tests.telegram_harness import Harness, Person, telegram_harness

DONG_KINH, TAN_TIEN, YEN_BINH, TRANG_DINH = "05977", "06019", "06391", "06046"
OUTSIDE = "seems to be outside the province"
HANOI = (21.0285, 105.8542)  # about 70 km from the nearest commune centre
CAO_BANG_CITY = (22.6657, 106.2579)  # 31 km from Xã Đoàn Kết's centre: just too far
NEAR_DONG_KINH = (21.80, 106.78)  # 1.2 km from Phường Đông Kinh's centre, 5.9 from the next
BETWEEN_WARDS = (21.833, 106.7625)  # about 3 km from three ward centres


async def at_commune_question(app: App, name: str = "bà-tư", hint: str | None = "en") -> Chat:
    chat = Chat(app, name, hint)
    await chat.send("/start")
    await chat.send("1")  # I agree
    await chat.send("1")  # Resident
    assert await chat.state() == "profile.commune"
    return chat


async def commune_of(chat: Chat) -> str | None:
    row = await chat.row()
    assert row is not None
    return None if row["commune_code"] is None else str(row["commune_code"])


async def test_the_question_offers_to_share_a_location(app: App) -> None:
    chat = await at_commune_question(app)
    [question] = [r for r in chat.replies if r.choices]
    assert question.ask_location and "Which commune or ward" in question.text


@pytest.mark.parametrize("typed", ["tan tein", "Tân Tiếnn", "tantien", "TAN TIEN"])
async def test_a_typo_or_missing_space_finds_the_commune(app: App, typed: str) -> None:
    chat = await at_commune_question(app)
    await chat.send(typed)
    assert "Commune: Xã Tân Tiến" in chat.text and "You're all set" in chat.text
    assert await commune_of(chat) == TAN_TIEN


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("mai pha", "Mai Pha is now part of Phường Đông Kinh."),
        ("Mai Phà", "Mai Pha is now part of Phường Đông Kinh."),
        ("kim dong", "Kim Đồng is now part of Xã Tân Tiến."),
        ("vinh trai", "Vĩnh Trại is now part of Phường Đông Kinh."),
    ],
)
async def test_a_commune_name_from_before_2025_is_found_and_explained(
    app: App, typed: str, said: str
) -> None:
    chat = await at_commune_question(app)
    await chat.send(typed)
    assert said in chat.text
    assert "You're all set" in chat.text
    assert await commune_of(chat) in (DONG_KINH, TAN_TIEN)


async def test_in_vietnamese_the_old_name_is_explained_in_vietnamese(app: App) -> None:
    chat = await at_commune_question(app, "bà-năm", hint="vi")
    await chat.send("mai pha")
    assert "Mai Pha nay thuộc Phường Đông Kinh." in chat.text
    assert await commune_of(chat) == DONG_KINH


async def test_a_name_in_several_former_districts_asks_then_the_district_settles_it(
    app: App,
) -> None:
    chat = await at_commune_question(app)
    await chat.send("hoa binh")
    assert "Which one is yours?" in chat.text
    assert chat.choice_labels[:4] == [
        "Xã Thiện Long (old Hòa Bình, Bình Gia)",
        "Xã Văn Quan (old Hòa Bình, Văn Quan)",
        "Xã Yên Bình (old Hòa Bình, Hữu Lũng)",
        "Xã Vạn Linh (old Hòa Bình, Chi Lăng)",
    ]
    assert await commune_of(chat) is None
    await chat.send("Hòa Bình, Hữu Lũng")
    assert "Hòa Bình is now part of Xã Yên Bình." in chat.text
    assert await commune_of(chat) == YEN_BINH


@pytest.mark.parametrize(
    "typed", ["Tân Tiến, Tràng Định", "tan tien, trang dinh", "tan tien huyen trang dinh"]
)
async def test_commune_with_its_former_district(app: App, typed: str) -> None:
    chat = await at_commune_question(app)
    await chat.send(typed)
    assert "Commune: Xã Tân Tiến" in chat.text
    assert await commune_of(chat) == TAN_TIEN


async def test_a_former_district_name_lists_its_communes(app: App) -> None:
    chat = await at_commune_question(app)
    await chat.send("huyen trang dinh")
    assert "Communes that were in Huyện Tràng Định:" in chat.text
    assert "Xã Tân Tiến" in chat.choice_labels and "Xã Bình Gia" not in chat.choice_labels
    await chat.send("tan tien")
    assert await commune_of(chat) == TAN_TIEN


async def test_a_name_of_both_a_commune_and_a_former_district_asks_which(app: App) -> None:
    chat = await at_commune_question(app)
    await chat.send("trang dinh")
    assert "Do you mean Xã Tràng Định, or another commune of the former Huyện Tràng Định?" in (
        chat.text
    )
    assert chat.choice_labels[:2] == ["Xã Tràng Định", "Other communes of Huyện Tràng Định"]
    await chat.press("Other communes")
    assert "Communes that were in Huyện Tràng Định:" in chat.text
    await chat.press("Tràng Định")
    assert await commune_of(chat) == TRANG_DINH


async def test_a_location_inside_the_province_picks_the_nearest_commune(app: App) -> None:
    chat = await at_commune_question(app)
    await chat.location(*NEAR_DONG_KINH)
    assert "The place you sent is closest to Phường Đông Kinh." in chat.text
    assert "You're all set" in chat.text
    assert await commune_of(chat) == DONG_KINH


async def test_a_location_between_communes_asks_which(app: App) -> None:
    chat = await at_commune_question(app)
    await chat.location(*BETWEEN_WARDS)
    assert "lies between these communes" in chat.text
    assert chat.choice_labels[:3] == ["Phường Đông Kinh", "Phường Kỳ Lừa", "Phường Lương Văn Tri"]
    await chat.send("2")
    assert await commune_of(chat) == "06187"


@pytest.mark.parametrize("where", [HANOI, CAO_BANG_CITY], ids=["hanoi", "cao-bang-city"])
async def test_a_location_outside_the_province_is_refused_politely(
    app: App, where: tuple[float, float]
) -> None:
    chat = await at_commune_question(app)
    await chat.location(*where)
    assert OUTSIDE in chat.text and "Please type the name of your commune" in chat.text
    assert "Which commune or ward" in chat.text  # asked again
    assert await chat.state() == "profile.commune"
    assert await commune_of(chat) is None


async def test_nothing_found_still_asks_again(app: App) -> None:
    chat = await at_commune_question(app)
    await chat.send("Hà Nội")
    assert "No commune matches “Hà Nội”." in chat.text
    assert await chat.state() == "profile.commune"


async def test_a_grandmother_on_the_shell_channel(settings: Settings, tmp_path: Path) -> None:
    """Types without accents and with a typo, then tries a location from Hà Nội. The shell has
    no language hint: the bot speaks Vietnamese."""
    script = "/start\n1\n1\n:location 21.0285 105.8542\nmai pah\n"
    clock = OffsetClock()
    app = await open_app(settings, clock=clock)
    output = io.StringIO()
    try:
        await ShellChannel(app, clock, tmp_path / "out", output).run(io.StringIO(script))
    finally:
        await app.close()
    out = output.getvalue()
    assert "(you can send :location LAT LON)" in out
    assert "khoảng 70 km, có vẻ là ở ngoài tỉnh" in out
    assert "Mai Pha nay thuộc Phường Đông Kinh." in out
    assert "Xã/phường: Phường Đông Kinh" in out


@pytest.fixture
async def tg(tmp_path: Path) -> AsyncIterator[Harness]:
    async with telegram_harness(tmp_path) as harness:
        yield harness


async def telegram_commune_question(tg: Harness, user_id: int) -> Person:
    person = tg.person(user_id)
    await person.say("/start")
    await person.read()
    await person.press("I agree")
    await person.read(2)
    await person.press("Resident")
    question, share = await person.read(2)
    assert "Which commune or ward" in question.params["text"]
    [[button]] = share.params["reply_markup"]["keyboard"]
    assert button == {"text": "📍 Share my location", "request_location": True}
    return person


async def telegram_commune(tg: Harness, person: Person) -> str | None:
    row = await tg.app.deps.db.fetch_one(
        "SELECT commune_code FROM users WHERE channel_user_id = ?", (str(person.id),)
    )
    assert row is not None
    return None if row[0] is None else str(row[0])


async def test_telegram_location_button_picks_the_commune(tg: Harness) -> None:
    lan = await telegram_commune_question(tg, 8101)
    await lan.send(updates.location(lan.user, *NEAR_DONG_KINH))
    closest, chosen, done = await lan.read(3)
    assert "closest to Phường Đông Kinh" in closest.params["text"]
    assert closest.params["reply_markup"] == {"remove_keyboard": True}
    assert chosen.params["text"].startswith("Commune: Phường Đông Kinh")
    assert "You're all set" in done.params["text"]
    assert await telegram_commune(tg, lan) == DONG_KINH


async def test_telegram_location_outside_is_refused_and_the_button_offered_again(
    tg: Harness,
) -> None:
    lan = await telegram_commune_question(tg, 8102)
    await lan.send(updates.location(lan.user, *HANOI))
    refused, again, share = await lan.read(3)
    assert OUTSIDE in refused.params["text"]
    assert "Which commune or ward" in again.params["text"]
    assert share.params["reply_markup"]["keyboard"][0][0]["request_location"] is True
    assert await telegram_commune(tg, lan) is None
    await lan.say("kim dong")
    assert "Kim Đồng is now part of Xã Tân Tiến." in await lan.read_text()
    assert await telegram_commune(tg, lan) == TAN_TIEN
