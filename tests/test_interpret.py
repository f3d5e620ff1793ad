"""The answer interpreter's rules, one test per mistake the corpus found (tests/data/answers.yaml
holds the full corpus; tests/test_answer_corpus.py runs it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.answers import load_answer_rules
from bot.content.loader import ContentError
from bot.core.interpret import Interpreter, Verdict
from bot.core.messages import Choice
from tests.answer_corpus import ROOT, interpreter

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


AGE_VI = [
    Choice("Dưới 11 tuổi", "age:u11", "age.u11"),
    Choice("Từ 11 đến 14 tuổi", "age:11-14", "age.11-14"),
    Choice("Từ 15 đến 17 tuổi", "age:15-17", "age.15-17"),
    Choice("Từ 18 tuổi trở lên", "age:18+", "age.18+"),
]
GUARDIAN_16 = [
    Choice("Có, bố mẹ hoặc người giám hộ đã đồng ý", "guard:yes", "yes"),
    Choice("Mình từ 16 tuổi trở lên", "guard:16"),
    Choice("Chưa", "guard:no", "no"),
]
QUIZ = [Choice("Túi ni lông", "qa:1"), Choice("Hộp xốp", "qa:2"), Choice("Túi vải", "qa:3")]
MENU = [
    Choice("Nhận mẹo ngay", "cmd:tip"),
    Choice("Làm bài trắc nghiệm", "cmd:quiz"),
    Choice("Nhận mẹo mỗi ngày", "cmd:subscribe"),
]


@pytest.mark.parametrize("text", ["C ạ", "c nhé", "đáp án c nha", "là C"])
def test_a_letter_with_a_polite_word_picks_its_option(interp: Interpreter, text: str) -> None:
    assert picked(interp, text, QUIZ, lettered=True) == "qa:3"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("em 13", "age:11-14"),
        ("mình 12", "age:11-14"),
        ("dưới 11 tuổi", "age:u11"),
        ("trên 18", "age:18+"),
        ("ngoài 60 rồi", "age:18+"),
        ("13 years old", "age:11-14"),
    ],
)
def test_an_age_among_words_picks_its_band(interp: Interpreter, text: str, expected: str) -> None:
    # "dưới 11 tuổi" was read as "11 tuổi" (11-14); "em 13" and "trên 18" were not read.
    assert picked(interp, text, AGE_VI) == expected


@pytest.mark.parametrize("text", ["16", "16 tuổi", "mình 16 tuổi rồi", "tren 16"])
def test_a_number_found_in_one_label_picks_it(interp: Interpreter, text: str) -> None:
    # "rồi" (a yes word) made "mình 16 tuổi rồi" a parent's agreement.
    assert picked(interp, text, GUARDIAN_16) == "guard:16"


def test_a_bare_number_in_a_yes_label_is_not_a_yes(interp: Interpreter) -> None:
    offered = [Choice("Có, hiện “Học sinh 3”", "qo:1", "yes"), Choice("Không", "qo:0", "no")]
    assert picked(interp, "3", offered) == "missed"


def test_a_command_word_decides_between_two_menu_items(interp: Interpreter) -> None:
    assert picked(interp, "meo", MENU) == "cmd:tip"
    assert picked(interp, "nhận mẹo", MENU) == "ambiguous"


ROLE_VI = [
    Choice("Người dân", "aud:resident", "audience.resident"),
    Choice("Học sinh, sinh viên", "aud:student", "audience.student"),
    Choice("Giáo viên", "aud:teacher", "audience.teacher"),
    Choice("Tiểu thương, người bán hàng ở chợ", "aud:trader", "audience.trader"),
]


@pytest.mark.parametrize(
    ("text", "offered", "expected"),
    [
        ("hok", CONSENT_VI, "consent:no"),
        ("khum", CONSENT_VI, "consent:no"),
        ("hok dong y", CONSENT_VI, "consent:no"),
        ("i dont agree", CONSENT_EN, "consent:no"),
        ("disagree", CONSENT_EN, "consent:no"),
        ("of course", CONSENT_EN, "consent:yes"),
        ("11-14", AGE_VI, "age:11-14"),
        ("tiểu thương", ROLE_VI, "aud:trader"),
        ("tôi bán hàng ở chợ", ROLE_VI, "aud:trader"),
        ("có", ROLE_VI, "missed"),
        ("cô giáo", ROLE_VI, "aud:teacher"),
    ],
)
def test_words_added_to_the_rules(
    interp: Interpreter, text: str, offered: list[Choice], expected: str
) -> None:
    # "hok dong y" and "disagree" were taken for a yes; "có" picked the teacher ("cô").
    assert picked(interp, text, offered) == expected


@pytest.mark.parametrize("text", ["dongy", "dongg y", "đồng ỳy"])
def test_a_misspelt_yes_is_not_also_a_no_without_its_negation(
    interp: Interpreter, text: str
) -> None:
    # Fuzzy matching skipped "không" in "không đồng ý": "dongy" was a yes or a no.
    assert picked(interp, text, CONSENT_VI) == "consent:yes"


@pytest.mark.parametrize("text", ["C. Túi vải", "c tui vai", "C) túi vải"])
def test_a_letter_with_its_option_copied_picks_it(interp: Interpreter, text: str) -> None:
    assert picked(interp, text, QUIZ, lettered=True) == "qa:3"


@pytest.mark.parametrize("text", ["tui nilon", "túi nylon", "Túi ni-lông"])
def test_other_spellings_of_a_word_are_the_options_one(interp: Interpreter, text: str) -> None:
    assert picked(interp, text, QUIZ, lettered=True) == "qa:1"


def test_a_spelling_must_be_one_word(tmp_path: Path) -> None:
    rules = (ROOT / "content" / "answers.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "answers.yaml"
    broken.write_text(rules + "  ni lon: ni lông\n", encoding="utf-8")
    with pytest.raises(ContentError, match="spellings"):
        load_answer_rules(broken)


@pytest.mark.parametrize(
    ("text", "offered", "expected"),
    [
        ("uk", CONSENT_VI, "consent:yes"),
        ("oki nha", CONSENT_VI, "consent:yes"),
        ("th cs", LEVEL_VI, "lvl:lower_secondary"),  # was primary ("th")
        ("th pt", LEVEL_VI, "lvl:upper_secondary"),
        ("làm ruộng", ROLE_VI, "aud:resident"),
    ],
)
def test_words_from_the_second_batch(
    interp: Interpreter, text: str, offered: list[Choice], expected: str
) -> None:
    assert picked(interp, text, offered) == expected


GUARDIAN_15_17 = [
    Choice("Có, bố mẹ hoặc người giám hộ đã đồng ý", "guard:yes", "yes"),
    Choice("Mình từ 16 tuổi trở lên", "guard:16", "age.16+"),
    Choice("Chưa", "guard:no", "no"),
]


@pytest.mark.parametrize(
    ("text", "payload"),
    [("em 17 tuoi roi", "guard:16"), ("16 tuổi rồi ạ", "guard:16"), ("rồi ạ", "guard:yes")],
)
def test_an_age_said_with_a_yes_word_is_the_age_not_a_parents_yes(
    interp: Interpreter, text: str, payload: str
) -> None:
    found = interp.pick(text, GUARDIAN_15_17)
    assert (found.verdict, found.payload) == (Verdict.PICKED, payload)
