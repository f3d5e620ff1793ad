"""Settings: one validated object read from the environment and an optional `.env` file.

The environment wins over `.env`. Secrets (bot tokens) are never printed: `describe()` masks
them. A missing or placeholder value stops start-up with a message that says what to set.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from bot.settings_photos import photo_settings

PROJECT_DIR = Path(__file__).resolve().parent.parent
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_ADDRESS = re.compile(r"^(shell|telegram|zalo):[^\s,]+$")
_BOT_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{4,31}$")
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_TELEGRAM_API = "https://api.telegram.org/bot"
_PLACEHOLDERS = ("changeme", "change-me", "your", "xxx", "todo", "token-here", "<", "...")


class SettingsError(ValueError):
    """One or more settings are wrong; the message lists each with what to do."""


@dataclass(frozen=True)
class Settings:
    db_path: str = "data/bot.sqlite3"
    # PostgreSQL instead of the SQLite file: postgresql://user:password@host:5432/dbname
    database_url: str | None = field(default=None, repr=False)
    content_dir: Path = PROJECT_DIR / "content"
    quiz_dir: Path = PROJECT_DIR / "quizzes"
    admins: frozenset[str] = field(default_factory=frozenset)
    default_tip_time: str = "07:00"
    invite_ttl_hours: int = 72
    telegram_token: str | None = field(default=None, repr=False)
    zalo_token: str | None = field(default=None, repr=False)
    log_level: str = "INFO"
    telegram_api_base_url: str = _TELEGRAM_API
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = field(default=None, repr=False)
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    zalo_api_base_url: str = "https://bot-api.zaloplatforms.com"
    zalo_webhook_url: str | None = None
    zalo_webhook_secret: str | None = field(default=None, repr=False)
    zalo_send_rate: float = 20.0
    zalo_photo_hosts: tuple[str, ...] = ("zdn.vn", "zadn.vn", "zalo.me", "zaloapp.com")
    public_base_url: str | None = None
    telegram_bot_username: str | None = None  # for class join links t.me/<bot>?start=CODE
    reports_per_day: int = 5  # market reports one person may send in a (local) day
    report_photo_max_bytes: int = 8 * 1024 * 1024  # a report photo above this is refused
    photo_store: str = "auto"  # folder, database; auto: database with DATABASE_URL, else folder
    photo_folder: Path | None = None  # BOT_PHOTO_DIR; None: photos/ next to the SQLite file

    @property
    def database(self) -> str:
        """Which database, fit for a log line: the SQLite file or the server (no password)."""
        return safe_url(self.database_url) if self.database_url else self.db_path

    @property
    def photo_dir(self) -> Path:
        """The folder of report photos: BOT_PHOTO_DIR, or `photos/` next to the database file."""
        return self.photo_folder or Path(self.db_path).parent / "photos"

    @property
    def photos_in_database(self) -> bool:
        """Report photos go to the `photos` table (BOT_PHOTO_STORE; auto: with DATABASE_URL)."""
        return {"database": True, "folder": False}.get(self.photo_store, bool(self.database_url))

    @property
    def telegram_file_base_url(self) -> str:
        """Where files are downloaded: `.../bot` becomes `.../file/bot` (Bot API convention)."""
        head, _, tail = self.telegram_api_base_url.rpartition("/bot")
        return f"{head}/file/bot{tail}"

    def describe(self) -> dict[str, str]:
        """Settings as safe to log: secrets are masked."""
        return {
            "db_path": self.db_path,
            "database_url": safe_url(self.database_url) if self.database_url else "(SQLite)",
            "content_dir": str(self.content_dir),
            "quiz_dir": str(self.quiz_dir),
            "admins": ", ".join(sorted(self.admins)) or "(none)",
            "default_tip_time": self.default_tip_time,
            "invite_ttl_hours": str(self.invite_ttl_hours),
            "reports_per_day": str(self.reports_per_day),
            "photo_store": "database" if self.photos_in_database else f"folder {self.photo_dir}",
            "telegram_token": "set" if self.telegram_token else "not set",
            "zalo_token": "set" if self.zalo_token else "not set",
            "telegram_api_base_url": self.telegram_api_base_url,
            "telegram_webhook_url": self.telegram_webhook_url or "(polling)",
            "telegram_webhook_secret": "set" if self.telegram_webhook_secret else "not set",
            "http": f"{self.http_host}:{self.http_port}",
            "zalo_api_base_url": self.zalo_api_base_url,
            "zalo_webhook_url": self.zalo_webhook_url or "(polling)",
            "zalo_webhook_secret": "set" if self.zalo_webhook_secret else "not set",
            "public_base_url": self.public_base_url or "(not set: no photos on Zalo)",
        }


def safe_url(url: str) -> str:
    """A database URL without its password, fit for a log line or a message."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname or ''}" + (
        f":{parts.port}" if parts.port else ""
    )
    return urlunsplit(parts._replace(netloc=netloc))


def read_dotenv(path: Path) -> dict[str, str]:
    """Reads KEY=VALUE lines; '#' comments and blank lines are skipped, quotes stripped."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


def load_settings(environ: Mapping[str, str] | None = None, dotenv: Path | None = None) -> Settings:
    env = {**read_dotenv(dotenv or Path(".env")), **(os.environ if environ is None else environ)}
    errors: list[str] = []

    def text(name: str, default: str) -> str:
        return env.get(name, "").strip() or default

    tip_time = text("BOT_DEFAULT_TIP_TIME", "07:00")
    if not _TIME.match(tip_time):
        errors.append(f"BOT_DEFAULT_TIP_TIME={tip_time!r}: use HH:MM, 24-hour (e.g. 07:00)")
    ttl_text = text("BOT_INVITE_TTL_HOURS", "72")
    ttl = int(ttl_text) if re.fullmatch(r"[0-9]{1,4}", ttl_text) else 0
    if not 1 <= ttl <= 24 * 30:
        errors.append(f"BOT_INVITE_TTL_HOURS={ttl_text!r}: use a whole number of hours, 1-720")
    per_day_text = text("BOT_REPORTS_PER_DAY", "5")
    per_day = int(per_day_text) if re.fullmatch(r"[0-9]{1,3}", per_day_text) else 0
    if not 1 <= per_day <= 100:
        errors.append(f"BOT_REPORTS_PER_DAY={per_day_text!r}: market reports a day, 1-100")
    admins = frozenset(a.strip() for a in text("BOT_ADMINS", "").split(",") if a.strip())
    for admin in sorted(admins):
        if not _ADDRESS.match(admin):
            errors.append(
                f"BOT_ADMINS: {admin!r} is not channel:user_id (e.g. telegram:12345, shell:alice)"
            )
    tokens = {name: _secret(env, name, errors) for name in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN")}
    content_dir = Path(text("BOT_CONTENT_DIR", str(PROJECT_DIR / "content")))
    if not content_dir.is_dir():
        errors.append(f"BOT_CONTENT_DIR={str(content_dir)!r}: no such folder")
    quiz_dir = Path(text("BOT_QUIZ_DIR", str(PROJECT_DIR / "quizzes")))
    if not quiz_dir.is_dir():
        errors.append(f"BOT_QUIZ_DIR={str(quiz_dir)!r}: no such folder")
    level = text("LOG_LEVEL", "INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        errors.append(f"LOG_LEVEL={level!r}: use DEBUG, INFO, WARNING or ERROR")
    telegram = _telegram_settings(env, errors)
    zalo = _zalo_settings(env, errors)
    bot_username = text("TELEGRAM_BOT_USERNAME", "").removeprefix("@") or None
    if bot_username is not None and not _BOT_USERNAME.match(bot_username):
        errors.append(
            f"TELEGRAM_BOT_USERNAME={bot_username!r}: the bot's username without @, "
            "5-32 letters, digits or _ (e.g. LangSonNhuaBot)"
        )
    database_url = text("DATABASE_URL", "") or None
    if database_url is not None and not re.match(r"^postgres(ql)?://\S+$", database_url):
        errors.append(
            "DATABASE_URL: use postgresql://user:password@host:5432/dbname (or leave it unset "
            "for the SQLite file BOT_DB_PATH)"
        )
    photos = photo_settings(env, errors)
    if errors:
        raise SettingsError("Settings need fixing:\n  - " + "\n  - ".join(errors))
    return Settings(
        db_path=text("BOT_DB_PATH", "data/bot.sqlite3"),
        database_url=database_url,
        content_dir=content_dir,
        quiz_dir=quiz_dir,
        admins=admins,
        default_tip_time=tip_time,
        invite_ttl_hours=ttl,
        telegram_token=tokens["TELEGRAM_BOT_TOKEN"],
        zalo_token=tokens["ZALO_BOT_TOKEN"],
        log_level=level,
        telegram_bot_username=bot_username,
        reports_per_day=per_day,
        **photos,
        **telegram,
        **zalo,
    )


def _zalo_settings(env: Mapping[str, str], errors: list[str]) -> dict[str, Any]:
    """ZALO_API_BASE_URL, ZALO_WEBHOOK_URL/_SECRET, ZALO_SEND_RATE, ZALO_PHOTO_HOSTS,
    PUBLIC_BASE_URL (where the bot serves the images Zalo can only take by URL)."""
    base = env.get("ZALO_API_BASE_URL", "").strip() or "https://bot-api.zaloplatforms.com"
    if not re.match(r"^https?://[^\s/]+(/\S*)?$", base):
        errors.append(f"ZALO_API_BASE_URL={base!r}: use an http(s) URL")
    webhook = env.get("ZALO_WEBHOOK_URL", "").strip() or None
    secret = env.get("ZALO_WEBHOOK_SECRET", "").strip() or None
    if webhook is not None and not webhook.startswith("https://"):
        errors.append(f"ZALO_WEBHOOK_URL={webhook!r}: Zalo calls webhooks over HTTPS only")
    if webhook is not None and (secret is None or not 8 <= len(secret) <= 256):
        errors.append(
            "ZALO_WEBHOOK_SECRET is required with ZALO_WEBHOOK_URL: 8-256 characters "
            "(e.g. the output of `openssl rand -hex 32`)"
        )
    rate_text = env.get("ZALO_SEND_RATE", "").strip() or "20"
    try:
        rate = float(rate_text)
    except ValueError:
        rate = 0.0
    if not 0 < rate <= 100:
        errors.append(f"ZALO_SEND_RATE={rate_text!r}: messages per second, above 0 and at most 100")
    hosts_text = env.get("ZALO_PHOTO_HOSTS", "").strip()
    found = tuple(h.strip().lower() for h in hosts_text.split(",") if h.strip())
    hosts = found or Settings.zalo_photo_hosts
    for host in hosts:
        if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", host):
            errors.append(
                f"ZALO_PHOTO_HOSTS: {host!r} is not a host name with a dot (e.g. zdn.vn); "
                "a bare suffix such as 'vn' would allow every site under it"
            )
    public = env.get("PUBLIC_BASE_URL", "").strip().rstrip("/") or None
    if public is not None and not re.match(r"^https?://[^\s/]+(/\S*)?$", public):
        errors.append(f"PUBLIC_BASE_URL={public!r}: use the bot's public http(s) address")
    return {
        "zalo_api_base_url": base,
        "zalo_webhook_url": webhook,
        "zalo_webhook_secret": secret,
        "zalo_send_rate": rate,
        "zalo_photo_hosts": hosts,
        "public_base_url": public,
    }


def _telegram_settings(env: Mapping[str, str], errors: list[str]) -> dict[str, Any]:
    """TELEGRAM_API_BASE_URL, TELEGRAM_WEBHOOK_URL/_SECRET, BOT_HTTP_HOST and PORT."""
    base = env.get("TELEGRAM_API_BASE_URL", "").strip() or _TELEGRAM_API
    if not re.match(r"^https?://[^\s/]+(/\S*)?/bot$", base):
        errors.append(
            f"TELEGRAM_API_BASE_URL={base!r}: use an http(s) URL ending in /bot, e.g. "
            f"{_TELEGRAM_API} or http://127.0.0.1:8081/bot for a local Bot API server"
        )
    webhook = env.get("TELEGRAM_WEBHOOK_URL", "").strip() or None
    secret = env.get("TELEGRAM_WEBHOOK_SECRET", "").strip() or None
    if webhook is not None:
        official = base == _TELEGRAM_API
        if not re.match(r"^https://[^\s/]+(/\S*)?$" if official else r"^https?://\S+$", webhook):
            errors.append(
                f"TELEGRAM_WEBHOOK_URL={webhook!r}: Telegram calls webhooks over HTTPS only, "
                "e.g. https://bot.example.org/telegram"
            )
        if secret is None:
            errors.append(
                "TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_WEBHOOK_URL: 1-256 characters "
                "of A-Z, a-z, 0-9, _ and - (e.g. the output of `openssl rand -hex 32`)"
            )
    if secret is not None and not _WEBHOOK_SECRET.match(secret):
        errors.append(
            "TELEGRAM_WEBHOOK_SECRET: use 1-256 characters of A-Z, a-z, 0-9, _ and - only"
        )
    host = env.get("BOT_HTTP_HOST", "").strip() or "127.0.0.1"
    port_text = env.get("PORT", "").strip() or "8080"
    port = int(port_text) if port_text.isdigit() else 0
    if not 1 <= port <= 65535:
        errors.append(f"PORT={port_text!r}: use a TCP port number, 1-65535")
    return {
        "telegram_api_base_url": base,
        "telegram_webhook_url": webhook,
        "telegram_webhook_secret": secret,
        "http_host": host,
        "http_port": port,
    }


def _secret(env: Mapping[str, str], name: str, errors: list[str]) -> str | None:
    value = env.get(name, "").strip()
    if not value:
        return None
    if any(p in value.lower() for p in _PLACEHOLDERS) or ":" not in value:
        errors.append(
            f"{name} looks like a placeholder, not a real token (expected '<bot id>:<secret>'):"
            " set the token the platform gave you, or leave it unset to use the terminal shell"
        )
        return None
    return value
