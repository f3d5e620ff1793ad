"""check-content's extra checks: an ended plan spoken of as current, a plan's target without its
period, and the shipped content passing them."""

from __future__ import annotations

from datetime import date

import pytest

from bot.content.checks import content_problems, ended_phrases, sentence_problem, tense_problems
from bot.content.loader import load_content
from bot.content.model import Content, Localized
from bot.content.quizzes import load_quizzes
from bot.settings import Settings

TODAY = date(2026, 11, 29)


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(Settings().content_dir)


@pytest.fixture(scope="module")
def ended(content: Content) -> tuple[str, ...]:
    return ended_phrases(content, TODAY)["vi"]


@pytest.mark.parametrize(
    "sentence",
    [
        "Trong giai đoạn 2021-2025, tỉnh đang đẩy mạnh tuyên truyền.",
        "Đến năm 2025, 100% siêu thị sẽ dùng bao bì thân thiện môi trường.",
        "Mục tiêu của Kế hoạch: 90% học sinh được cung cấp kiến thức.",
        "Theo Kế hoạch, mỗi năm tổ chức bao nhiêu hội nghị tập huấn?",
        "Kế hoạch của tỉnh khuyến khích mang làn đi chợ.",
    ],
)
def test_flagged(sentence: str, ended: tuple[str, ...]) -> None:
    assert sentence_problem(sentence, "vi", ended) is not None


@pytest.mark.parametrize(
    "sentence",
    [
        "Kế hoạch 2021-2025 của tỉnh đặt mục tiêu 90% học sinh được cung cấp kiến thức.",
        "Kế hoạch hành động quốc gia đặt mục tiêu giảm 75% rác nhựa trên biển đến năm 2030.",
        "Hôm nay bạn đang mang làn đi chợ.",
        "Kế hoạch 2021-2025 của tỉnh khuyến khích mang làn đi chợ.",
    ],
)
def test_not_flagged(sentence: str, ended: tuple[str, ...]) -> None:
    assert sentence_problem(sentence, "vi", ended) is None


def test_nothing_is_flagged_while_the_plan_is_in_force(content: Content) -> None:
    phrases = ended_phrases(content, date(2024, 5, 1))
    text = Localized(vi="Mục tiêu của Kế hoạch: 90% học sinh.", en="The plan's target: 90%.")
    assert tense_problems([("tip x", text)], phrases) == []


def test_an_item_is_named_with_its_sentence(content: Content) -> None:
    phrases = ended_phrases(content, TODAY)
    text = Localized(vi="Làm tốt. Giai đoạn 2021-2025 đang diễn ra.", en="Fine.")
    (problem,) = tense_problems([("tip demo", text)], phrases)
    assert problem.startswith("tip demo: vi: speaks of an ended period")
    assert "“Giai đoạn 2021-2025 đang diễn ra.”" in problem


def test_the_shipped_content_passes(content: Content) -> None:
    quizzes = load_quizzes(Settings().quiz_dir)
    assert content_problems(content, quizzes, TODAY) == []
