"""Where work runs: here, on a local process pool, or on a Dask cluster; one object, reused.

    with catchup.executor(jobs=2) as ex:
        catchup.run(scenario, executor=ex)       # the same workers serve every call
        catchup.sweep(experiment, out, executor=ex)

Every executor has `imap_unordered(fn, items)` (results as they finish, a bounded number
of tasks in flight, so memory stays flat) and `map(fn, items)` (results in item order).
The work (`fn`) is the same function whichever executor runs it, and every task carries its
own seed, so results never depend on the executor or the number of workers.
"""

from __future__ import annotations

import functools
import multiprocessing
import multiprocessing.forkserver
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from typing import Any

from catchup.errors import SchedulerError

# Modules the local pool's workers start with: imported once, in the forkserver, so a worker
# is ready to simulate as soon as it is forked ("__main__": the calling script, imported there
# once instead of in every worker).
PRELOAD = ["__main__", "catchup.model.simulate", "catchup.experiments.runs"]


class Executor:
    """Runs tasks somewhere; use it as a context manager or call `close`."""

    workers: int = 1

    def imap_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        raise NotImplementedError

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
        """Results in the order of `items`, however the tasks were scheduled."""
        indexed = self.imap_unordered(functools.partial(_indexed, fn), enumerate(items))
        return [result for _, result in sorted(indexed, key=lambda pair: pair[0])]

    def close(self) -> None:
        """Release the workers (nothing to do for the serial executor)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _indexed(fn: Callable[[Any], Any], pair: tuple[int, Any]) -> tuple[int, Any]:
    index, item = pair
    return index, fn(item)


class SerialExecutor(Executor):
    """Runs every task in this process, in order."""

    def imap_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        for item in items:
            yield fn(item)


class PoolExecutor(Executor):
    """A local pool of `jobs` processes, kept until closed.

    Workers are forked from a forkserver that has already imported the model, so each starts
    in milliseconds. The forkserver is started here and imports in the background, while the
    caller goes on (loading a scenario, importing its own modules); the workers are forked
    when the first tasks arrive. (forkserver, not fork: safe whatever threads the parent runs.)
    """

    def __init__(self, jobs: int) -> None:
        self.workers = jobs
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        multiprocessing.forkserver.ensure_running()
        self._pool = ProcessPoolExecutor(
            max_workers=jobs, mp_context=context, initializer=die_with_parent, initargs=(os.getpid(),)
        )

    def imap_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        pending: set[Future] = set()
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


def die_with_parent(parent: int, interval: float = 0.5) -> None:
    """In a worker: exit as soon as the process that started the pool (`parent`) is gone.

    A worker busy with a long chunk would otherwise compute on, orphaned, after its parent was
    killed (SIGKILL runs no clean-up). Its own parent is the forkserver, which outlives the
    caller while workers hold its pipe, so a watcher thread looks at the caller's pid itself.
    """

    def watch() -> None:
        while _running(parent):
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="catchup-parent-watch", daemon=True).start()
    # Ctrl-C reaches the workers too: the caller says what was kept and how to go on, so a
    # worker stops at once without printing its own traceback.
    signal.signal(signal.SIGINT, lambda signum, frame: os._exit(130))


def _running(pid: int) -> bool:
    """Whether a process runs; a zombie (dead, not yet reaped) does not."""
    if os.path.isdir("/proc/self"):  # Linux: the process state, zombies included
        try:
            with open(f"/proc/{pid}/stat", "rb") as stat:
                return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"
        except OSError:
            return False
    try:  # elsewhere: ask the kernel whether the pid exists
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class DaskExecutor(Executor):
    """A Dask distributed cluster: `tcp://host:port`, or `local` for a LocalCluster here."""

    def __init__(self, scheduler: str, jobs: int) -> None:
        from dask.distributed import Client, LocalCluster  # heavy: only when Dask is asked for

        self._cluster = None
        try:
            if scheduler == "local":
                self._cluster = LocalCluster(
                    n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None
                )
                self._client = Client(self._cluster)
            else:
                self._client = Client(scheduler, timeout="20s")
        except (OSError, ValueError, TimeoutError) as exc:
            raise SchedulerError(
                f"--scheduler {scheduler}: cannot reach a Dask scheduler there ({exc}) "
                "(allowed: tcp://host:port of a running scheduler, or 'local')"
            ) from None
        self.workers = max(1, sum(self._client.nthreads().values()))

    def imap_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        from dask.distributed import as_completed

        items = iter(items)
        first = [self._client.submit(fn, item, pure=False) for item in _take(items, 2 * self.workers)]
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


def executor(jobs: int = 1, scheduler: str | None = None) -> Executor:
    """The one place that decides where work runs: serial, a local pool, or Dask."""
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    if scheduler:
        return DaskExecutor(scheduler, jobs)
    if jobs > 1:
        return PoolExecutor(jobs)
    return SerialExecutor()


@contextmanager
def borrowed(given: Executor | None, jobs: int = 1, scheduler: str | None = None) -> Iterator[Executor]:
    """The caller's executor as it is, or a new one for this call only (closed afterwards)."""
    if given is not None:
        yield given
        return
    with executor(jobs, scheduler) as ex:
        yield ex
