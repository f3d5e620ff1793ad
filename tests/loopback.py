"""Serving an ASGI app on 127.0.0.1 inside a test, without waiting on the clock.

The socket is bound before the server starts, so its port is known at once and early
connections simply wait in the listen backlog until uvicorn accepts them.

uvicorn notices a stop by polling a flag every 0.1 s, and its shutdown sleeps 0.1 s more and
then polls for connections to close: about 0.2 s of wall time for each server a test stops,
some 30 s over the suite. The test servers here (the fake platforms) wait on events instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Generator
from typing import Any

import uvicorn

GRACE = 5.0  # seconds requests in flight may take to finish when the server stops


class _QuickServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.stopping = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        """Signals are the test's (and the runner's under test), not the fake server's."""
        yield

    async def main_loop(self) -> None:
        await self.on_tick(0)  # the default headers (Date) once
        await self.stopping.wait()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Stops accepting, closes idle connections, lets requests in flight finish."""
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        tasks = list(self.server_state.tasks)
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=GRACE)
            for task in late:
                task.cancel()
        await asyncio.sleep(0)  # the closed connections' callbacks run


class LoopbackServer:
    """An ASGI app on a free port of 127.0.0.1: `start()`, then `await stop()`."""

    def __init__(self, app: Any, **config: Any) -> None:
        """`config`: more `uvicorn.Config` arguments (logging)."""
        # IPPROTO_TCP explicitly, so asyncio sets TCP_NODELAY (else ~40 ms per response).
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(1024)
        self.port: int = self.socket.getsockname()[1]
        self._server = _QuickServer(
            uvicorn.Config(app, access_log=False, lifespan="off", timeout_keep_alive=5, **config)
        )
        self._task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve(sockets=[self.socket]))

    async def stop(self) -> None:
        self._server.should_exit = True
        self._server.stopping.set()
        if self._task is not None:
            await self._task
        self.socket.close()


@contextlib.asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    """Runs `app` on a free loopback port; yields its base URL."""
    server = LoopbackServer(app, log_level="warning")
    server.start()
    try:
        yield server.url
    finally:
        await server.stop()
