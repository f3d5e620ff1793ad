"""The quiz bank validator: a broken bank is refused, naming the file and the question."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot import cli
from bot.app import create_app
from bot.content.loader import ContentError, Node
from bot.content.model import Localized
from bot.content.quizzes import (
    ADULT_BANKS,
    MIN_BANK_SIZE,
    QUIZ_LEVELS,
    TOPICS,
    Question,
    _question,
    adult_bank,
    load_quizzes,
)
from bot.settings import PROJECT_DIR, Settings, SettingsError, load_settings
from tests.harness_content import write_yaml
from tests.sources import citation_problems


def question(qid: str = "p-harm-01", **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": qid,
        "topic": "harm",
        "question": {
            "vi": "Túi ni lông phân hủy trong bao lâu?",
            "en": "How long does a bag last?",
        },
        "options": [
            {"vi": "Vài tuần", "en": "A few weeks"},
            {"vi": "Hàng trăm năm", "en": "Hundreds of years"},
        ],
        "answer": 2,
        "explanation": {"vi": "Túi ni lông rất lâu mới phân hủy.", "en": "Bags last very long."},
        "source": {
            "vi": "NOAA (Cơ quan Khí quyển và Đại dương Quốc gia Hoa Kỳ) / Woods Hole Sea Grant",
            "en": "NOAA / Woods Hole Sea Grant",
        },
    }
    for key, value in changes.items():
        if value is None:
            base.pop(key, None)
        else:
            base[key] = value
    return base


def write(folder: Path, name: str, level: str, *questions: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    data = {"level": level, "questions": list(questions)}
    write_yaml(path, data)
    return path


def refused(folder: Path) -> str:
    with pytest.raises(ContentError) as caught:
        load_quizzes(folder)
    return str(caught.value)


def test_a_valid_bank_loads(tmp_path: Path) -> None:
    write(tmp_path, "primary", "primary", question("p-1"), question("p-2", answer=1))
    write(tmp_path, "residents", "residents", question("a-1", topic="law", source="Decree 08/2022"))
    banks = load_quizzes(tmp_path)
    assert [q.id for q in banks.bank("primary")] == ["p-1", "p-2"]
    first = banks.question("p-1")
    assert first is not None
    assert (first.level, first.topic, first.answer) == ("primary", "harm", 2)
    assert first.right.en == "Hundreds of years" and first.right.vi == "Hàng trăm năm"
    assert first.source.get("en") == "NOAA / Woods Hole Sea Grant"
    assert first.source.get("vi").startswith("NOAA (Cơ quan Khí quyển và Đại dương")
    plain = banks.question("a-1")  # a plain-text source (older banks) serves both languages
    assert plain is not None and plain.source == Localized(vi="Decree 08/2022", en="Decree 08/2022")
    assert banks.size == 3
    assert banks.bank("higher") == ()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"answer": None}, "question p-bad (questions[1]).answer: missing"),
        ({"answer": 3}, "question p-bad (questions[1]).answer: 3 is not between 1 and 2"),
        ({"answer": 0}, "answer: 0 is not between 1 and 2"),
        ({"answer": "2"}, "answer: expected the position of the right option"),
        ({"answer": True}, "answer: expected the position of the right option"),
        ({"source": None}, "question p-bad (questions[1]).source: missing"),
        ({"source": "  "}, "question p-bad (questions[1]).source: expected non-empty text"),
        ({"source": {"en": "NOAA"}}, "question p-bad (questions[1]).source.vi: missing"),
        ({"source": {"vi": "NOAA"}}, "question p-bad (questions[1]).source.en: missing"),
        ({"source": {"vi": "", "en": "NOAA"}}, "source.vi: expected non-empty text"),
        (
            {"explanation": {"vi": "x" * 201, "en": "Short."}},
            "question p-bad (questions[1]).explanation.vi: longer than 200 characters (201)",
        ),
        (
            {"explanation": {"vi": "Ngắn.", "en": "y" * 250}},
            "explanation.en: longer than 200 characters (250)",
        ),
        ({"explanation": {"vi": "Chỉ có tiếng Việt."}}, "explanation.en: missing"),
        (
            {"question": {"en": "English only?"}},
            "question p-bad (questions[1]).question.vi: missing",
        ),
        (
            {"options": [{"vi": "Một", "en": "One"}, {"vi": "Hai"}]},
            "question p-bad (questions[1]).options[1].en: missing",
        ),
        ({"options": [{"vi": "Một", "en": "One"}]}, "options: 1 options: a question has 2 to 4"),
        (
            {"options": [{"vi": f"Ý {n}", "en": f"Option {n}"} for n in range(5)]},
            "options: 5 options: a question has 2 to 4",
        ),
        (
            {"options": [{"vi": "Có", "en": "Yes"}, {"vi": "có", "en": "No"}]},
            "options: two options have the same vi text",
        ),
        ({"topic": "weather"}, "question p-bad (questions[1]).topic: 'weather' is not one of harm"),
        ({"topic": None}, "topic: missing"),
    ],
)
def test_a_broken_question_is_refused_naming_file_and_question(
    tmp_path: Path, changes: dict[str, Any], expected: str
) -> None:
    path = write(tmp_path, "primary", "primary", question("p-ok"), question("p-bad", **changes))
    message = refused(tmp_path)
    assert message.startswith(f"{path}: "), message
    assert expected in message, message


def test_duplicate_ids_are_refused_within_a_bank(tmp_path: Path) -> None:
    path = write(tmp_path, "primary", "primary", question("p-1"), question("p-1"))
    message = refused(tmp_path)
    assert message.startswith(f"{path}: question p-1 (questions[1]).id: duplicate id")


def test_duplicate_ids_are_refused_across_banks(tmp_path: Path) -> None:
    first = write(tmp_path, "officials", "officials", question("same-1"))
    second = write(tmp_path, "primary", "primary", question("same-1"))
    message = refused(tmp_path)
    assert message.startswith(f"{second}: question same-1"), message
    assert f"already used in {first}" in message


def test_a_bad_id_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "primary", "primary", question("P 1"))
    assert "questions[0].id: 'P 1' is not a valid id" in refused(tmp_path)


def test_unknown_or_repeated_level_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "kindergarten", "kindergarten", question())
    assert refused(tmp_path).startswith(f"{path}: level: 'kindergarten' is not one of primary")
    path.unlink()
    write(tmp_path, "primary", "primary", question("p-1"))
    again = write(tmp_path, "primary2", "primary", question("p-2"))
    assert refused(tmp_path).startswith(f"{again}: level: level 'primary' already has a bank")


def test_empty_bank_broken_yaml_and_missing_folder_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "primary", "primary")
    assert refused(tmp_path) == f"{path}: questions: expected a non-empty list"
    path.write_text("level: primary\nquestions: [unclosed\n", encoding="utf-8")
    assert "not valid YAML" in refused(tmp_path)
    assert "quiz folder not found" in refused(tmp_path / "nowhere")


def test_incomplete_banks_are_reported(tmp_path: Path) -> None:
    write(tmp_path, "primary", "primary", question("p-1"))
    problems = load_quizzes(tmp_path).problems()
    assert f"{tmp_path / 'primary.yaml'}: 1 questions, at least {MIN_BANK_SIZE} are needed" in (
        problems
    )
    assert "no bank for level 'residents' (expected quizzes/residents.yaml)" in problems
    assert "no bank for level 'officials' (expected quizzes/officials.yaml)" in problems
    assert len(problems) == len(QUIZ_LEVELS)


async def test_the_app_fails_fast_on_a_broken_bank(tmp_path: Path) -> None:
    folder = tmp_path / "quizzes"
    write(folder, "primary", "primary", question("p-1", answer=7))
    settings = Settings(db_path=str(tmp_path / "bot.sqlite3"), quiz_dir=folder)
    with pytest.raises(ContentError, match=r"primary\.yaml: question p-1 .*answer: 7"):
        await create_app(settings)


def test_quiz_folder_setting_is_checked(tmp_path: Path) -> None:
    assert load_settings({"BOT_QUIZ_DIR": str(tmp_path)}, tmp_path / ".env").quiz_dir == tmp_path
    with pytest.raises(SettingsError, match=r"BOT_QUIZ_DIR=.*no such folder"):
        load_settings({"BOT_QUIZ_DIR": str(tmp_path / "nowhere")}, tmp_path / ".env")


def test_check_content_names_the_broken_bank(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`bot check-content`, run in this process, in a folder without a .env file."""
    path = write(tmp_path, "primary", "primary", question("p-1", source=None))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_QUIZ_DIR", str(tmp_path))
    assert cli.main(["check-content"]) == 2
    assert f"{path}: question p-1 (questions[0]).source: missing" in capsys.readouterr().err


def test_the_shipped_banks_are_valid_and_complete() -> None:
    banks = load_quizzes(PROJECT_DIR / "quizzes")
    assert banks.problems() == []
    for level in QUIZ_LEVELS:
        topics = {q.topic for q in banks.bank(level)}
        assert topics == set(TOPICS), (level, sorted(set(TOPICS) - topics))


def test_the_shipped_sources_cite_the_same_in_both_languages() -> None:
    banks = load_quizzes(PROJECT_DIR / "quizzes")
    for level in QUIZ_LEVELS:
        for q in banks.bank(level):
            assert citation_problems(q.source) == [], (q.id, q.source)


MAX_RIGHT_IS_LONGEST = 0.6


def test_the_right_option_does_not_give_itself_away_by_its_length() -> None:
    """In each shipped bank and language, the right option is the longest one in at most 60%
    of the questions: otherwise "pick the longest" would pass the quiz without reading it."""
    banks = load_quizzes(PROJECT_DIR / "quizzes")
    for level in QUIZ_LEVELS:
        bank = banks.bank(level)
        for lang in ("vi", "en"):
            longest = [
                q.id
                for q in bank
                if all(
                    len(getattr(q.right, lang)) > len(getattr(option, lang))
                    for number, option in enumerate(q.options, 1)
                    if number != q.answer
                )
            ]
            assert len(longest) <= MAX_RIGHT_IS_LONGEST * len(bank), (
                f"{banks.files[level]} ({lang}): the right option is the longest in "
                f"{len(longest)} of {len(bank)} questions; shorten it or lengthen a wrong one "
                f"in some of: {', '.join(longest)}"
            )


_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/(\d{4})\b")
_PERCENT = re.compile(r"\d+(?:,\d+)?\s?%")


def implausible_distractors(question: Question) -> list[str]:
    """Wrong options that give themselves away where the answer is a date or a percentage:
    a date decades off, or words ("No target") among percentages."""
    found = []
    right = question.right.vi
    for option in question.options:
        if option is question.right:
            continue
        if dated := _DATE.search(right):
            other = _DATE.search(option.vi)
            if other is None or abs(int(other[1]) - int(dated[1])) > 10:
                found.append(option.vi)
        elif _PERCENT.fullmatch(right.strip()) and not _PERCENT.search(option.vi):
            found.append(option.vi)
    return found


def test_distractors_of_dates_and_figures_are_plausible_in_the_adult_banks() -> None:
    banks = load_quizzes(PROJECT_DIR / "quizzes")
    for level in ADULT_BANKS:
        for q in banks.bank(level):
            assert implausible_distractors(q) == [], (q.id, implausible_distractors(q))


def test_the_distractor_check_catches_a_far_date() -> None:
    options = [{"vi": "01/01/2022", "en": "a"}, {"vi": "01/01/2035", "en": "b"}]
    far = question("x-1", options=options, answer=1)
    node = Node(far, "x.yaml", "questions[0]")
    assert implausible_distractors(_question(node, 0, "residents")) == ["01/01/2035"]


def test_the_adult_banks_by_audience() -> None:
    assert [adult_bank(a) for a in ("resident", None, "trader")] == ["residents"] * 3
    assert {adult_bank(a) for a in ("worker", "media", "teacher")} == {"officials"}
