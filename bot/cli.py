"""Command line: `bot run`, `bot shell`, `bot migrate`, `bot check-content`,
`bot copy-to postgresql://...`, `bot photos-to-db`,
`bot import-schools FILE`, `bot export --year 2026 --out FILE.xlsx`,
`bot annual-report --year 2026 --out DIR`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from dataclasses import replace
from pathlib import Path

from bot import early_signals
from bot.app import create_app
from bot.content.checks import content_problems
from bot.content.loader import ContentError, load_content
from bot.content.quizzes import QUIZ_LEVELS, load_quizzes
from bot.core.clock import OffsetClock, SystemClock, iso, local_date
from bot.settings import Settings, SettingsError, load_settings

log = logging.getLogger("bot")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bot", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    for name, text in (
        ("run", "run the bot: Telegram/Zalo when tokens are set, else the terminal shell"),
        ("shell", "talk to the bot in this terminal (or from a pipe)"),
        ("migrate", "create or upgrade the database"),
        ("check-content", "validate content/*.yaml and quizzes/*.yaml, and exit"),
    ):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument(
            "--db", help="SQLite database file (default: BOT_DB_PATH or data/bot.sqlite3)"
        )
        cmd.add_argument("--out", default="out", help="folder for files the bot sends (shell)")
    schools_cmd = sub.add_parser(
        "import-schools",
        help="add or update schools from a CSV file (see bot.domain.schools.importing)",
    )
    schools_cmd.add_argument("file", help="CSV file: name, level, commune, grade_1..12, students")
    schools_cmd.add_argument(
        "--db", help="SQLite database file (default: BOT_DB_PATH or data/bot.sqlite3)"
    )
    markets_cmd = sub.add_parser(
        "import-markets", help="add or update markets from a CSV file (see bot/market_import.py)"
    )
    markets_cmd.add_argument("file", help="CSV file: name, commune, kind, model_point")
    markets_cmd.add_argument(
        "--db", help="SQLite database file (default: BOT_DB_PATH or data/bot.sqlite3)"
    )
    export_cmd = sub.add_parser("export", help="the province's figures as an Excel workbook")
    export_cmd.add_argument("--year", type=int, required=True, help="calendar year, e.g. 2026")
    export_cmd.add_argument("--out", required=True, help="the .xlsx file to write")
    report_cmd = sub.add_parser(
        "annual-report", help="the yearly report: a workbook and a DOCX draft, in a folder"
    )
    report_cmd.add_argument("--year", type=int, required=True, help="calendar year, e.g. 2026")
    report_cmd.add_argument("--out", required=True, help="the folder to write both files in")
    for cmd in (export_cmd, report_cmd):
        cmd.add_argument(
            "--db", help="SQLite database file (default: BOT_DB_PATH or data/bot.sqlite3)"
        )
    copy_cmd = sub.add_parser(
        "copy-to", help="copy the SQLite database into an empty PostgreSQL (bot/storage/copy.py)"
    )
    copy_cmd.add_argument("url", help="the target, postgresql://user:password@host:5432/dbname")
    copy_cmd.add_argument(
        "--db", help="SQLite database file (default: BOT_DB_PATH or data/bot.sqlite3)"
    )
    photos_cmd = sub.add_parser(
        "photos-to-db",
        help="move the report photos of the folder (BOT_PHOTO_DIR) into the database "
        "(DATABASE_URL, or the SQLite file): see bot/storage/photo_moves.py",
    )
    photos_cmd.add_argument(
        "--db", help="SQLite database file (default: BOT_DB_PATH or data/bot.sqlite3)"
    )
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["run", *(argv or [])])
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.db:
        settings = replace(settings, db_path=args.db)
    quiet = args.command in ("run", "shell") and not (
        settings.telegram_token or settings.zalo_token
    )
    logging.basicConfig(
        level="WARNING" if quiet and settings.log_level == "INFO" else settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        if not (args.command == "run" and (settings.telegram_token or settings.zalo_token)):
            early_signals.release()  # only `bot run` on a platform hands a stop to its loop
        return asyncio.run(_dispatch(args, settings))
    except ContentError as exc:
        print(f"Content error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "check-content":
        content = load_content(settings.content_dir)
        print(
            f"content OK: {len(content.communes)} communes, {len(content.tips)} tips, "
            f"{len(content.plan.tasks)} plan tasks"
        )
        quizzes = load_quizzes(settings.quiz_dir)
        sizes = ", ".join(f"{lv} {len(quizzes.bank(lv))}" for lv in QUIZ_LEVELS if quizzes.bank(lv))
        print(f"quizzes OK: {quizzes.size} questions ({sizes or 'no banks'})")
        problems = content_problems(content, quizzes, local_date(SystemClock().now()))
        for problem in problems:
            print(f"Content problem: {problem}", file=sys.stderr)
        return 1 if problems else 0
    if args.command == "migrate":
        app = await create_app(settings)
        await app.close()
        print(f"database ready: {settings.database}")
        return 0
    if args.command == "copy-to":
        return await _copy_to(settings, args.url)
    if args.command == "photos-to-db":
        return await _photos_to_db(settings)
    if args.command == "import-schools":
        from bot.domain.schools.importing import import_file

        app = await create_app(settings)
        try:
            communes, now = app.deps.content.communes, iso(app.deps.clock.now())
            return await import_file(app.deps.db, communes, Path(args.file), now, sys.stderr)
        finally:
            await app.close()
    if args.command == "import-markets":
        from bot.market_import import import_file as import_markets

        app = await create_app(settings)
        try:
            now = iso(app.deps.clock.now())
            return await import_markets(
                app.deps.db, app.deps.content, Path(args.file), now, sys.stderr
            )
        finally:
            await app.close()
    if args.command in ("export", "annual-report"):
        from bot.officer_files import write_files

        app = await create_app(settings)
        try:
            written = await write_files(app.deps, args.year, Path(args.out), args.command)
        finally:
            await app.close()
        for path in written:
            print(f"written: {path}")
        return 0
    if args.command == "run" and (settings.telegram_token or settings.zalo_token):
        from bot.runner import serve

        return await serve(settings, settle=True)
    return await _shell(settings, Path(args.out))


async def _copy_to(settings: Settings, url: str) -> int:
    from bot.storage.copy import CopyError, copy_database
    from bot.storage.db import Database
    from bot.storage.migrations import migrate
    from bot.storage.postgres import PgDatabase

    if not url.startswith(("postgresql://", "postgres://")):
        print(f"copy-to: {url!r} is not a postgresql:// URL", file=sys.stderr)
        return 2
    now = iso(SystemClock().now())
    source = await Database.open(settings.db_path)
    try:
        target = await PgDatabase.connect(url)
    except BaseException:
        await source.close()
        raise
    try:
        await migrate(source, now)
        await migrate(target, now)
        print(f"copying {settings.db_path} into {target.path}")
        copied = await copy_database(source, target, print)
    except CopyError as exc:
        print(f"copy-to: {exc}", file=sys.stderr)
        return 1
    finally:
        await target.close()
        await source.close()
    total = sum(c.rows for c in copied)
    print(f"copied {total:,} rows in {len(copied)} tables; every table's count matches")
    if any(settings.photo_dir.glob("*.jpg")):
        print(
            f"report photos are in the folder {settings.photo_dir}, not copied: with "
            "DATABASE_URL set to the target, run `python -m bot photos-to-db` to move them"
        )
    return 0


async def _photos_to_db(settings: Settings) -> int:
    from bot.storage.db import open_database
    from bot.storage.migrations import migrate
    from bot.storage.photo_moves import folder_to_database
    from bot.storage.photo_stores import FolderPhotos

    folder = FolderPhotos(settings.photo_dir, settings.report_photo_max_bytes)
    db = await open_database(settings)
    try:
        await migrate(db, iso(SystemClock().now()))
        print(f"moving the photos of {settings.photo_dir} into {settings.database}")
        moved = await folder_to_database(db, folder, print)
    finally:
        await db.close()
    print(f"photos moved: {moved.moved:,}")
    for name in moved.damaged:
        print(f"left in the folder, its bytes do not match its name: {name}.jpg", file=sys.stderr)
    if not settings.photos_in_database:
        print("BOT_PHOTO_STORE is folder: new photos still go to the folder", file=sys.stderr)
    return 1 if moved.damaged else 0


async def _shell(settings: Settings, out_dir: Path) -> int:
    from bot.channels.shell import ShellChannel

    clock = OffsetClock()
    app = await create_app(settings, clock=clock)
    try:
        await ShellChannel(app, clock, out_dir).run()
    finally:
        await app.close()
    return 0
