"""Quiz banks: one YAML file per level under `quizzes/`, validated at start-up.

A bank is `level: primary` plus `questions:`, each question
`{id, topic, question: {vi, en}, options: [{vi, en}, ...], answer, explanation: {vi, en},
source: {vi, en}}` (a plain-text source is shown as is in both languages). The loader
refuses a broken bank with an error that names the file and the question ("quizzes/primary.yaml:
question p-harm-01 (questions[3]).answer: 5 is not between 1 and 3"), so a content author can
fix it without reading code. Question ids are unique across all banks:
attempts and contests refer to questions by id alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.content.loader import ContentError, Node, load_yaml
from bot.content.model import LEVELS, Localized

ADULT_BANKS = ("residents", "officials")
QUIZ_LEVELS = (*LEVELS, *ADULT_BANKS)
# The adults' bank by audience: officials, press and radio get the plan, the law's duties and
# campaign skills; everyone else (residents, traders, anyone without a role) everyday habits.
OFFICIAL_AUDIENCES = frozenset({"worker", "media", "teacher"})


def adult_bank(audience: str | None) -> str:
    return "officials" if audience in OFFICIAL_AUDIENCES else "residents"


TOPICS = ("harm", "sorting", "market", "microplastics", "law", "recycling", "action")
MIN_OPTIONS, MAX_OPTIONS = 2, 4
MAX_EXPLANATION = 200  # characters, in each language
MAX_QUESTION = 400
MAX_OPTION = 200
MAX_SOURCE = 120  # the short source shown under the answer; `source_long` is for /source
MIN_BANK_SIZE = 40  # what the issue asks of a shipped bank (check-content enforces it)


@dataclass(frozen=True)
class Question:
    id: str
    level: str
    topic: str
    text: Localized
    options: tuple[Localized, ...]
    answer: int  # 1-based position of the right option
    explanation: Localized
    source: Localized
    source_long: Localized | None = None

    @property
    def right(self) -> Localized:
        return self.options[self.answer - 1]

    @property
    def long_source(self) -> Localized:
        return self.source_long or self.source


@dataclass
class QuizBanks:
    """Every bank, by level, and every question by its (globally unique) id."""

    banks: dict[str, tuple[Question, ...]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # level -> file it came from
    _by_id: dict[str, Question] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {q.id: q for bank in self.banks.values() for q in bank}

    def bank(self, level: str) -> tuple[Question, ...]:
        return self.banks.get(level, ())

    def question(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)

    @property
    def size(self) -> int:
        return len(self._by_id)

    def problems(self, minimum: int = MIN_BANK_SIZE) -> list[str]:
        """What keeps the banks from being complete: a level without a bank, a short bank."""
        found: list[str] = []
        for level in QUIZ_LEVELS:
            size = len(self.bank(level))
            if level not in self.banks:
                found.append(f"no bank for level {level!r} (expected quizzes/{level}.yaml)")
            elif size < minimum:
                found.append(
                    f"{self.files[level]}: {size} questions, at least {minimum} are needed"
                )
        return found


def load_quizzes(directory: Path) -> QuizBanks:
    """Loads every `*.yaml` bank in the folder; raises ContentError on the first problem."""
    if not directory.is_dir():
        raise ContentError(f"{directory}: quiz folder not found")
    banks: dict[str, tuple[Question, ...]] = {}
    files: dict[str, str] = {}
    seen: dict[str, str] = {}  # question id -> file
    for path in sorted(directory.glob("*.yaml")):
        root = load_yaml(path)
        level_node = root.child("level")
        level = level_node.text()
        if level not in QUIZ_LEVELS:
            raise level_node.fail(f"{level!r} is not one of {', '.join(QUIZ_LEVELS)}")
        if level in banks:
            raise level_node.fail(f"level {level!r} already has a bank in {files[level]}")
        questions = []
        for index, node in enumerate(root.child("questions").items()):
            question = _question(node, index, level)
            if question.id in seen:
                where = "this file" if seen[question.id] == str(path) else seen[question.id]
                raise ContentError(
                    f"{path}: question {question.id} (questions[{index}]).id: "
                    f"duplicate id, already used in {where}"
                )
            seen[question.id] = str(path)
            questions.append(question)
        banks[level] = tuple(questions)
        files[level] = str(path)
    return QuizBanks(banks, files)


def _question(raw: Node, index: int, level: str) -> Question:
    question_id = raw.child("id").ident()
    node = Node(raw.value, raw.file, f"question {question_id} (questions[{index}])")
    topic = node.child("topic")
    if topic.text() not in TOPICS:
        raise topic.fail(f"{topic.value!r} is not one of {', '.join(TOPICS)}")
    options_node = node.child("options")
    if not isinstance(options_node.value, list):
        raise options_node.fail("expected a list of options")
    count = len(options_node.value)
    if not MIN_OPTIONS <= count <= MAX_OPTIONS:
        raise options_node.fail(f"{count} options: a question has {MIN_OPTIONS} to {MAX_OPTIONS}")
    options = tuple(options_node.child(i).localized(MAX_OPTION) for i in range(count))
    for lang in ("vi", "en"):
        texts = [getattr(option, lang).casefold() for option in options]
        if len(set(texts)) != len(texts):
            raise options_node.fail(f"two options have the same {lang} text")
    long = node.child("source_long", required=False)
    answer = node.child("answer")
    if answer.value is None or isinstance(answer.value, bool) or not isinstance(answer.value, int):
        raise answer.fail("expected the position of the right option (1, 2, ...)")
    if not 1 <= answer.value <= count:
        raise answer.fail(f"{answer.value} is not between 1 and {count}")
    return Question(
        id=question_id,
        level=level,
        topic=topic.text(),
        text=node.child("question").localized(MAX_QUESTION),
        options=options,
        answer=answer.value,
        explanation=node.child("explanation").localized(MAX_EXPLANATION),
        source=node.child("source").localized_or_text(MAX_SOURCE),
        source_long=long.localized_or_text() if long.value is not None else None,
    )
