"""Where a test's set-up goes: each part of creating the app the tests talk to.

Run: .venv/bin/python benchmarks/suite_setup.py [--runs 5]
Prints the median over the runs of each part that `create_app` does (content, quiz banks,
answer rules, message catalogs, migrations on a fresh SQLite file), then a whole
`create_app` on a fresh file, and one given the parts already loaded and a copy of a database
migrated once (what the tests do, see tests/harness_app.py). One run of the test suite
creates about 900 apps.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bot.app import Resources, create_app, load_resources
from bot.content.answers import load_answer_rules
from bot.content.loader import load_content
from bot.content.quizzes import load_quizzes
from bot.core.i18n import I18n
from bot.core.interpret import Interpreter
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.migrations import migrate

NOW = "2026-11-30T01:00:00+00:00"


def median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def fresh(folder: Path) -> Settings:
    return Settings(db_path=str(Path(tempfile.mkdtemp(dir=folder)) / "bot.sqlite3"))


async def migrated(settings: Settings) -> None:
    db = await Database.open(settings.db_path)
    await migrate(db, NOW)
    await db.close()


async def whole(settings: Settings) -> None:
    app = await create_app(settings)
    await app.close()


async def shared(settings: Settings, template: Path, resources: Resources) -> None:
    shutil.copyfile(template, settings.db_path)
    app = await create_app(settings, resources=resources)
    await app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    folder = Path(tempfile.mkdtemp())
    base = Settings()
    template = fresh(folder)
    asyncio.run(migrated(template))
    resources = load_resources(base)
    parts = {
        "content (content/*.yaml)": lambda: load_content(base.content_dir),
        "quiz banks (quizzes/*.yaml)": lambda: load_quizzes(base.quiz_dir),
        "answer rules (content/answers.yaml)": lambda: Interpreter(
            load_answer_rules(base.content_dir / "answers.yaml")
        ),
        "message catalogs (.po)": I18n,
        "migrations on a fresh file": lambda: asyncio.run(migrated(fresh(folder))),
        "create_app + close, fresh": lambda: asyncio.run(whole(fresh(folder))),
        "create_app + close, loaded parts and a copied database": lambda: asyncio.run(
            shared(fresh(folder), Path(template.db_path), resources)
        ),
    }
    for name, action in parts.items():
        print(f"{name:56s} {median_ms(action, runs):7.1f} ms")
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
