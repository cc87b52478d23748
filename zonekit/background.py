"""Work started now and collected later: in a thread when there is a CPU to spare.

calamine releases the GIL while it parses a sheet, so other work (a second sheet, importing pypdf
and opening the material PDFs) can run on another CPU meanwhile. On a single CPU a thread would
only add switching, so the work runs at once instead; `result()` behaves the same either way,
re-raising in the caller's thread whatever the work raised.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def cpus() -> int:
    """The CPUs this process may run on (taskset and containers limit them)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


class Pending(Generic[T]):
    def __init__(self, fn: Callable[..., T], *args: Any, thread: bool | None = None) -> None:
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if thread if thread is not None else cpus() > 1:
            self._thread = threading.Thread(target=self._run, args=(fn, args), name=f"zonekit-{fn.__name__}",
                                            daemon=True)
            self._thread.start()
        else:
            self._run(fn, args)

    def _run(self, fn: Callable[..., T], args: tuple[Any, ...]) -> None:
        try:
            self._value = fn(*args)
        except BaseException as e:  # handed to whoever asks for the result
            self._error = e

    def result(self) -> T:
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]
