"""Quiz attempts: the questions drawn for one play, the answers given, the score.

An attempt outlives the person: /deleteme sets `user_id` to NULL (the foreign key does it), so
a class's and a contest's figures stay correct without pointing at anyone. `answers` holds the
chosen option (1-based) of each question answered so far, in order: the question being asked
is always `question_ids[len(answers)]`, and an answer is recorded only if nothing was recorded
for that question in between (one answer per question counts).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from bot.storage.db import NotChanged, Read, Row, Transaction

ACTIVE, FINISHED, ABANDONED, EXPIRED = "active", "finished", "abandoned", "expired"


@dataclass(frozen=True)
class Attempt:
    id: int
    user_id: int | None
    member_id: int | None
    contest_id: int | None
    level: str
    question_ids: tuple[str, ...]
    answers: tuple[int, ...]
    score: int
    status: str
    school_year: str
    started_at: str
    expires_at: str
    finished_at: str | None

    @property
    def position(self) -> int:
        """The index of the question being asked (= how many were answered)."""
        return len(self.answers)

    @property
    def total(self) -> int:
        return len(self.question_ids)

    @property
    def done(self) -> bool:
        return self.position >= self.total

    def seen(self) -> tuple[str, ...]:
        """The questions this attempt showed: all once finished, else up to the current one."""
        if self.status == FINISHED:
            return self.question_ids
        return self.question_ids[: self.position + 1]


def _attempt(row: Row) -> Attempt:
    return Attempt(
        id=row["id"],
        user_id=row["user_id"],
        member_id=row["member_id"],
        contest_id=row["contest_id"],
        level=row["level"],
        question_ids=tuple(json.loads(row["question_ids"])),
        answers=tuple(json.loads(row["answers"])),
        score=row["score"],
        status=row["status"],
        school_year=row["school_year"],
        started_at=row["started_at"],
        expires_at=row["expires_at"],
        finished_at=row["finished_at"],
    )


async def start(
    tx: Transaction,
    *,
    user_id: int,
    level: str,
    question_ids: list[str],
    school_year: str,
    now: str,
    expires_at: str,
    member_id: int | None = None,
    contest_id: int | None = None,
) -> Attempt:
    row = await tx.fetch_one(
        """INSERT INTO quiz_attempts (user_id, member_id, contest_id, level, question_ids,
                                      school_year, started_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *""",
        (
            user_id,
            member_id,
            contest_id,
            level,
            json.dumps(question_ids),
            school_year,
            now,
            expires_at,
        ),
    )
    assert row is not None
    return _attempt(row)


async def get(tx: Transaction, attempt_id: int) -> Attempt | None:
    row = await tx.fetch_one("SELECT * FROM quiz_attempts WHERE id = ?", (attempt_id,))
    return _attempt(row) if row else None


async def unfinished(tx: Transaction, user_id: int, now: str) -> tuple[Attempt | None, int]:
    """The person's unfinished attempt, if any (there is at most one), and how many ran out
    of time: those are marked expired. One read (a statement is a hop to SQLite's thread)."""
    rows = await tx.fetch_all(
        "SELECT * FROM quiz_attempts WHERE user_id = ? AND status = ? ORDER BY id DESC",
        (user_id, ACTIVE),
    )
    attempts = [_attempt(row) for row in rows]
    stale = [a for a in attempts if a.expires_at <= now]
    if stale:
        await tx.later_many(
            "UPDATE quiz_attempts SET status = ? WHERE id = ? AND status = ?",
            [(EXPIRED, a.id, ACTIVE) for a in stale],
        )
    active = next((a for a in attempts if a.expires_at > now), None)
    return active, len(stale)


async def set_status(tx: Transaction, attempt_id: int, status: str) -> bool:
    """Ends an active attempt as abandoned or expired; False if it was not active."""
    changed = await tx.execute(
        "UPDATE quiz_attempts SET status = ? WHERE id = ? AND status = ?",
        (status, attempt_id, ACTIVE),
    )
    return changed == 1


class AnswerRaced(NotChanged):
    """The attempt had other answers than the snapshot `record_answer` was given."""


async def record_answer(tx: Transaction, attempt: Attempt, option: int, correct: bool) -> Attempt:
    """Adds the answer to the question being asked; returns the attempt with it.

    The update is conditional on the answers this attempt had when it was read, so two
    presses of the same button (or an old question's button) can never count twice: if
    another answer came first, `AnswerRaced` rolls the transaction back. The engine reads
    the attempt in the same transaction, so that only happens to a caller holding a stale
    snapshot. The write goes with the transaction's next statement or its COMMIT
    (`Transaction.later`): nothing waits for its answer.
    """
    answers = (*attempt.answers, option)
    await tx.later(
        """UPDATE quiz_attempts SET answers = ?, score = score + ?
           WHERE id = ? AND status = ? AND answers = ?""",
        (
            json.dumps(list(answers)),
            1 if correct else 0,
            attempt.id,
            ACTIVE,
            json.dumps(list(attempt.answers)),
        ),
        expect_changed=1,
        raising=AnswerRaced,
    )
    return replace(attempt, answers=answers, score=attempt.score + (1 if correct else 0))


async def finish(tx: Transaction, attempt_id: int, now: str, school_year: str) -> bool:
    """Closes the attempt; the school year is the one it was finished in (it counts there)."""
    changed = await tx.execute(
        """UPDATE quiz_attempts SET status = ?, finished_at = ?, school_year = ?
           WHERE id = ? AND status = ?""",
        (FINISHED, now, school_year, attempt_id, ACTIVE),
    )
    return changed == 1


async def history(tx: Transaction, user_id: int, level: str, limit: int = 20) -> list[Attempt]:
    """The person's recent attempts at this level, newest first."""
    return await tx.read(history_read(user_id, level, limit))


def history_read(user_id: int, level: str, limit: int = 20) -> Read[list[Attempt]]:
    """`history` as a read to send with another (`Transaction.read_both`)."""
    return Read(
        "SELECT * FROM quiz_attempts WHERE user_id = ? AND level = ? ORDER BY id DESC LIMIT ?",
        (user_id, level, limit),
        _attempts,
    )


def _attempts(rows: list[Row]) -> list[Attempt]:
    return [_attempt(row) for row in rows]


async def for_contest(tx: Transaction, user_id: int, contest_id: int) -> Attempt | None:
    """The person's attempt at this contest, whatever became of it (one per contest)."""
    row = await tx.fetch_one(
        "SELECT * FROM quiz_attempts WHERE user_id = ? AND contest_id = ? ORDER BY id",
        (user_id, contest_id),
    )
    return _attempt(row) if row else None


async def set_leaderboard_opt_in(tx: Transaction, member_id: int, opt_in: bool) -> None:
    """Whether the member's pseudonym may show on contest leaderboards.

    The column belongs to `class_members` (bot/storage/classes.py); it sits here until that
    module offers the same function.
    """
    await tx.later(
        "UPDATE class_members SET leaderboard_opt_in = ? WHERE id = ?",
        (1 if opt_in else 0, member_id),
    )


async def finished_count(tx: Transaction, user_id: int, level: str, school_year: str) -> int:
    """How many quizzes of this level the person finished in the school year."""
    return int(
        await tx.fetch_value(
            """SELECT COUNT(*) FROM quiz_attempts
               WHERE user_id = ? AND level = ? AND school_year = ? AND status = ?""",
            (user_id, level, school_year, FINISHED),
        )
    )


async def latest(tx: Transaction, user_id: int) -> Attempt | None:
    """The person's most recent attempt, whatever its status."""
    row = await tx.fetch_one(
        "SELECT * FROM quiz_attempts WHERE user_id = ? ORDER BY id DESC LIMIT 1", (user_id,)
    )
    return _attempt(row) if row else None
