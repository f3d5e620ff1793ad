"""Serves the bot on the messaging platforms whose tokens are set: Telegram, Zalo or both.

`serve` runs the Telegram channel (long polling, or a webhook behind the web server when
TELEGRAM_WEBHOOK_URL is set), the Zalo channel (polling getUpdates, or the webhook at
/zalo/webhook when ZALO_WEBHOOK_URL is set), the media route when PUBLIC_BASE_URL is set,
and the scheduler (every 30 s: the jobs, then the due
deliveries). Every update is stored in the durable inbox before it is acknowledged. SIGTERM
or SIGINT stops it within 10 s: receiving stops first, every stored update is handled (its
answer sent, or late in the stop kept in the outbox for the next start), the delivery in
flight finishes; only what the 10 s could not reach waits, stored, for the next start.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from bot import early_signals
from bot.app import App, create_app
from bot.channels.base import Channel, ChannelStartError
from bot.channels.telegram import TelegramChannel, Tuning
from bot.channels.zalo.media import MediaStore, media_route
from bot.channels.zalo.runtime import ZaloRuntime
from bot.core.clock import Clock
from bot.logsafe import register_secret
from bot.settings import Settings
from bot.storage.leader import Leadership, wait_to_lead, watch
from bot.web import AnyRoute, WebServer, build_web_app

log = logging.getLogger(__name__)
SCHEDULER_INTERVAL = 30.0
STOP_BUDGET = 9.0  # seconds; platforms send SIGKILL 10 s after SIGTERM
SCHEDULER_GRACE = 3.0
DUE_SLACK = 0.01  # seconds after a due time the scheduler wakes, so that it is due by then
STANDBY_INTERVAL = 2.0  # seconds between a standby worker's tries, and the active one's checks
CHATTY_LOGGERS = ("httpx", "httpcore")


async def serve(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    tuning: Tuning | None = None,
    clock: Clock | None = None,
    interval: float = SCHEDULER_INTERVAL,
    settle: bool = False,
    standby: float = STANDBY_INTERVAL,
) -> int:
    """Runs the configured platform channels until stopped. Returns the exit code.

    `settle` (the `bot run` process; not tests that serve in their own process) freezes what
    start-up loaded out of the garbage collector's passes: see `settle_heap`.
    On PostgreSQL, one worker among those started on the database serves; the others stand by
    and one of them takes over within `standby` seconds of the active one's death."""
    if not (settings.telegram_token or settings.zalo_token):
        print("Set TELEGRAM_BOT_TOKEN and/or ZALO_BOT_TOKEN to serve a platform.", file=sys.stderr)
        return 2
    register_secret(settings.telegram_token)
    register_secret(settings.telegram_webhook_secret)
    for name in CHATTY_LOGGERS:  # httpx logs every request URL (with the token) at INFO
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger(name).level))
    stop = stop or asyncio.Event()
    with _signals(stop):  # from the start: a stop while starting up ends it cleanly
        app = await create_app(settings, clock=clock)
        if stop.is_set():  # stopped while starting: nothing was received yet
            await app.close()
            return 0
        if settle:
            settle_heap()
        # PostgreSQL: the worker holding the role polls and runs the scheduler; every worker
        # serves the webhooks and handles the inbox (a person at a time, by lease).
        leader = Leadership(app.deps.db, "worker") if app.inbox.leases is not None else None
        try:
            return await _run(app, settings, stop, interval, tuning, Lead(leader, standby))
        finally:
            if leader is not None:
                await leader.resign()
            await app.close()


def settle_heap() -> None:
    """What start-up loaded (modules, content, catalogs) lives as long as the process: frozen
    out of the garbage collector's full passes, which then walk only what came later. Without
    it a full pass walked some 60,000 objects, 20-60 ms on the 2-core machine, landing in
    whatever message was being answered (benchmarks/officers.py)."""
    gc.collect()
    gc.freeze()


def build_channels(
    app: App,
    settings: Settings,
    stop: asyncio.Event,
    tuning: Tuning | None,
    *,
    polling: bool = True,
    webhooks: bool = True,
) -> tuple[list[Channel], list[AnyRoute]]:
    """The channels whose tokens are set (those that poll, those with a webhook, or both),
    and the media route when PUBLIC_BASE_URL is set."""
    media = MediaStore(app.deps.db, app.deps.clock, settings.public_base_url)
    routes: list[AnyRoute] = [media_route(media)] if media.enabled and webhooks else []
    channels: list[Channel] = []
    wanted = {True: polling, False: webhooks}  # by "does it poll"
    if settings.telegram_token and wanted[settings.telegram_webhook_url is None]:
        channels.append(TelegramChannel(app.door, settings, tuning))
    zalo_polls = not (settings.zalo_webhook_url and settings.zalo_webhook_secret)
    if settings.zalo_token and wanted[zalo_polls]:
        channels.append(ZaloRuntime(app.door, settings, media, stop))
    return channels, routes


@dataclass(frozen=True)
class Lead:
    """Workers side by side (PostgreSQL): `role` is held by the one that polls and runs the
    scheduler; the others try to take it every `every` seconds. None: the only process."""

    role: Leadership | None
    every: float = STANDBY_INTERVAL


async def _run(
    app: App,
    settings: Settings,
    stop: asyncio.Event,
    interval: float,
    tuning: Tuning | None,
    lead: Lead,
) -> int:
    shared = lead.role is not None
    channels, routes = build_channels(app, settings, stop, tuning, polling=not shared)
    web = None
    try:
        for channel in channels:
            await channel.start()
        await app.door.answers.recover()  # answers a killed process was sending: retried
        await app.inbox.start()  # what the last run stored and did not finish, first
        for channel in channels:
            routes += channel.routes()
        if routes:
            web = WebServer(build_web_app(routes), settings.http_host, settings.http_port)
            web.start()
            log.info("web server on %s", web.url)
        for channel in channels:
            await channel.after_listening()
    except ChannelStartError as exc:
        print(exc, file=sys.stderr)
        await _shutdown(app, channels, web, None)
        return exc.exit_code
    scheduler: asyncio.Task[bool | None]
    if lead.role is None:
        scheduler = asyncio.create_task(run_scheduler(app, stop, interval), name="scheduler")
    else:
        leading = _lead(app, settings, stop, interval, tuning, lead, channels)
        scheduler = asyncio.create_task(leading, name="leader")
    await stop.wait()
    await _shutdown(app, channels, web, scheduler)
    lost = scheduler.done() and not scheduler.cancelled() and scheduler.result() is True
    return 3 if lost else 0  # lost the role: exit, a supervisor restarts it


async def _lead(
    app: App,
    settings: Settings,
    stop: asyncio.Event,
    interval: float,
    tuning: Tuning | None,
    lead: Lead,
    channels: list[Channel],
) -> bool:
    """Waits for the role, then polls (the channels that poll) and runs the scheduler while
    it holds it. True when the role was lost: the worker stops (another one leads now)."""
    assert lead.role is not None
    if not await wait_to_lead(lead.role, stop, lead.every) or stop.is_set():
        return False
    pollers, _ = build_channels(app, settings, stop, tuning, webhooks=False)
    try:
        for channel in pollers:
            channels.append(channel)  # stopped with the others, even if it fails to start
            await channel.start()
    except ChannelStartError as exc:
        log.error("could not start polling: %s", exc)
        stop.set()
        return False
    watching = asyncio.create_task(watch(lead.role, stop, lead.every), name="leadership")
    await run_scheduler(app, stop, interval)
    return await watching


async def run_scheduler(app: App, stop: asyncio.Event, interval: float) -> None:
    """Puts back deliveries a killed process left half-way, then runs jobs and deliveries."""
    outbox = app.outbox
    await outbox.recover()
    while not stop.is_set():
        busy = False
        try:
            await app.door.answers.resend_due()
            await outbox.run_jobs()
            stats = await outbox.deliver_due()
            busy = stats.sent + stats.retried + stats.dropped + stats.failed > 0
        except Exception:
            log.exception("the scheduler failed; it tries again in %.0f s", interval)
        if busy:
            continue  # a full batch may have more behind it
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), await scheduler_pause(app, interval))


async def scheduler_pause(app: App, interval: float) -> float:
    """Seconds until the scheduler's next round: `interval`, or less when an answer's retry or
    a delivery (a daily tip at its hour) falls due sooner, so neither waits for the round."""
    try:
        moments = [await app.door.answers.next_due(), await app.outbox.next_due()]
    except Exception:
        log.exception("could not read when the next delivery is due")
        return interval
    soonest = min((m for m in moments if m is not None), default=None)
    if soonest is None:
        return interval
    until = (soonest - app.deps.clock.now()).total_seconds()
    return min(interval, max(until, 0.0) + DUE_SLACK)


async def _shutdown(
    app: App,
    channels: list[Channel],
    web: WebServer | None,
    scheduler: asyncio.Task[bool | None] | None,
) -> None:
    """Receiving stops first, then what was received is handled within the budget.

    1. Every channel stops receiving (polling) and refuses new outbox sends, which stay
       queued (`begin_stop`).
    2. The web server stops, so no webhook update arrives any more (a request refused or cut
       is retried by the platform), while the scheduler's delivery in flight finishes.
    3. The inbox's workers handle every stored update, until the deadline: answers are sent
       for most of the budget, then only stored (sent at the next start) so that every
       update is handled; whatever is cut short at the deadline is handled at the next
       start. Then the channels close.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STOP_BUDGET
    log.info("stopping: no new updates or deliveries; finishing the updates in hand")
    for channel in channels:
        await channel.begin_stop()
    waits = [web.stop()] if web is not None else []
    if scheduler is not None:
        waits.append(_finish_scheduler(scheduler))
    await asyncio.gather(*waits)
    left = max(deadline - loop.time() - 1.0, 0.5)  # a second kept to close the clients
    await app.inbox.stop(within=left)  # every stored update handled, if the time allows
    if app.door.answers.held:
        log.info("%d answers are sent at the next start", app.door.answers.held)
    await asyncio.gather(*(channel.stop(within=0.5) for channel in channels))


async def _finish_scheduler(scheduler: asyncio.Task[bool | None]) -> None:
    """The delivery in flight finishes within SCHEDULER_GRACE, else it is retried next start."""
    done, _ = await asyncio.wait({scheduler}, timeout=SCHEDULER_GRACE)
    if not done:
        log.warning("a delivery did not finish in time; it is retried on the next start")
        scheduler.cancel()
        with suppress(asyncio.CancelledError):
            await scheduler


@contextmanager
def _signals(stop: asyncio.Event) -> Iterator[None]:
    loop = asyncio.get_running_loop()
    handled = (signal.SIGTERM, signal.SIGINT)
    for sig in handled:
        loop.add_signal_handler(sig, stop.set)
    if early_signals.take():  # asked for while the bot was importing (`bot run`)
        stop.set()
    try:
        yield
    finally:
        for sig in handled:
            loop.remove_signal_handler(sig)
