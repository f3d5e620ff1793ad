"""The terminal shell: the same conversations as Zalo and Telegram, for authors, demos and tests.

It reads lines from a terminal or a pipe (a file of lines is a reproducible demo). Lines
starting with ':' are shell commands; everything else is sent as the current user.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot.app import App
from bot.core.clock import OffsetClock, local, local_naive
from bot.core.messages import Attachment, Capabilities, Incoming, Kind, Location, Reply
from bot.core.render import texts_for

CHANNEL = "shell"
SHELL_HELP = """Shell commands:
  :user NAME [vi|en]   speak as NAME (created on first use; optional language hint)
  :photo PATH          send a photo
  :file PATH           send a file (e.g. a CSV of schools)
  :location LAT LON    send a location
  :time YYYY-MM-DD HH:MM   move the clock (local time); due daily tips are delivered
  :quit                leave
Anything else is sent to the bot as the current user."""


class ShellChannel:
    capabilities = Capabilities(buttons=False, max_text=4096, location=True)

    def __init__(
        self, app: App, clock: OffsetClock, out_dir: Path, output: TextIO = sys.stdout
    ) -> None:
        self.app = app
        self.clock = clock
        self.out_dir = out_dir
        self.output = output
        self.user = "guest"
        self.hints: dict[str, str | None] = {}
        app.senders[CHANNEL] = self

    def write(self, text: str) -> None:
        self.output.write(text + "\n")
        self.output.flush()

    async def send(self, chat_id: str, replies: Sequence[Reply]) -> None:
        """Unsolicited messages (daily tips) are shown with the addressee's name."""
        self.write(f"📬 {chat_id}:")
        self._show(replies)

    def _show(self, replies: Sequence[Reply]) -> None:
        for reply in replies:
            for part in texts_for(reply, self.capabilities):
                self.write("bot> " + part.replace("\n", "\n     "))
            for attachment in (reply.photo, reply.document):
                if attachment is not None:
                    self.write(f"     [file: {self._save(attachment)}]")
            if reply.ask_location:
                self.write("     (you can send :location LAT LON)")

    def _save(self, attachment: Attachment) -> Path:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        stamp = local(self.clock.now()).strftime("%Y%m%d-%H%M%S")
        path = self.out_dir / f"{stamp}-{self.user}-{attachment.filename}"
        path.write_bytes(attachment.data)
        return path

    async def handle_line(self, line: str) -> bool:
        """Handles one input line; False when the shell should stop."""
        stripped = line.strip()
        if stripped.startswith(":"):
            return await self._shell_command(stripped)
        await self._send(
            Incoming.from_text(
                CHANNEL, self.user, line.rstrip("\n"), language_hint=self.hints.get(self.user)
            )
        )
        return True

    async def _shell_command(self, line: str) -> bool:
        name, _, rest = line[1:].partition(" ")
        rest = rest.strip()
        if name == "quit":
            return False
        if name == "user" and rest:
            parts = rest.split()
            self.user = parts[0][:40]
            if len(parts) > 1:
                self.hints[self.user] = parts[1]
            self.write(f"(now speaking as {self.user})")
        elif name in ("photo", "file") and rest:
            await self._attachment(Path(rest), as_photo=name == "photo")
        elif name == "location" and len(rest.split()) == 2:
            await self._location(rest.split())
        elif name == "time" and rest:
            self._move_clock(rest)
        else:
            self.write(SHELL_HELP)
        await self.tick()
        return True

    async def _attachment(self, path: Path, *, as_photo: bool) -> None:
        try:
            data = await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            self.write(f"(cannot read {path}: {exc.strerror})")
            return
        if as_photo:
            photo = Attachment(data, path.name, "image/jpeg")
            incoming = Incoming(CHANNEL, self.user, self.user, Kind.PHOTO, photo=photo)
        else:
            document = Attachment(
                data, path.name, "text/csv" if path.suffix == ".csv" else "application/octet-stream"
            )
            incoming = Incoming(CHANNEL, self.user, self.user, Kind.DOCUMENT, document=document)
        await self._send(incoming)

    async def _location(self, parts: list[str]) -> None:
        try:
            where = Location(float(parts[0]), float(parts[1]))
        except ValueError:
            self.write("(usage: :location LAT LON, e.g. :location 21.85 106.76)")
            return
        await self._send(Incoming(CHANNEL, self.user, self.user, Kind.LOCATION, location=where))

    def _move_clock(self, value: str) -> None:
        try:
            self.clock.set(local_naive(value))
        except ValueError:
            self.write("(usage: :time YYYY-MM-DD HH:MM, e.g. :time 2026-06-05 07:00)")
            return
        self.write(
            f"(clock: {local(self.clock.now()).strftime('%Y-%m-%d %H:%M')} Asia/Ho_Chi_Minh)"
        )

    async def _send(self, incoming: Incoming) -> None:
        self._show(await self.app.engine.handle(incoming))
        await self.tick()

    async def tick(self) -> None:
        """Runs the scheduler once: due daily tips are delivered to shell users."""
        outbox = self.app.outbox
        await outbox.run_jobs()
        await outbox.deliver_due()

    async def run(self, source: TextIO = sys.stdin) -> None:
        interactive = source.isatty()
        await self.app.outbox.recover()
        if interactive:
            self.write("Lạng Sơn anti-plastic bot: terminal shell. Type /start, or :help.")
        while True:
            if interactive:
                self.output.write(f"{self.user}> ")
                self.output.flush()
            line = await asyncio.to_thread(source.readline)
            if not line or not await self.handle_line(line):
                break
