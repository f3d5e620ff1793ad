"""Telegram and web-server settings: API base URL, webhook URL and secret, host and port."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings

TOKEN = "123456789:AAHk-real-looking-Secret_0123456789"


def load(tmp_path: Path, **env: str) -> Settings:
    return load_settings(environ={"TELEGRAM_BOT_TOKEN": TOKEN, **env}, dotenv=tmp_path / ".env")


def error(tmp_path: Path, **env: str) -> str:
    with pytest.raises(SettingsError) as raised:
        load(tmp_path, **env)
    return str(raised.value)


def test_defaults_poll_telegram_itself(tmp_path: Path) -> None:
    settings = load(tmp_path)
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert settings.telegram_file_base_url == "https://api.telegram.org/file/bot"
    assert settings.telegram_webhook_url is None and settings.telegram_webhook_secret is None
    assert (settings.http_host, settings.http_port) == ("127.0.0.1", 8080)
    assert settings.describe()["telegram_webhook_url"] == "(polling)"


def test_a_local_bot_api_server_and_a_webhook(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        TELEGRAM_API_BASE_URL="http://127.0.0.1:8081/bot",
        TELEGRAM_WEBHOOK_URL="http://bot.internal:8443/telegram",
        TELEGRAM_WEBHOOK_SECRET="a-Secret_123",
        BOT_HTTP_HOST="0.0.0.0",
        PORT="5000",
    )
    assert settings.telegram_file_base_url == "http://127.0.0.1:8081/file/bot"
    assert settings.telegram_webhook_url == "http://bot.internal:8443/telegram"
    assert (settings.http_host, settings.http_port) == ("0.0.0.0", 5000)
    described = settings.describe()
    assert described["telegram_webhook_secret"] == "set"
    assert "a-Secret_123" not in str(described) and TOKEN not in str(described)


def test_a_webhook_needs_a_secret(tmp_path: Path) -> None:
    message = error(tmp_path, TELEGRAM_WEBHOOK_URL="https://bot.example.org/telegram")
    assert "TELEGRAM_WEBHOOK_SECRET is required with TELEGRAM_WEBHOOK_URL" in message


@pytest.mark.parametrize("secret", ["has space", "ü-umlaut", "x" * 257, "semi;colon"])
def test_a_webhook_secret_uses_only_allowed_characters(tmp_path: Path, secret: str) -> None:
    message = error(
        tmp_path, TELEGRAM_WEBHOOK_URL="https://bot.example.org/t", TELEGRAM_WEBHOOK_SECRET=secret
    )
    assert "TELEGRAM_WEBHOOK_SECRET: use 1-256 characters of A-Z, a-z, 0-9, _ and - only" in message
    assert secret not in message


def test_telegram_itself_calls_webhooks_over_https_only(tmp_path: Path) -> None:
    message = error(
        tmp_path, TELEGRAM_WEBHOOK_URL="http://bot.example.org/t", TELEGRAM_WEBHOOK_SECRET="abc"
    )
    assert (
        "TELEGRAM_WEBHOOK_URL='http://bot.example.org/t': Telegram calls webhooks over HTTPS"
        in (message)
    )


@pytest.mark.parametrize(
    "url", ["api.telegram.org/bot", "https://api.telegram.org/", "ftp://x/bot"]
)
def test_a_wrong_api_base_url_is_named(tmp_path: Path, url: str) -> None:
    assert f"TELEGRAM_API_BASE_URL={url!r}: use an http(s) URL ending in /bot" in error(
        tmp_path, TELEGRAM_API_BASE_URL=url
    )


@pytest.mark.parametrize("port", ["0", "65536", "http", "-1"])
def test_a_wrong_port_is_named(tmp_path: Path, port: str) -> None:
    assert f"PORT={port!r}: use a TCP port number, 1-65535" in error(tmp_path, PORT=port)
