"""Work spread over the machine's cores: a function mapped over items in worker processes, and
one call run in another process while this one does something else.

Used where each item is independent and costs far more than sending it and its answer
between processes: reading transcripts and splitting them into sentences on import, and the
hash chain of `stc verify`. The answers come back in the order of the items, and only a few
items are in flight at a time, so memory does not grow with their number. Errors raised for
an item are raised again here.

How the workers start: forked where that is safe (Linux and other Unix systems except macOS):
they then share what this process has loaded (a spaCy pipeline, say) without loading it again.
Elsewhere (Windows, macOS) they are spawned: fresh interpreters that import what they need,
which costs about a second each, so they are used only for more work. `STC_START_METHOD`
(fork, forkserver or spawn) chooses another way; the tests use it to run as on Windows.

A worker ends with the process that started it (`end_with_parent`): a `kill -9` of `stc
import` leaves no worker splitting sentences for nobody.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from stc.errors import StcError

if TYPE_CHECKING:
    from concurrent.futures import Future

Item = TypeVar("Item")
Answer = TypeVar("Answer")

START_METHODS = ("fork", "forkserver", "spawn")
# Fewer items than this are done in this process: starting workers costs more than it saves.
# A spawned worker imports spaCy and builds its pipeline again: about a second of a core,
# while a transcript of 10,000 words takes a twentieth of one. Two spawned workers therefore
# win only from about 40 such transcripts on, four from about 27 (measured on Linux with
# STC_START_METHOD=spawn); a forkserver's workers import spaCy the same way.
MIN_ITEMS = {"fork": 4, "forkserver": 32, "spawn": 32}
IN_FLIGHT_PER_WORKER = 2


def start_method() -> str:
    """How worker processes start: STC_START_METHOD when set, else fork where the system has
    it and it is safe, else spawn. It is not safe on macOS, whose system libraries may not
    survive a fork, nor in a process running other threads (the workbench's server): one of
    them may hold a lock (SQLite's, say) at the fork, which the child then waits on for ever."""
    wanted = os.environ.get("STC_START_METHOD", "").strip().lower()
    forks = hasattr(os, "fork")
    if wanted:
        if wanted not in START_METHODS or (wanted != "spawn" and not forks):
            have = [m for m in START_METHODS if forks or m == "spawn"]
            raise StcError("E950", value=wanted, methods=", ".join(have))
        return wanted
    import threading

    alone = threading.active_count() == 1
    return "fork" if forks and sys.platform != "darwin" and alone else "spawn"


def worker_count(items: int) -> int:
    """How many processes to use for `items` items: the cores this process may use, at most
    STC_WORKERS when set (1 turns the workers off), and 1 for too few items to be worth it."""
    if items < MIN_ITEMS[start_method()]:
        return 1
    return max(1, min(_cores(), items))


def mapped(function: Callable[[Item], Answer], items: Iterable[Item], workers: int
           ) -> Iterator[Answer]:
    """`map(function, items)`, in `workers` processes when there are more than one.

    Forked processes start when this generator starts, so they share what this process has
    loaded. Spawned ones get `function` and each item pickled: both must be defined at the
    top level of a module."""
    if workers <= 1:
        yield from map(function, items)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context(start_method())
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_in_worker,
                             initargs=(os.getpid(),)) as pool:
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


class Background(Generic[Answer]):
    """A call `in_background` started: calling this waits for its answer; `end` stops it
    unanswered (the work that wanted it failed), so no process is left behind for it."""

    def __init__(self, wait: Callable[[], Answer], end: Callable[[], None] = lambda: None
                 ) -> None:
        self._wait, self._end = wait, end
        self._over = False

    def __call__(self) -> Answer:
        self._over = True
        return self._wait()

    def end(self) -> None:
        """Stop the call if it was not waited for; nothing once it was."""
        if not self._over:
            self._over = True
            self._end()


def in_background(function: Callable[..., Answer], *args: Any, worth_a_spawn: bool = True
                  ) -> Background[Answer]:
    """Start `function(*args)` in another process; calling what is returned waits for its
    answer. Where workers would be spawned and `worth_a_spawn` is false (too little work to
    pay for a fresh interpreter), or there is a single core (or STC_WORKERS=1), it runs here
    and now. If the other process fails, the call runs again here, so its error is raised in
    this process."""
    if not runs_apart(worth_a_spawn):
        answer = function(*args)
        return Background(lambda: answer)
    method = start_method()
    if method == "fork":
        return _forked(function, args)
    return _started(function, args, method)


def runs_apart(worth_a_spawn: bool = True) -> bool:
    """Whether `in_background` runs its call in another process: not on a single core (or
    with STC_WORKERS=1), nor where workers are spawned for too little work."""
    return (start_method() == "fork" or worth_a_spawn) and _cores() > 1


def _cores() -> int:
    """The cores this process may use, at most STC_WORKERS when set (1: one process)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    wanted = os.environ.get("STC_WORKERS", "")
    limit = int(wanted) if wanted.isdigit() and int(wanted) > 0 else cores or 1
    return max(1, min(cores or 1, limit))


def _forked(function: Callable[..., Answer], args: tuple[Any, ...]) -> Background[Answer]:
    """A bare fork and a pipe: cheaper than a pool for one call.

    The child inherits this process's open SQLite connections; it must never use them, only
    open its own (as `stc verify` and the reports do). SQLite keeps its locks per process, so
    the child closing an inherited file could drop this process's: the child leaves with
    `os._exit`, closing nothing, and a caller holding a read transaction keeps it until the
    child has answered or been ended."""
    import pickle
    import signal

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer through the pipe, leave without any clean-up
        os.close(read_end)
        code = 1
        try:
            end_with_parent(os.getppid())
            with os.fdopen(write_end, "wb") as out:
                out.write(pickle.dumps(function(*args)))
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)

    def wait() -> Answer:
        with os.fdopen(read_end, "rb") as answer:
            data = answer.read()
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0 or not data:
            return function(*args)  # the child failed: here instead
        result: Answer = pickle.loads(data)  # our own child's answer, never outside data
        return result

    def end() -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)  # leaves no zombie behind
        os.close(read_end)

    return Background(wait, end)


def _started(function: Callable[..., Answer], args: tuple[Any, ...], method: str
             ) -> Background[Answer]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context(method),
                               initializer=_in_worker, initargs=(os.getpid(),))
    future = pool.submit(function, *args)

    def wait() -> Answer:
        try:
            return future.result()
        except Exception:
            return function(*args)  # the other process failed: here instead
        finally:
            pool.shutdown()

    def end() -> None:  # the worker ends when its call does, or with this process
        future.cancel()
        pool.shutdown(wait=False, cancel_futures=True)

    return Background(wait, end)


def _in_worker(main: int) -> None:
    """A worker's start: Ctrl-C is for the main process (`main`), which stops and says so in
    one line; and the worker ends when the main process does, however it ends."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    end_with_parent(main)


def end_with_parent(main: int) -> None:
    """End this process as soon as the one that started it is gone (`kill -9` of `stc
    import` included), rather than finish work nobody waits for and then wait for more for
    ever. On Linux the kernel sends SIGKILL when the parent dies (PR_SET_PDEATHSIG); elsewhere,
    and for the moment before that is set, a thread looks twice a second."""
    import threading

    parent = os.getppid()
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if _parent_gone(main, parent):  # gone before the kernel was told
        os._exit(1)
    threading.Thread(target=_watch, args=(main, parent), daemon=True).start()


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _watch(main: int, parent: int) -> None:
    import time

    while not _parent_gone(main, parent):
        time.sleep(0.5)
    os._exit(1)


def _parent_gone(main: int, parent: int) -> bool:
    """Whether the process that started this one (directly, or through a fork server) ended.
    On Unix an orphan gets another parent; on Windows a spawned process holds a handle to
    its parent, which `multiprocessing` turns into `is_alive`."""
    if os.name == "nt":
        import multiprocessing

        started_by = multiprocessing.parent_process()
        return started_by is not None and not started_by.is_alive()
    if os.getppid() != parent:
        return True
    try:
        os.kill(main, 0)  # signal 0 only asks whether it exists
    except ProcessLookupError:
        return True
    except PermissionError:
        pass
    return False
