"""Apps for tests, quickly: what every app reads from files is loaded once per process.

Creating an app reads the content, the quiz banks, the answer rules and the catalogs (about
130 ms) and migrates a fresh database (about 40 ms); the suite creates about 900 apps. Here
each folder is read once per process (again if one of its files changed), and a fresh SQLite
file starts as a copy of one database migrated once per process. `create_app` itself still
loads and migrates: only what is the same for every test is shared.
"""

from __future__ import annotations

import atexit
import random
import shutil
import sqlite3
import tempfile
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

from bot.app import App, Resources, create_app
from bot.content.answers import load_answer_rules
from bot.content.loader import load_content
from bot.content.model import Content
from bot.content.quizzes import QuizBanks, load_quizzes
from bot.core.clock import Clock
from bot.core.i18n import I18n
from bot.core.interpret import Interpreter
from bot.core.sending import Sender
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.migrations import migrate
from tests import pg_snapshots

Signature = tuple[tuple[str, int, int], ...]
AppFactory = Callable[[], Awaitable[App]]  # the `make_app` fixture: a second call is a restart

_WORKDIR = Path(tempfile.mkdtemp(prefix="bot-tests-"))
atexit.register(shutil.rmtree, _WORKDIR, True)
_CONTENT: dict[tuple[Path, Signature], tuple[Content, Interpreter]] = {}
_QUIZZES: dict[tuple[Path, Signature], QuizBanks] = {}
_I18N: list[I18n] = []
_SNAPSHOTS: dict[str, Path] = {}
_TEMPLATE: list[Path] = []
MIGRATED_AT = "2026-11-30T01:00:00+00:00"  # the `clock` fixture's time


def signature(folder: Path) -> Signature:
    """Each file under the folder with its modification time and size."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            stat = path.stat()
            found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(found)


def resources(settings: Settings) -> Resources:
    """The settings' content, quiz banks, answer rules and catalogs, loaded once per process.

    The quiz banks are a copy for each app: a test may take a question out of its own."""
    content_key = (settings.content_dir, signature(settings.content_dir))
    if content_key not in _CONTENT:
        rules = load_answer_rules(settings.content_dir / "answers.yaml")
        _CONTENT[content_key] = (load_content(settings.content_dir), Interpreter(rules))
    quiz_key = (settings.quiz_dir, signature(settings.quiz_dir))
    if quiz_key not in _QUIZZES:
        _QUIZZES[quiz_key] = load_quizzes(settings.quiz_dir)
    if not _I18N:
        _I18N.append(I18n())
    content, interpreter = _CONTENT[content_key]
    banks = _QUIZZES[quiz_key]
    return Resources(
        content, QuizBanks(dict(banks.banks), dict(banks.files)), interpreter, _I18N[0]
    )


def is_sqlite_file(db_path: str) -> bool:
    return db_path != ":memory:" and "://" not in db_path


async def migrated_template() -> Path:
    """A database migrated once per process."""
    if not _TEMPLATE:
        path = _WORKDIR / "migrated.sqlite3"
        db = await Database.open(path)
        await migrate(db, MIGRATED_AT)
        await db.close()  # the last connection to close folds the WAL into the file
        _TEMPLATE.append(path)
    return _TEMPLATE[0]


def copy_if_missing(source: Path, db_path: str) -> None:
    target = Path(db_path)
    if is_sqlite_file(db_path) and not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


async def open_app(
    settings: Settings,
    *,
    clock: Clock,
    rng: random.Random | None = None,
    senders: Mapping[str, Sender] | None = None,
) -> App:
    """`create_app` with the shared resources, on a copy of the migrated database when the
    settings' SQLite file does not exist yet."""
    copy_if_missing(await migrated_template(), settings.db_path)
    return await create_app(
        settings, clock=clock, rng=rng, senders=senders, resources=resources(settings)
    )


async def built_once(
    name: str,
    settings: Settings,
    make_app: AppFactory,
    build: Callable[[App], Awaitable[object]],
) -> App:
    """An app whose database `build` filled: built by the first test that asks for `name`,
    copied for the others (the database only: the clock and the senders are the test's).
    On PostgreSQL the schema's rows are copied (tests/pg_snapshots.py)."""
    if settings.database_url:
        if await pg_snapshots.restore(name, settings.database_url, MIGRATED_AT):
            return await make_app()
        app = await make_app()
        await build(app)
        await pg_snapshots.save(name, settings.database_url)
        return app
    if restore_snapshot(name, settings):
        return await make_app()
    app = await make_app()
    await build(app)
    save_snapshot(name, app)
    return app


def save_snapshot(name: str, app: App) -> None:
    """Keeps a copy of the app's database under `name`, for `restore_snapshot`."""
    path = _WORKDIR / f"snapshot-{name}.sqlite3"
    source, copy = sqlite3.connect(app.deps.db.path), sqlite3.connect(path)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    _SNAPSHOTS[name] = path


def restore_snapshot(name: str, settings: Settings) -> bool:
    """Puts the database saved under `name` where the settings' database will be opened;
    False when nothing was saved under that name yet in this process."""
    saved = _SNAPSHOTS.get(name)
    if saved is None or not is_sqlite_file(settings.db_path):
        return False
    Path(settings.db_path).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(saved, settings.db_path)
    return True
