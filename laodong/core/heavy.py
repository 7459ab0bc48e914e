"""Heavy statements bounded across the machine.

A statement that reads a large part of the register (a raw count over the periods, a rebuild
of the statistics summary, the changes of a year in which everyone is new) runs inside
`heavy_work()`. At most `LAODONG_HEAVY_QUERIES` of them run at once on the whole server (half
the cores by default): on PostgreSQL each holds one of that many advisory locks, shared by
every worker process; on SQLite a semaphore of the process. A request holds at most one slot,
whatever it calls inside (the slot is per thread and re-entered), so one request never runs two
heavy statements at once. A request that cannot get a slot within `LAODONG_HEAVY_WAIT_SECONDS`
gets `Busy`, which the middleware answers with a page asking to try again in a moment, while
the light pages (lists, forms, figures already kept) go on being served.
"""

from __future__ import annotations

import functools
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext_lazy as _

# The first key of our advisory locks ("LD"); the second is the slot's number.
LOCK_CLASS = 0x4C44
_POLL_SECONDS = 0.05
_local = threading.local()
_semaphores: dict[int, threading.BoundedSemaphore] = {}
_semaphore_guard = threading.Lock()


class Busy(Exception):
    """Every slot for heavy work stayed taken for longer than the request may wait."""

    message = _(
        "Máy chủ đang tính các báo cáo lớn khác. Vui lòng chờ một phút rồi tải lại trang; "
        "các trang khác vẫn dùng được bình thường."
    )


def slots() -> int:
    configured = getattr(settings, "LAODONG_HEAVY_QUERIES", 0)
    return configured if configured > 0 else max(1, (os.cpu_count() or 2) // 2)


def wait_seconds() -> float:
    return float(getattr(settings, "LAODONG_HEAVY_WAIT_SECONDS", 30))


@contextmanager
def heavy_work() -> Iterator[None]:
    """Run the block holding one slot for heavy work (the caller's own, if it holds one)."""
    if getattr(_local, "depth", 0):
        _local.depth += 1
        try:
            yield
        finally:
            _local.depth -= 1
        return
    release = _take_slot()
    _local.depth = 1
    try:
        yield
    finally:
        _local.depth = 0
        release()


def _take_slot() -> Callable[[], None]:
    deadline = time.monotonic() + wait_seconds()
    if connection.vendor == "postgresql":
        count = slots()
        order = list(range(count))
        random.shuffle(order)  # spreads the waiters over the slots
        with connection.cursor() as cursor:
            while True:
                for slot in order:
                    cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, slot])
                    if cursor.fetchone()[0]:
                        return functools.partial(_unlock, slot)
                if time.monotonic() >= deadline:
                    raise Busy
                time.sleep(_POLL_SECONDS)
    semaphore = _process_semaphore()
    if not semaphore.acquire(timeout=max(0.0, deadline - time.monotonic())):
        raise Busy
    return semaphore.release


def _unlock(slot: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, slot])


def _process_semaphore() -> threading.BoundedSemaphore:
    """The process's semaphore for the configured number of slots (made on first use)."""
    count = slots()
    with _semaphore_guard:
        if count not in _semaphores:
            _semaphores[count] = threading.BoundedSemaphore(count)
        return _semaphores[count]
