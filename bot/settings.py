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

PROJECT_DIR = Path(__file__).resolve().parent.parent
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_ADDRESS = re.compile(r"^(shell|telegram|zalo):[^\s,]+$")
_PLACEHOLDERS = ("changeme", "change-me", "your", "xxx", "todo", "token-here", "<", "...")


class SettingsError(ValueError):
    """One or more settings are wrong; the message lists each with what to do."""


@dataclass(frozen=True)
class Settings:
    db_path: str = "data/bot.sqlite3"
    content_dir: Path = PROJECT_DIR / "content"
    admins: frozenset[str] = field(default_factory=frozenset)
    default_tip_time: str = "07:00"
    invite_ttl_hours: int = 72
    telegram_token: str | None = None
    zalo_token: str | None = None
    log_level: str = "INFO"

    def describe(self) -> dict[str, str]:
        """Settings as safe to log: secrets are masked."""
        return {
            "db_path": self.db_path,
            "content_dir": str(self.content_dir),
            "admins": ", ".join(sorted(self.admins)) or "(none)",
            "default_tip_time": self.default_tip_time,
            "invite_ttl_hours": str(self.invite_ttl_hours),
            "telegram_token": "set" if self.telegram_token else "not set",
            "zalo_token": "set" if self.zalo_token else "not set",
        }


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
    ttl = int(ttl_text) if ttl_text.isdigit() else 0
    if not 1 <= ttl <= 24 * 30:
        errors.append(f"BOT_INVITE_TTL_HOURS={ttl_text!r}: use a whole number of hours, 1-720")
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
    level = text("LOG_LEVEL", "INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        errors.append(f"LOG_LEVEL={level!r}: use DEBUG, INFO, WARNING or ERROR")
    if errors:
        raise SettingsError("Settings need fixing:\n  - " + "\n  - ".join(errors))
    return Settings(
        db_path=text("BOT_DB_PATH", "data/bot.sqlite3"),
        content_dir=content_dir,
        admins=admins,
        default_tip_time=tip_time,
        invite_ttl_hours=ttl,
        telegram_token=tokens["TELEGRAM_BOT_TOKEN"],
        zalo_token=tokens["ZALO_BOT_TOKEN"],
        log_level=level,
    )


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
