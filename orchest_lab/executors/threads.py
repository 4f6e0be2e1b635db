"""Worker threads that live as long as the process, one per purpose: what is handed to one runs
in the order it was handed over, and a child process it starts keeps its parent thread."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

_threads: dict[str, ThreadPoolExecutor] = {}
_lock = threading.Lock()


def own_thread(name: str) -> ThreadPoolExecutor:
    """The worker thread named `name`, started on first use."""
    with _lock:
        thread = _threads.get(name)
        if thread is None:
            thread = _threads[name] = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        return thread
