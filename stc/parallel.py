"""Work spread over the machine's cores: a function mapped over items in forked processes.

Used where each item is independent and costs far more than sending it and its answer
between processes: reading transcripts and splitting them into sentences on import. The
answers come back in the order of the items, and only a few items are in flight at a time, so
memory does not grow with their number. Errors raised for an item are raised again here.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from typing import TypeVar

Item = TypeVar("Item")
Answer = TypeVar("Answer")

# Fewer items than this are done in this process: forking costs more than it saves.
MIN_ITEMS = 4
IN_FLIGHT_PER_WORKER = 2


def worker_count(items: int) -> int:
    """How many processes to use for `items` items: the cores this process may use, at most
    STC_WORKERS when set (1 turns the workers off), and 1 where fork is missing or unsafe."""
    if items < MIN_ITEMS or not hasattr(os, "fork") or sys.platform == "darwin":
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    wanted = os.environ.get("STC_WORKERS", "")
    limit = int(wanted) if wanted.isdigit() and int(wanted) > 0 else cores or 1
    return max(1, min(cores or 1, limit, items))


def mapped(function: Callable[[Item], Answer], items: Iterable[Item], workers: int
           ) -> Iterator[Answer]:
    """`map(function, items)`, in `workers` forked processes when there are more than one.

    The processes are forked when this generator starts, so they share what this process has
    loaded (a spaCy pipeline, say) without loading it again."""
    if workers <= 1:
        yield from map(function, items)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_leave_ctrl_c) as pool:
        pending: deque[Future[Answer]] = deque()
        remaining = iter(items)
        for item in remaining:
            pending.append(pool.submit(function, item))
            if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                break
        while pending:
            answer = pending.popleft().result()
            for item in remaining:
                pending.append(pool.submit(function, item))
                break
            yield answer


def _leave_ctrl_c() -> None:
    """In a worker: Ctrl-C is for the main process, which stops and says so in one line."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
