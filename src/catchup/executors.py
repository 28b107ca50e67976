"""Where work runs: here, on a local process pool, or on a Dask cluster.

Every executor has one method, `imap_unordered(fn, items)`, yielding results as they
finish while keeping only a bounded number of tasks in flight (so memory stays flat).
The work itself (`fn`) is the same whichever executor runs it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from multiprocessing import get_context
from typing import Any, Protocol


class Executor(Protocol):
    workers: int

    def imap_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]: ...


class SerialExecutor:
    """Runs every task in this process, in order."""

    workers = 1

    def imap_unordered(self, fn, items):
        for item in items:
            yield fn(item)


class PoolExecutor:
    """A local pool of `jobs` processes (forkserver start, safe with threads in the parent)."""

    def __init__(self, jobs: int) -> None:
        self.workers = jobs
        self._pool = ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("forkserver"))

    def imap_unordered(self, fn, items):
        pending: set[Future] = set()
        items = iter(items)
        limit = 2 * self.workers
        try:
            for item in items:
                pending.add(self._pool.submit(fn, item))
                if len(pending) >= limit:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        yield future.result()
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        finally:
            for future in pending:
                future.cancel()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """A Dask distributed cluster: `tcp://host:port`, or `local` for a LocalCluster here."""

    def __init__(self, scheduler: str, jobs: int) -> None:
        from dask.distributed import Client, LocalCluster

        self._cluster = None
        if scheduler == "local":
            self._cluster = LocalCluster(
                n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self._client = Client(self._cluster)
        else:
            self._client = Client(scheduler, timeout="20s")
        self.workers = max(1, sum(self._client.nthreads().values()))

    def imap_unordered(self, fn, items):
        from dask.distributed import as_completed

        items = iter(items)
        limit = 2 * self.workers
        first = [self._client.submit(fn, item, pure=False) for item in _take(items, limit)]
        queue = as_completed(first)
        try:
            for future in queue:
                result = future.result()
                future.release()
                for item in _take(items, 1):
                    queue.add(self._client.submit(fn, item, pure=False))
                yield result
        finally:
            for future in list(queue.futures):
                future.cancel()

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def _take(items: Iterator[Any], n: int) -> list[Any]:
    out = []
    for _ in range(n):
        try:
            out.append(next(items))
        except StopIteration:
            break
    return out


@contextmanager
def executor(jobs: int = 1, scheduler: str | None = None) -> Iterator[Executor]:
    """The one place that decides where work runs."""
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    if scheduler:
        ex: Any = DaskExecutor(scheduler, jobs)
    elif jobs > 1:
        ex = PoolExecutor(jobs)
    else:
        ex = SerialExecutor()
    try:
        yield ex
    finally:
        if hasattr(ex, "close"):
            ex.close()
