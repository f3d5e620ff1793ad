"""The answer interpreter's rules, one test per mistake the corpus found (tests/data/answers.yaml
holds the full corpus; tests/test_answer_corpus.py runs it)."""

from __future__ import annotations

import pytest

from bot.core.interpret import Interpreter, Verdict
from bot.core.messages import Choice
from tests.answer_corpus import interpreter

CONSENT_EN = [
    Choice("I agree", "consent:yes", "yes"),
    Choice("No, thanks", "consent:no", "no"),
    Choice("Tiếng Việt", "lang:vi"),
]
CONSENT_VI = [
    Choice("Tôi đồng ý", "consent:yes", "yes"),
    Choice("Không, cảm ơn", "consent:no", "no"),
    Choice("English", "lang:en"),
]
LEVEL_VI = [
    Choice("Tiểu học", "lvl:primary", "level.primary"),
    Choice("Trung học cơ sở", "lvl:lower_secondary", "level.lower_secondary"),
    Choice("Trung học phổ thông", "lvl:upper_secondary", "level.upper_secondary"),
    Choice("Cao đẳng, đại học", "lvl:higher", "level.higher"),
]
QUIZ_KG = [
    Choice("Khoảng 1 gam", "qa:1"),
    Choice("Khoảng 1 kg", "qa:2"),
    Choice("Khoảng 1 tấn", "qa:3"),
]


@pytest.fixture(scope="module")
def interp() -> Interpreter:
    return interpreter()


def picked(interp: Interpreter, text: str, offered: list[Choice], lettered: bool = False) -> str:
    found = interp.pick(text, offered, lettered=lettered)
    return found.payload if found.verdict is Verdict.PICKED else found.verdict.value


@pytest.mark.parametrize("text", ["I don't agree", "I DON’T agree", "I do not agree"])
def test_an_english_negation_with_an_apostrophe_is_a_no(interp: Interpreter, text: str) -> None:
    # The rule "don't" was kept as one word while answers split it in two: it never matched.
    assert picked(interp, text, CONSENT_EN) == "consent:no"


@pytest.mark.parametrize(
    ("text", "offered", "expected"),
    [
        ("lop7", LEVEL_VI, "lvl:lower_secondary"),
        ("cap1", LEVEL_VI, "lvl:primary"),
        ("1kg", QUIZ_KG, "qa:2"),
    ],
)
def test_a_number_glued_to_a_word_is_read(
    interp: Interpreter, text: str, offered: list[Choice], expected: str
) -> None:
    assert picked(interp, text, offered, lettered=offered is QUIZ_KG) == expected


@pytest.mark.parametrize("text", ["khng dong y", "kong dong y", "khôg đồng ý", "khonng dong y"])
def test_a_typo_in_khong_still_makes_a_no(interp: Interpreter, text: str) -> None:
    # "dong y" is in the yes words: with "không" misspelt, the answer was taken for a yes.
    assert picked(interp, text, CONSENT_VI) == "consent:no"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("đúng rồi", "consent:yes"),
        ("dung roi", "consent:yes"),
        ("đúng", "consent:yes"),
        ("đừng", "consent:no"),
        ("dung dong y", "consent:no"),
        ("đừng mà", "consent:no"),
        ("dung", "missed"),
    ],
)
def test_dung_is_right_or_dont_by_its_accents_or_the_next_word(
    interp: Interpreter, text: str, expected: str
) -> None:
    # Without accents "dung" is both "đúng" (right: yes) and "đừng" (don't: no).
    assert picked(interp, text, CONSENT_VI) == expected
