"""An order-keeping map over worker processes, for big jobs whose items cost far more to work on
than to send: splitting a big BibTeX file, formatting a big export. Pure Python work holds the GIL,
so threads would not help. (An export whose rows were sent to the workers gained nothing: rows cost
as much to pickle as to format, so export workers read their rows themselves.)"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MAX_WORKERS = 4
IN_FLIGHT = 2
"""Items per worker sent ahead: workers never wait, and memory holds only these."""


def ordered_map(
    function: Callable[[Item], Result], items: Iterable[Item], *, caller_waits: bool = False
) -> Iterator[Result]:
    """`map(function, items)`, in order, on forked workers, when that is safe and worth it.

    A worker runs on each spare core; with `caller_waits` (this process only collects the
    results) on every core, since one worker alone would only be slower than working here.
    Forked workers start at once and import nothing, but forking a process that runs other
    threads (the app works in them) can hang the child; there, on one core and off Linux, it all
    runs here. `function` must be a module-level function; items and results are pickled.
    """
    iterator = iter(items)
    cores = _usable_cores()
    workers = min(MAX_WORKERS, cores if caller_waits else cores - 1)
    if workers < (2 if caller_waits else 1) or threading.active_count() > 1:
        yield from map(function, iterator)
        return
    # The workers are forked at the first submit, so no item, no process.
    with ProcessPoolExecutor(
        workers, mp_context=get_context("fork"), initializer=_leave_interrupts_to_the_parent
    ) as pool:
        pending: deque[Future[Result]] = deque()
        try:
            for item in iterator:
                pending.append(pool.submit(function, item))
                if len(pending) > workers * IN_FLIGHT:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def _usable_cores() -> int:
    """Cores this process may use; none off Linux, where fork is missing (Windows) or unsafe with
    system frameworks (macOS)."""
    if sys.platform != "linux":
        return 0
    return len(os.sched_getaffinity(0))


def _leave_interrupts_to_the_parent() -> None:
    # Ctrl+C reaches every process of the terminal's group; the parent reports it in one line
    # and ends the pool, where a worker would print its own traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
