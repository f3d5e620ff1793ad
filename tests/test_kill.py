"""SIGKILL at random moments under load, 20 times: see tests/kill_harness.py."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.kill_harness import KILL_TESTS, run_with_kills

pytestmark = KILL_TESTS


async def test_sigkill_at_random_moments_loses_no_acknowledged_update(tmp_path: Path) -> None:
    await run_with_kills(tmp_path, 20, signal.SIGKILL)
