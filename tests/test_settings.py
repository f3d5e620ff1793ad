"""Settings from the environment and an optional .env file, validated, secrets never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import PROJECT_DIR, Settings, SettingsError, load_settings

TOKEN = "123456789:AAHk-real-looking-Secret_0123456789"


def load(tmp_path: Path, env: dict[str, str] | None = None, dotenv: str | None = None) -> Settings:
    path = tmp_path / ".env"
    if dotenv is not None:
        path.write_text(dotenv, encoding="utf-8")
    return load_settings(environ=env or {}, dotenv=path)


def error(tmp_path: Path, env: dict[str, str]) -> str:
    with pytest.raises(SettingsError) as raised:
        load(tmp_path, env)
    return str(raised.value)


def test_defaults(tmp_path: Path) -> None:
    settings = load(tmp_path)
    assert settings == Settings()
    assert settings.db_path == "data/bot.sqlite3"
    assert settings.content_dir == PROJECT_DIR / "content"
    assert settings.admins == frozenset()
    assert (settings.default_tip_time, settings.invite_ttl_hours) == ("07:00", 72)
    assert (settings.telegram_token, settings.zalo_token) == (None, None)
    assert settings.log_level == "INFO"


def test_dotenv_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    dotenv = "\n".join(
        [
            "# a comment, then a blank line",
            "",
            "BOT_DEFAULT_TIP_TIME=06:30",
            "export BOT_ADMINS='shell:admin, telegram:12345'",
            'BOT_DB_PATH="from-dotenv.sqlite3"',
            "BOT_INVITE_TTL_HOURS=48",
            "not a setting line",
        ]
    )
    settings = load(tmp_path, {"BOT_DEFAULT_TIP_TIME": "18:00", "LOG_LEVEL": "debug"}, dotenv)
    assert settings.default_tip_time == "18:00"  # the environment wins over .env
    assert settings.admins == frozenset({"shell:admin", "telegram:12345"})
    assert settings.db_path == "from-dotenv.sqlite3"
    assert settings.invite_ttl_hours == 48
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize("value", ["25:00", "7:00", "07:60", "seven", "07:00 pm"])
def test_a_bad_default_tip_time_is_named(tmp_path: Path, value: str) -> None:
    message = error(tmp_path, {"BOT_DEFAULT_TIP_TIME": value})
    assert "BOT_DEFAULT_TIP_TIME" in message and "HH:MM" in message


@pytest.mark.parametrize(
    "value",
    ["0", "721", "-5", "1.5", "abc", "²"],
    ids=["0", "721", "negative", "fraction", "abc", "superscript-2"],
)
def test_a_bad_invite_ttl_is_named(tmp_path: Path, value: str) -> None:
    message = error(tmp_path, {"BOT_INVITE_TTL_HOURS": value})
    assert "BOT_INVITE_TTL_HOURS" in message and "1-720" in message


@pytest.mark.parametrize("value", ["alice", "facebook:1", "telegram:", "shell:a b"])
def test_a_bad_admin_is_named(tmp_path: Path, value: str) -> None:
    message = error(tmp_path, {"BOT_ADMINS": f"shell:admin,{value}"})
    assert "BOT_ADMINS" in message and repr(value.strip()) in message
    assert "'shell:admin'" not in message  # the good one is not blamed


@pytest.mark.parametrize("value", ["LOUD", "trace", "10"])
def test_a_bad_log_level_is_named(tmp_path: Path, value: str) -> None:
    message = error(tmp_path, {"LOG_LEVEL": value})
    assert "LOG_LEVEL" in message and "DEBUG, INFO, WARNING or ERROR" in message


def test_a_missing_content_folder_is_named(tmp_path: Path) -> None:
    message = error(tmp_path, {"BOT_CONTENT_DIR": str(tmp_path / "nowhere")})
    assert "BOT_CONTENT_DIR" in message and "no such folder" in message


def test_every_bad_setting_is_listed_at_once(tmp_path: Path) -> None:
    message = error(
        tmp_path,
        {"BOT_DEFAULT_TIP_TIME": "25:00", "BOT_INVITE_TTL_HOURS": "0", "LOG_LEVEL": "LOUD"},
    )
    for name in ("BOT_DEFAULT_TIP_TIME", "BOT_INVITE_TTL_HOURS", "LOG_LEVEL"):
        assert name in message


@pytest.mark.parametrize("name", ["TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN"])
@pytest.mark.parametrize("value", ["changeme", "<your token>", "xxx:yyy", "TODO", "123:..."])
def test_a_placeholder_token_is_refused_without_showing_it(
    tmp_path: Path, name: str, value: str
) -> None:
    message = error(tmp_path, {name: value})
    assert name in message and "placeholder" in message
    assert value not in message


def test_a_placeholder_in_dotenv_is_refused_too(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as raised:
        load(tmp_path, {}, "TELEGRAM_BOT_TOKEN=<your token>\n")
    assert "TELEGRAM_BOT_TOKEN" in str(raised.value)
    assert "<your token>" not in str(raised.value)


def test_describe_never_shows_a_token(tmp_path: Path) -> None:
    settings = load(tmp_path, {"TELEGRAM_BOT_TOKEN": TOKEN, "ZALO_BOT_TOKEN": TOKEN + "z"})
    assert settings.telegram_token == TOKEN and settings.zalo_token == TOKEN + "z"
    described = settings.describe()
    assert (described["telegram_token"], described["zalo_token"]) == ("set", "set")
    assert all("Secret" not in value for value in described.values())
    assert load(tmp_path).describe()["telegram_token"] == "not set"


def test_printing_the_settings_never_shows_a_token(tmp_path: Path) -> None:
    settings = load(tmp_path, {"TELEGRAM_BOT_TOKEN": TOKEN})
    # A settings object ends up in logs, tracebacks and pytest's failure output by repr().
    assert "Secret" not in repr(settings)
    assert "Secret" not in str(settings)


def test_database_url_chooses_postgresql_and_its_password_is_never_shown(tmp_path: Path) -> None:
    assert load(tmp_path).database_url is None  # SQLite stays the default
    url = "postgresql://bot:s3cret-pw@db.example.org:5432/bot"
    settings = load(tmp_path, {"DATABASE_URL": url})
    assert settings.database_url == url
    assert settings.database == "postgresql://bot:***@db.example.org:5432/bot"
    assert "s3cret-pw" not in repr(settings)
    assert "s3cret-pw" not in str(settings.describe())


@pytest.mark.parametrize("value", ["mysql://bot@host/db", "sqlite:///x.db", "postgresql://"])
def test_a_database_url_that_is_not_postgresql_is_named(tmp_path: Path, value: str) -> None:
    assert "DATABASE_URL" in error(tmp_path, {"DATABASE_URL": value})


def test_photos_go_to_a_folder_with_sqlite_and_to_the_database_with_postgresql(
    tmp_path: Path,
) -> None:
    sqlite = load(tmp_path)
    assert (sqlite.photo_store, sqlite.photos_in_database) == ("auto", False)
    assert sqlite.photo_dir == Path("data/photos")  # next to the SQLite file
    pg = load(tmp_path, {"DATABASE_URL": "postgresql://bot@db/bot"})
    assert pg.photos_in_database and pg.describe()["photo_store"] == "database"
    chosen = load(
        tmp_path, {"DATABASE_URL": "postgresql://bot@db/bot", "BOT_PHOTO_STORE": "Folder"}
    )
    assert not chosen.photos_in_database
    shared = tmp_path / "shared"
    described = load(tmp_path, {"BOT_PHOTO_DIR": str(shared)}).describe()
    assert described["photo_store"] == f"folder {shared}"
    assert load(tmp_path, {"BOT_PHOTO_STORE": "database"}).photos_in_database


@pytest.mark.parametrize("value", ["disk", "db", "s3"])
def test_a_bad_photo_store_is_named(tmp_path: Path, value: str) -> None:
    message = error(tmp_path, {"BOT_PHOTO_STORE": value})
    assert "BOT_PHOTO_STORE" in message and "folder or database" in message


def test_a_photo_folder_that_is_a_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "photos").write_text("not a folder")
    message = error(tmp_path, {"BOT_PHOTO_DIR": str(tmp_path / "photos")})
    assert "BOT_PHOTO_DIR" in message and "not a folder" in message
