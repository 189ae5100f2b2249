"""CPU-heavy steps (loading and cleaning, the offline analyzer, validation) off the event loop.

Why not ``asyncio.to_thread``: its threads are joined when the loop and the
interpreter shut down, so Ctrl-C during one huge article would wait for the
analysis to end. These threads are daemons: a cancelled caller stops waiting at
once, and the process can exit while a thread is still busy with work nobody wants.

Several threads, so one huge article does not hold up the small ones behind it (the
GIL hands them turns every few milliseconds).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

THREADS = 4
# Below this many characters a step is cheaper than the trip to a thread and back.
OFFLOAD_CHARS = 50_000

_jobs: queue.SimpleQueue[tuple[Callable[[], Any], asyncio.AbstractEventLoop, asyncio.Future[Any]]]
_jobs = queue.SimpleQueue()
_started = 0
_start_lock = threading.Lock()


def _settle(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.done():
        return  # the caller was cancelled
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


def _serve() -> None:
    while True:
        job, loop, future = _jobs.get()
        if future.cancelled():
            continue
        try:
            value, ok = job(), True
        except BaseException as exc:  # handed to the awaiting task, which re-raises it
            value, ok = exc, False
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(_settle, future, ok, value)


def _ensure_threads() -> None:
    global _started
    if _started >= THREADS:
        return
    with _start_lock:
        while _started < THREADS:
            threading.Thread(target=_serve, name=f"summarizer-cpu-{_started}", daemon=True).start()
            _started += 1


async def run_cpu(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` on a CPU thread; cancelling the caller stops the wait."""
    _ensure_threads()
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()
    _jobs.put((lambda: function(*args), loop, future))
    return await future
