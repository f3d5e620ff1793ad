"""Playing a quiz in tests: small banks whose answers every test knows, and a player."""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from pathlib import Path

from bot.app import App
from bot.content.quizzes import QUIZ_LEVELS, Question
from tests.harness import Chat
from tests.harness_content import write_yaml
from tests.harness_db import latest

BANK_SIZE = 25
PREFIX = {
    "primary": "pr",
    "lower_secondary": "ls",
    "upper_secondary": "us",
    "higher": "hi",
    "residents": "re",
    "officials": "of",
}


_SHARED: dict[int, Path] = {}


def shared_banks(size: int = BANK_SIZE) -> Path:
    """The banks of `write_banks`, written once per process into a folder of its own: tests
    that only read the files share them, so the app's loaded banks are shared too
    (tests/harness_app.py keys them by folder). A test that changes a bank's file writes its
    own with `write_banks`."""
    if size not in _SHARED:
        folder = Path(tempfile.mkdtemp(prefix="quiz-banks-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _SHARED[size] = write_banks(folder, size)
    return _SHARED[size]


def write_banks(folder: Path, size: int = BANK_SIZE) -> Path:
    """One bank per level; question n of level xx has id 'xx-qNN' and three options."""
    folder.mkdir(parents=True, exist_ok=True)
    for level in QUIZ_LEVELS:
        prefix = PREFIX[level]
        questions = []
        for n in range(1, size + 1):
            qid = f"{prefix}-q{n:02d}"
            right = n % 3
            options = [
                {"vi": f"Sai {qid} {k}", "en": f"Wrong {qid} {k}"}
                if k != right
                else {"vi": f"Đúng {qid}", "en": f"Right {qid}"}
                for k in range(3)
            ]
            questions.append(
                {
                    "id": qid,
                    "topic": "harm",
                    "question": {"vi": f"Câu hỏi {qid}?", "en": f"Question {qid}?"},
                    "options": options,
                    "answer": right + 1,
                    "explanation": {"vi": f"Vì {qid}.", "en": f"Because {qid}."},
                    "source": {"vi": f"Nguồn {qid}", "en": f"Source {qid}"},
                }
            )
        data = {"level": level, "questions": questions}
        write_yaml(folder / f"{level}.yaml", data)
    return folder


async def current_question(app: App, chat: Chat) -> Question:
    attempt = await latest(app, chat)
    question = app.deps.quizzes.question(attempt.question_ids[attempt.position])
    assert question is not None
    return question


async def answer(app: App, chat: Chat, right: bool = True) -> Question:
    """Presses the right (or a wrong) option of the question being asked."""
    question = await current_question(app, chat)
    assert f"Question {question.id}?" in chat.text, chat.text
    wrong = next(o for o in question.options if o != question.right)
    label = (question.right if right else wrong).en
    payload = next(
        c.payload for r in chat.replies for c in r.choices if unlettered(c.label) == label
    )
    await chat.send_payload(payload)
    return question


def unlettered(label: str) -> str:
    """A quiz option's label without its letter: 'B. Cloth bags' -> 'Cloth bags'."""
    return re.sub(r"^[A-Z]\. ", "", label)


async def play(app: App, chat: Chat, right: int = 10) -> list[Question]:
    """Sends /quiz and answers all ten questions, the first `right` of them rightly."""
    await chat.send("/quiz")
    return [await answer(app, chat, right=n < right) for n in range(10)]
