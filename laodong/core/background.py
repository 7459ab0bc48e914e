"""Work that outlives its request: run in a thread of the web process, with a database
connection of its own, or inline where the setting LAODONG_RUN_JOBS_INLINE asks (tests,
commands). The callers keep their state in job rows, so a thread that dies with its process
is noticed (no heartbeat) and can be run again."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection


def run_in_background(function: Callable[..., Any], *args: Any) -> None:
    if getattr(settings, "LAODONG_RUN_JOBS_INLINE", False):
        function(*args)
        return
    threading.Thread(target=_in_thread, args=(function, *args), daemon=True).start()


def _in_thread(function: Callable[..., Any], *args: Any) -> None:
    close_old_connections()
    try:
        function(*args)
    finally:
        connection.close()
