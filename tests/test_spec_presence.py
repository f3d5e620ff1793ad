"""In CI the Telegram spec tests must run: a missing spec fails them instead of skipping."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import telegram_spec
from tests.telegram_harness import the_spec


def test_a_missing_spec_fails_in_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TELEGRAM_SPEC_PATH", str(tmp_path / "missing.json"))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="spec not found"):
        the_spec()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="spec not found"):
        the_spec()


def test_a_missing_shared_folder_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without TELEGRAM_SPEC_PATH the spec is read from ../shared next to the repository."""
    repository = Path(__file__).resolve().parent.parent
    assert (
        repository.parent / "shared" / "specs" / "telegram-bot-api-10.0.json"
        == telegram_spec.DEFAULT_SPEC
    )
    monkeypatch.delenv("TELEGRAM_SPEC_PATH", raising=False)
    monkeypatch.setattr(telegram_spec, "DEFAULT_SPEC", tmp_path / "shared" / "specs" / "x.json")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"spec not found at .*shared"):
        the_spec()
