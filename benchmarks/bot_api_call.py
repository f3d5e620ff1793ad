"""CPU per Bot API call, through each of the channel's HTTP backends, against a loopback server.

A minimal HTTP/1.1 server in another process answers every POST with a sendMessage answer;
this process makes `--calls` sendMessage calls (16 at a time, a Vietnamese text and a keyboard,
as the sender makes them) and prints the CPU time this process spent per call:

- raw aiohttp: `ClientSession.post` of the JSON body, the answer parsed (the floor aiohttp sets);
- `LeanBot.call` on `AiohttpRequest`: python-telegram-bot's path on aiohttp;
- `LeanBot.call` on `LeanRequest`: the channel's path (httptools, JSON parameters as they are).

`python benchmarks/bot_api_call.py [--calls 4000]`
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from bot.channels.telegram.aiohttp_request import AiohttpRequest, LeanRequest
from bot.channels.telegram.lean import LeanBot

TOKEN = "123456789:AAH-fake-token-for-benchmarks_0123456"
PARAMS = {
    "chat_id": 123456789,
    "text": "Cảm ơn bạn! Câu trả lời đúng là B: túi vải dùng được nhiều lần.",
    "reply_markup": {
        "inline_keyboard": [
            [{"text": "A. Túi ni lông", "callback_data": "qa:1:0:1"}],
            [{"text": "B. Túi vải", "callback_data": "qa:1:0:2"}],
        ]
    },
    "link_preview_options": {"is_disabled": True},
}
SERVER = r"""
import asyncio, sys
BODY = (b'{"ok":true,"result":{"message_id":1,"date":0,"chat":{"id":1,"type":"private"},'
        b'"text":"x"}}')
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (
    len(BODY), BODY)

class Answers(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport, self.buffer = transport, b""

    def data_received(self, data):
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head = self.buffer[:end].lower()
            at = head.find(b"content-length:")
            length = int(head[at + 15:].split(b"\r\n")[0]) if at >= 0 else 0
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length:]
            self.transport.write(ANSWER)

async def main():
    server = await asyncio.get_running_loop().create_server(Answers, "127.0.0.1", int(sys.argv[1]))
    print("ready", flush=True)
    await server.serve_forever()

asyncio.run(main())
"""


async def measure(label: str, call: Callable[[], Awaitable[object]], calls: int) -> None:
    for _ in range(200):  # connections opened, caches warm
        await call()
    left = iter(range(calls))

    async def worker() -> None:
        for _ in left:
            await call()

    cpu = time.process_time()
    await asyncio.gather(*(worker() for _ in range(16)))
    per_call = (time.process_time() - cpu) / calls
    print(f"{label:40s} {per_call * 1e6:7.1f} µs of CPU per call", flush=True)


async def run(port: int, calls: int) -> None:
    base = f"http://127.0.0.1:{port}/bot"
    async with aiohttp.ClientSession() as session:
        url = f"{base}{TOKEN}/sendMessage"
        body = json.dumps(PARAMS, ensure_ascii=False).encode()

        async def raw() -> None:
            headers = {"Content-Type": "application/json"}
            async with session.post(url, data=body, headers=headers) as answer:
                json.loads(await answer.read())

        await measure("raw aiohttp", raw, calls)
    for kind in (AiohttpRequest, LeanRequest):
        request = kind(connections=16)
        bot = LeanBot(TOKEN, base_url=base, request=request, get_updates_request=kind())
        await request.initialize()
        try:

            async def lean(bot: LeanBot = bot) -> None:
                await bot.call("sendMessage", PARAMS)

            await measure(f"LeanBot.call on {kind.__name__}", lean, calls)
        finally:
            await request.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=4000)
    args = parser.parse_args()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        asyncio.run(run(port, args.calls))
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
