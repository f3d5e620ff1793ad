"""A province-scale data set for the officers' figures (issue 10, "Speed").

About 211,000 students in 650 schools of the 65 communes, 10,000 classes (every student in
one class of the school year 2026-2027, about 70% reached), 2,000,000 quiz answers (200,000
finished quizzes of 10 questions), 100,000 subscribers, the counters their onboarding and
quizzes leave, and 20,000 market reports when the market reports' tables exist.

Run: .venv/bin/python benchmarks/province.py DB_FILE  (then benchmarks/officers.py DB_FILE)
The rows are written straight with sqlite3 after the migrations, in one transaction; the
figures then come from the same code the bot runs.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import time
from pathlib import Path

from bot.app import create_app
from bot.content.model import AUDIENCES
from bot.settings import Settings
from bot.storage.dialect import SQLITE
from bot.storage.migrations import MIGRATIONS

YEAR, NOW = "2026-2027", "2026-11-20T08:00:00+00:00"
SCHOOLS_PER_COMMUNE, CLASSES, STUDENTS = 10, 10_000, 211_000
SUBSCRIBERS, ATTEMPTS, REPORTS = 100_000, 200_000, 20_000
LEVELS = ("primary", "lower_secondary", "upper_secondary")


async def migrate(path: Path) -> list[str]:
    app = await create_app(Settings(db_path=str(path)))
    communes = [c.code for c in app.deps.content.communes]
    await app.close()
    return communes


def generate(path: Path, communes: list[str], seed: int = 10) -> dict[str, int]:
    rng = random.Random(seed)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    with db:
        schools = []
        for commune in communes:
            for index in range(SCHOOLS_PER_COMMUNE):
                schools.append((f"Trường số {index + 1} {commune}", commune))
        db.executemany(
            """INSERT INTO schools (name, folded_name, level, commune_code, status, created_at)
               VALUES (?, lower(?), ?, ?, 'active', ?)""",
            [(n, n, LEVELS[i % 3], c, NOW) for i, (n, c) in enumerate(schools)],
        )
        school_ids = [r[0] for r in db.execute("SELECT id FROM schools ORDER BY id")]
        per_class = STUDENTS // CLASSES
        db.executemany(
            "INSERT INTO school_enrolments (school_id, grade, students) VALUES (?, 'all', ?)",
            [
                (s, (CLASSES // len(school_ids)) * per_class + rng.randint(0, 40))
                for s in school_ids
            ],
        )
        db.executemany(
            """INSERT INTO classes (school_id, name, level, enrolled, activity_type, starts_on,
                   school_year, join_code, status, created_at)
               VALUES (?, ?, 'lower_secondary', ?, ?, '2026-09-05', ?, ?, 'open', ?)""",
            [
                (
                    school_ids[i % len(school_ids)],
                    f"{6 + i % 4}A{i}",
                    per_class + 1,
                    "rally" if i % 20 == 0 else None,
                    YEAR,
                    f"C{i:07d}",
                    NOW,
                )
                for i in range(CLASSES)
            ],
        )
        class_ids = [r[0] for r in db.execute("SELECT id FROM classes ORDER BY id")]
        members = []
        for index in range(STUDENTS):
            reached = f"2026-{rng.randint(9, 11):02d}-{rng.randint(1, 28):02d}T08:00:00+00:00"
            members.append(
                (
                    class_ids[index % len(class_ids)],
                    index // len(class_ids) + 1,
                    NOW,
                    reached if rng.random() < 0.7 else None,
                )
            )
        db.executemany(
            """INSERT INTO class_members (class_id, number, joined_at, reached_at)
               VALUES (?, ?, ?, ?)""",
            members,
        )
        member_ids = [r[0] for r in db.execute("SELECT id FROM class_members ORDER BY id")]
        answers = "[" + ",".join(["0"] * 10) + "]"
        db.executemany(
            """INSERT INTO quiz_attempts (member_id, level, question_ids, answers, score, status,
                   school_year, started_at, expires_at, finished_at)
               VALUES (?, 'lower_secondary', '[]', ?, ?, 'finished', ?, ?, ?, ?)""",
            [
                (rng.choice(member_ids), answers, rng.randint(0, 10), YEAR, NOW, NOW, NOW)
                for _ in range(ATTEMPTS)
            ],
        )
        db.executemany(
            """INSERT INTO users (channel, channel_user_id, chat_id, created_at, consent_at,
                   locale, audience, commune_code, tip_time, tip_since, onboarded_at)
               VALUES ('zalo', ?, ?, ?, ?, 'vi', ?, ?, '07:00', ?, ?)""",
            [
                (f"u{i}", f"u{i}", NOW, NOW, AUDIENCES[i % 5], rng.choice(communes), NOW, NOW)
                for i in range(SUBSCRIBERS)
            ],
        )
        counters: dict[tuple[str, str, str, str], int] = {}
        for i in range(SUBSCRIBERS):
            key = ("joined", "2026", communes[i % len(communes)], AUDIENCES[i % 5])
            counters[key] = counters.get(key, 0) + 1
            if i % 3 == 0:
                key = ("reached", YEAR, communes[i % len(communes)], AUDIENCES[i % 5])
                counters[key] = counters.get(key, 0) + 1
        db.executemany(
            """INSERT INTO counters (metric, period, commune_code, audience, value)
               VALUES (?, ?, ?, ?, ?)""",
            [(*k, v) for k, v in counters.items()],
        )
        reports = _reports(db, rng, communes)
        for statement in rebuild_statements():  # the kept figures, as migration 8 builds them
            db.execute(statement)
    db.close()
    return {
        "schools": len(school_ids),
        "classes": len(class_ids),
        "students": STUDENTS,
        "quiz answers": ATTEMPTS * 10,
        "subscribers": SUBSCRIBERS,
        "reports": reports,
    }


def rebuild_statements() -> list[str]:
    """Migration 8's statements that compute the kept class figures from the member rows."""
    [migration] = [m for m in MIGRATIONS if m.version == 8]
    found = [s for s in migration.statements if not s.lstrip().startswith("CREATE TABLE")]
    return [SQLITE.render(s) for s in found[: found.index("DROP TABLE first_reach") + 1]]


def _reports(db: sqlite3.Connection, rng: random.Random, communes: list[str]) -> int:
    if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'reports'").fetchone():
        return 0
    db.executemany(
        """INSERT INTO reports (market_id, commune_code, answers, photos, status, day,
               created_at) VALUES (?, ?, '{}', '[]', ?, ?, ?)""",
        [
            (
                f"market-{i % 120}",
                communes[i % len(communes)],
                "approved" if i % 3 else "pending",
                f"2026-{rng.randint(1, 11):02d}-10",
                NOW,
            )
            for i in range(REPORTS)
        ],
    )
    return REPORTS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("db", type=Path, help="the SQLite file to create (must not exist)")
    args = parser.parse_args()
    if args.db.exists():
        raise SystemExit(f"{args.db} exists: give a new file")
    started = time.perf_counter()
    communes = asyncio.run(migrate(args.db))
    sizes = generate(args.db, communes)
    print(", ".join(f"{k}: {v:,}" for k, v in sizes.items()))
    print(f"generated in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
