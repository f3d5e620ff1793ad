"""SIGTERM under load, 5 times: nothing acknowledged is lost (see tests/kill_harness.py)."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.kill_harness import KILL_TESTS, run_with_kills

pytestmark = KILL_TESTS


async def test_sigterm_under_load_loses_nothing(tmp_path: Path) -> None:
    await run_with_kills(tmp_path, 5, signal.SIGTERM)
