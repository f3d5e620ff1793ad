"""`python -m tests.forked_bot`: a bot interpreter with its imports done, that forks lives.

Importing the bot takes about 2 s on the shared machine (matplotlib, openpyxl, python-docx,
python-telegram-bot); the kill tests start a process more than twenty times. This parent
imports once, then for each line on stdin (a JSON object of environment variables) forks a
child that runs exactly `python -m bot run` (`bot.cli.main(["run"])`) with them. It writes
the child's pid on stdout, waits for it, then writes its exit code (negative: the signal that
killed it). The child is a real process: the tests signal it by its pid.

What the bot reads from files at start-up (content, quiz banks, answer rules, catalogs: about
0.15 s a life, `bot.app.load_resources`) is read once here too, like the imports; a child
gets its own copy of it with the fork. The last life of each kill test, a plain
`python -m bot run`, reads them itself. Then the parent's heap is frozen out of the garbage
collector's passes, so the full pass a child makes at start-up (`bot.runner.settle_heap`)
walks only what the child made (50-70 ms a life otherwise).
"""

from __future__ import annotations

import gc
import json
import os
import sys

import bot.app
import bot.channels.telegram
import bot.cli
import bot.runner
from bot.app import Resources
from bot.settings import Settings

_load_resources = bot.app.load_resources
_DEFAULTS = Settings()


def preload() -> None:
    """Children get the default folders' resources loaded here (other folders: their own)."""
    loaded = _load_resources(_DEFAULTS)

    def load_resources(settings: Settings) -> Resources:
        same = (settings.content_dir, settings.quiz_dir) == (
            _DEFAULTS.content_dir,
            _DEFAULTS.quiz_dir,
        )
        return loaded if same else _load_resources(settings)

    bot.app.load_resources = load_resources
    gc.collect()
    gc.freeze()


def run_child(env: dict[str, str]) -> None:
    os.environ.update(env)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # stdout is the parent's channel to the test: the child writes to stderr
    try:
        code = bot.cli.main(["run"])
    except BaseException:
        code = 70
    os._exit(code)


def main() -> None:
    assert bot.app and bot.channels.telegram and bot.runner  # imported for the children
    preload()
    for line in sys.stdin:
        if not line.strip():
            continue
        env = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            run_child(env)
        print(pid, flush=True)
        _, status = os.waitpid(pid, 0)
        print(os.waitstatus_to_exitcode(status), flush=True)


if __name__ == "__main__":
    main()
