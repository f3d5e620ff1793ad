"""A stop asked for while the bot is still importing is kept, not fatal.

`bot run` takes a second or more to import and open its database, longer on a loaded
machine, and a supervisor may send SIGTERM at any moment (a deploy, a scale-down, the
failover test's last stop). Python's default action would end the process at once with
-15. So the console script first calls `catch()`, which only records the signal; `bot run`
then hands it to its event loop (`take()`: the stop is honoured as soon as the loop
listens, with exit code 0), and every other command gets the default behaviour back
(`release()`, which delivers a recorded signal again).

Nothing else is imported here: this module runs before the rest of the bot is loaded.
"""

from __future__ import annotations

import signal
from types import FrameType

STOPS = (signal.SIGTERM, signal.SIGINT)
_recorded: list[int] = []
_installed = False


def _record(signum: int, frame: FrameType | None) -> None:
    _recorded.append(signum)


def catch() -> None:
    """Records SIGTERM and SIGINT instead of acting on them, until `take` or `release`."""
    global _installed
    for signum in STOPS:
        signal.signal(signum, _record)
    _installed = True


def take() -> bool:
    """True if a stop was asked for while starting; forgets it (the caller acts on it)."""
    asked = bool(_recorded)
    _recorded.clear()
    return asked


def release() -> None:
    """Gives SIGTERM and SIGINT their default actions back, and delivers a recorded one."""
    global _installed
    if not _installed:
        return
    _installed = False
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if _recorded:
        signum = _recorded[0]
        _recorded.clear()
        signal.raise_signal(signum)


def main() -> int:
    """The `bot` console script and `python -m bot`: catch first, then load the bot."""
    catch()
    from bot.cli import main as cli_main

    return cli_main()
