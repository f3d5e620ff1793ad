"""`python -m tests.forked_bot`: a bot interpreter with its imports done, that forks lives.

Importing the bot takes about 2 s on the shared machine (matplotlib, openpyxl, python-docx,
python-telegram-bot); the kill tests start a process more than twenty times. This parent
imports once, then for each line on stdin (a JSON object of environment variables) forks a
child that runs exactly `python -m bot run` (`bot.cli.main(["run"])`) with them. It writes
the child's pid on stdout, waits for it, then writes its exit code (negative: the signal that
killed it). The child is a real process: the tests signal it by its pid.
"""

from __future__ import annotations

import json
import os
import sys

import bot.app
import bot.channels.telegram
import bot.cli
import bot.runner


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
