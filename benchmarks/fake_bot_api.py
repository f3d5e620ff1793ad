"""A lean fake Telegram Bot API and load generator, in a process of its own, for benchmarks.

tests/fake_telegram.py checks every request against the spec and runs on Starlette: right
for tests, but it capped both bots at ~170 updates/s. This one answers over plain asyncio
streams with pre-built bodies and checks nothing. It serves `/bot<token>/<method>`
(getUpdates long polling, sendMessage and the rest answered `ok`) and, once the bot is ready
(its first getUpdates, or its setWebhook), offers updates at a fixed rate: through getUpdates,
or posted to the bot's webhook over a pool of keep-alive connections.

Each simulated person follows a journey (`JOURNEY`), one update every `gap` seconds; a press
picks a button of the last keyboard the bot sent that person. The latency of an update is from
its offer to the first sendMessage in that chat before the person's next update (so `gap`
must exceed the latencies to be measured; an update with no message in time is unanswered).

Several `--webhook` URLs (several workers): the updates are posted to them round robin, one
update each in turn, among those that answer a GET /healthz within `--listen-within` seconds of
the first bot being ready; the others are reported (`deaf`) and get none. The results give the
number posted to each URL (`posted`).

Run by benchmarks/end_to_end.py and benchmarks/footprint.py:
`python benchmarks/fake_bot_api.py PORT --rate R --seconds T [--gap G] [--webhook URL]...
[--naive] [--drain S]`. It prints `ready <monotonic>` when the bot first polls (or sets its
webhook), `flood <start> <end>` once the updates are offered, and a JSON line of results.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import time
from collections import Counter, defaultdict
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

DATE = 1764900000
BOT = {"id": 123456789, "is_bot": True, "first_name": "Bench", "username": "BenchBot"}
SECRET = "bench_secret"
# (what is sent): "#N" presses the N-th button of the last keyboard; else a text.
JOURNEY = (
    "/start", "#0", "#0", "#0", "dong kinh", "#0", "/tip", "/quiz",
    "#0", "#1", "#2", "cảm ơn", "#0", "#1", "mẹo",
)  # fmt: skip
FIRST_PERSON = 100_000


def response(body: bytes, status: bytes = b"200 OK") -> bytes:
    return (
        b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\nContent-Length: "
        + str(len(body)).encode() + b"\r\n\r\n" + body
    )  # fmt: skip


OK_TRUE = response(b'{"ok":true,"result":true}')
GET_ME = response(json.dumps({"ok": True, "result": BOT}).encode())


@dataclass
class Load:
    rate: float
    seconds: float
    gap: float
    naive: bool
    offered: list[tuple[int, int, float]] = field(default_factory=list)  # (chat, step, time)
    sends: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    keyboards: dict[int, list[str]] = field(default_factory=dict)
    queue: list[bytes] = field(default_factory=list)  # updates not yet confirmed, in order
    first_id: int = 1  # update_id of queue[0]
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    message_id: int = 0
    posted: Counter[str] = field(default_factory=Counter)  # updates taken, per webhook
    calls: Counter[str] = field(default_factory=Counter)  # the bot's calls, per method
    max_connections: int = 40  # what setWebhook asked for (40: the Bot API's default)


def text_update(update_id: int, person: int, body: str) -> bytes:
    message: dict[str, Any] = {
        "message_id": update_id,
        "from": {"id": person, "is_bot": False, "first_name": "Lan", "language_code": "vi"},
        "chat": {"id": person, "type": "private", "first_name": "Lan"},
        "date": DATE,
        "text": body,
    }
    if body.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(body)}]
    return json.dumps({"update_id": update_id, "message": message}).encode()


def press_update(update_id: int, person: int, data: str) -> bytes:
    sender = {"id": person, "is_bot": False, "first_name": "Lan", "language_code": "vi"}
    # The pressed message as Telegram sends it: with its keyboard, which the bot then removes.
    keyboard = {"inline_keyboard": [[{"text": "?", "callback_data": data}]]}
    shown = {"message_id": 1, "date": DATE, "chat": {"id": person, "type": "private"}}
    shown |= {"text": "?", "reply_markup": keyboard}
    query = {
        "id": f"cq{update_id}",
        "from": sender,
        "message": shown,
        "chat_instance": "-7000000000000000001",
        "data": data,
    }
    return json.dumps({"update_id": update_id, "callback_query": query}).encode()


def schedule(load: Load) -> list[tuple[float, int, int]]:
    """(offset in seconds, person, journey step) for every update, in order of offset."""
    total = int(load.rate * load.seconds)
    people = max(1, int(load.rate * load.gap))  # people active at once
    return [
        (n / load.rate, FIRST_PERSON + n % people, (n // people) % len(JOURNEY))
        for n in range(total)
    ]


def build(load: Load, update_id: int, person: int, step: int) -> bytes:
    what = JOURNEY[step]
    if what.startswith("#"):
        offered = load.keyboards.get(person) or ["cmd:help"]
        return press_update(update_id, person, offered[min(int(what[1:]), len(offered) - 1)])
    if load.naive and what != "/start":
        what = "/start"  # the naive bot answers /start and presses only
    return text_update(update_id, person, what)


async def offer(load: Load, post: list[asyncio.Queue[bytes]]) -> tuple[float, float]:
    """Offers every update at its time (to the webhooks' queues in turn, or to getUpdates);
    returns the monotonic start and end."""
    plan = schedule(load)
    start = time.monotonic()
    for update_id, (offset, person, step) in enumerate(plan, start=1):
        delay = start + offset - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        body = build(load, update_id, person, step)
        load.offered.append((person, step, time.monotonic()))
        if not post:
            load.queue.append(body)
            load.arrived.set()
        else:
            post[update_id % len(post)].put_nowait(body)
    return start, time.monotonic()


def form(body: bytes) -> dict[str, str]:
    if body[:1] == b"{":  # a JSON body: objects (a keyboard) as their JSON text, as in a form
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in json.loads(body).items()}
    return dict(parse_qsl(body.decode()))


async def get_updates(load: Load, params: dict[str, str]) -> bytes:
    load.ready.set()
    offset = int(params.get("offset") or 0)
    if offset > load.first_id:  # confirmed: forget them
        del load.queue[: offset - load.first_id]
        load.first_id = offset
    if not load.queue:
        load.arrived.clear()
        timeout = float(params.get("timeout") or 0)
        with suppress(TimeoutError):
            await asyncio.wait_for(load.arrived.wait(), min(timeout, 5.0))
    batch = load.queue[: int(params.get("limit") or 100)]
    return response(b'{"ok":true,"result":[' + b",".join(batch) + b"]}")


def send_message(load: Load, params: dict[str, str]) -> bytes:
    chat = int(params.get("chat_id") or 0)
    load.sends[chat].append(time.monotonic())
    markup = params.get("reply_markup")
    if markup:
        rows = json.loads(markup).get("inline_keyboard") or []
        load.keyboards[chat] = [b["callback_data"] for r in rows for b in r if "callback_data" in b]
    load.message_id += 1
    return response(
        b'{"ok":true,"result":{"message_id":%d,"date":%d,"chat":{"id":%d,"type":"private"},'
        b'"text":"x"}}' % (load.message_id, DATE, chat)
    )


async def api(load: Load, method: str, body: bytes) -> bytes:
    load.calls[method] += 1
    if method == "getUpdates":
        return await get_updates(load, form(body))
    if method in ("sendMessage", "sendPhoto", "sendDocument"):
        return send_message(load, form(body))
    if method == "getMe":
        return GET_ME
    if method == "setWebhook":
        load.max_connections = int(form(body).get("max_connections") or 40)
        load.ready.set()
    return OK_TRUE


async def read_request(reader: asyncio.StreamReader) -> tuple[str, bytes] | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    path = head.split(b" ", 2)[1].decode("latin-1")
    length = content_length(head)
    body = await reader.readexactly(length) if length else b""
    return path, body


async def serve_connection(
    load: Load, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        while (request := await read_request(reader)) is not None:
            path, body = request
            writer.write(await api(load, path.rsplit("/", 1)[-1].split("?")[0], body))
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def poster(url: str, bodies: asyncio.Queue[bytes], posted: Counter[str]) -> None:
    """One keep-alive connection posting updates to the webhook, one at a time; counts the
    updates the webhook took in `posted[url]`."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    head = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"X-Telegram-Bot-Api-Secret-Token: {SECRET}\r\nContent-Length: "
    ).encode()
    reader, writer = await connect(host, port)
    while True:
        body = await bodies.get()
        request = head + str(len(body)).encode() + b"\r\n\r\n" + body
        for _attempt in range(3):  # a connection the server closed: open another, post again
            try:
                writer.write(request)
                answer = await reader.readuntil(b"\r\n\r\n")
                await reader.readexactly(content_length(answer))
                posted[url] += 1
                break
            except (ConnectionError, asyncio.IncompleteReadError):
                writer.close()
                reader, writer = await connect(host, port)


def content_length(head: bytes) -> int:
    for line in head.decode("latin-1").split("\r\n"):
        if line[:15].lower() == "content-length:":
            return int(line[15:])
    return 0


async def listens(url: str, within: float) -> bool:
    """Whether the web server of the webhook `url` answers (GET /healthz) within `within` s."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    until = time.monotonic() + within
    while True:
        with suppress(OSError, asyncio.IncompleteReadError, TimeoutError):
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(f"GET /healthz HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode())
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2)
            writer.close()
            if head.startswith(b"HTTP/"):  # any answer: the naive bot has no /healthz
                return True
        if time.monotonic() > until:
            return False
        await asyncio.sleep(0.1)


async def connect(host: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    for _ in range(200):
        try:
            return await asyncio.open_connection(host, port)
        except OSError:
            await asyncio.sleep(0.05)
    raise SystemExit(f"cannot connect to the webhook at {host}:{port}")


def results(load: Load, start: float, end: float, drained: float) -> dict[str, Any]:
    """Latency per update: its offer to the chat's first message before the next offer."""
    offers: dict[int, list[float]] = defaultdict(list)
    for chat, _step, at in load.offered:
        offers[chat].append(at)
    latencies: list[float] = []
    last_reply = start
    for chat, times in offers.items():
        sends = load.sends.get(chat, [])
        for index, at in enumerate(times):
            until = times[index + 1] if index + 1 < len(times) else drained
            first = next((s for s in sends if at <= s < until), None)
            if first is not None:
                latencies.append((first - at) * 1000)
                last_reply = max(last_reply, first)
    latencies.sort()
    count = len(load.offered)

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * q))] if latencies else 0.0

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "fake_cpu_s": usage.ru_utime + usage.ru_stime,
        "offered": count,
        "offered_per_s": count / max(end - start, 1e-9),
        "answered": len(latencies) / max(count, 1),
        "per_second": len(latencies) / max(last_reply - start, 1e-9),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "messages": sum(len(s) for s in load.sends.values()),
        "last_send_s": max((t for s in load.sends.values() for t in s), default=start) - start,
        "calls": dict(load.calls),
    }


async def main(args: argparse.Namespace) -> None:
    load = Load(args.rate, args.seconds, args.gap, args.naive)
    server = await asyncio.start_server(
        lambda r, w: serve_connection(load, r, w), "127.0.0.1", args.port, backlog=512
    )
    await asyncio.wait_for(load.ready.wait(), args.ready_within)
    hooks = args.webhook or []
    heard = await asyncio.gather(*(listens(url, args.listen_within) for url in hooks))
    live = [url for url, ok in zip(hooks, heard, strict=True) if ok]
    if hooks and not live:
        sys.exit(f"no webhook answered GET /healthz: {', '.join(hooks)}")
    print(f"ready {time.monotonic():.6f}", flush=True)
    if args.hold:  # footprint: the bot is measured at rest first
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    queues: list[asyncio.Queue[bytes]] = [asyncio.Queue() for _ in live]
    posters = [
        asyncio.create_task(poster(url, queue, load.posted))
        for url, queue in zip(live, queues, strict=True)
        for _ in range(args.posters or load.max_connections)
    ]
    start, end = await offer(load, queues)
    print(f"flood {start:.6f} {end:.6f}", flush=True)
    wanted = len({chat for chat, _s, _t in load.offered})
    quiet_since, seen = time.monotonic(), -1
    while time.monotonic() - end < args.drain:
        await asyncio.sleep(0.25)
        total = sum(len(s) for s in load.sends.values())
        if total != seen:
            quiet_since, seen = time.monotonic(), total
        elif time.monotonic() - quiet_since > args.quiet and len(load.sends) >= wanted:
            break
    drained = time.monotonic()
    for task in posters:
        task.cancel()
    server.close()
    figures = results(load, start, end, drained)
    figures["posted"] = [load.posted[url] for url in hooks]
    figures["deaf"] = [url for url in hooks if url not in live]
    print(json.dumps(figures), flush=True)
    os._exit(0)  # the bot's connections are still open: no need to wind them down one by one


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("port", type=int)
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--gap", type=float, default=1.0, help="seconds between a person's updates")
    parser.add_argument(
        "--webhook",
        action="append",
        help="post the updates to this URL instead of polling (repeated: round robin)",
    )
    parser.add_argument("--naive", action="store_true", help="texts become /start")
    parser.add_argument(
        "--posters",
        type=int,
        help="connections per webhook (default: the max_connections of the bot's setWebhook, "
        "as Telegram opens them)",
    )
    parser.add_argument(
        "--listen-within", type=float, default=5, help="seconds for every webhook to listen"
    )
    parser.add_argument("--drain", type=float, default=60, help="seconds to wait for replies")
    parser.add_argument("--quiet", type=float, default=3, help="stop after this long silent")
    parser.add_argument("--ready-within", type=float, default=60)
    parser.add_argument("--hold", action="store_true", help="wait for a line on stdin to flood")
    asyncio.run(main(parser.parse_args()))
