"""Sweeps: every point x replication of an experiment, streamed to a result folder in chunks.

A sweep folder (kind "sweep") holds the points table and the chunked runs, windows and
(when kept) trajectories tables. A chunk is a fixed range of run ids, computed as one task
and written atomically, its runs file last; a finished chunk is never rewritten. `resume`
runs only the chunks whose runs file is missing, so an interrupted sweep ends with exactly
the uninterrupted tables.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from catchup.config.experiment import Experiment
from catchup.config.scenario import Scenario
from catchup.errors import SweepError
from catchup.experiments.executors import Executor, borrowed
from catchup.experiments.runs import run_seed, trajectory_table, window_table
from catchup.model.simulate import simulate
from catchup.results.chunks import chunk_name, clean_partial, completed_chunks
from catchup.results.folder import ResultFolder
from catchup.results.manifest import Manifest, now, versions
from catchup.results.tables import UNREADABLE
from catchup.results.transaction import locked

TABLES = ("trajectories", "windows", "runs")  # write order: runs last marks the chunk done


@dataclass(frozen=True)
class ChunkTask:
    """The work of one chunk: (point scenario, point id, replication, run id, seed) per run."""

    index: int
    runs: tuple[tuple[Scenario, int, int, int, int], ...]
    trajectory_columns: tuple[str, ...]


def chunk_runs(experiment: Experiment, index: int) -> range:
    """Run ids of chunk `index`: a fixed range, whatever ran before."""
    start = index * experiment.chunk_size
    return range(start, min(start + experiment.chunk_size, experiment.n_runs))


def n_chunks(experiment: Experiment) -> int:
    return -(-experiment.n_runs // experiment.chunk_size)


def chunk_tasks(experiment: Experiment, indices: Iterable[int] | None = None) -> Iterator[ChunkTask]:
    """The work of each chunk, made lazily; run_id = point_id * replications + r."""
    scenarios: dict[int, Scenario] = {}
    for index in range(n_chunks(experiment)) if indices is None else indices:
        runs = []
        for run_id in chunk_runs(experiment, index):
            point_id, rep = divmod(run_id, experiment.replications)
            if point_id not in scenarios:
                scenarios[point_id] = experiment.point_scenario(experiment.points[point_id])
            runs.append((scenarios[point_id], point_id, rep, run_id, run_seed(experiment.base_seed, run_id)))
        yield ChunkTask(index, tuple(runs), experiment.trajectories)


def simulate_chunk(task: ChunkTask) -> tuple[int, dict[str, pd.DataFrame]]:
    """Run every run of a chunk; the same function serially, on a pool or on Dask."""
    outputs = []
    for scenario, point_id, rep, run_id, seed in task.runs:
        out = simulate(scenario, run_id, seed)
        out.row = {"run_id": run_id, "point_id": point_id, "replication": rep, **out.row}
        outputs.append(out)
    tables = {"runs": pd.DataFrame([o.row for o in outputs]), "windows": window_table(outputs)}
    if task.trajectory_columns:
        traj = trajectory_table(outputs)
        point_of_run = {o.row["run_id"]: o.row["point_id"] for o in outputs}
        traj.insert(1, "point_id", traj["run_id"].map(point_of_run).astype(np.int64))
        tables["trajectories"] = traj[["run_id", "point_id", "seed", *task.trajectory_columns]]
    return task.index, tables


def sweep_manifest(experiment: Experiment, workers: int) -> Manifest:
    tables = {"points": "parquet", "runs": "chunks", "windows": "chunks"}
    if experiment.trajectories:
        tables["trajectories"] = "chunks"
    return Manifest(
        kind="sweep",
        name=experiment.name,
        description=experiment.description,
        scenario=experiment.scenario.to_dict(),
        experiment=experiment.to_dict(),
        design_hash=experiment.design_hash(),
        n_runs=experiment.n_runs,
        workers=workers,
        status="running",
        started=now(),
        versions=versions(),
        tables=tables,  # type: ignore[arg-type]
        details={"n_chunks": n_chunks(experiment)},
    )


def prepare(
    experiment: Experiment, out: Path, resume: bool, workers: int, overwrite: bool = False
) -> tuple[ResultFolder, set[int]]:
    """Create or check the sweep folder (the caller holds its lock); return it and the chunks
    already finished and verified."""
    if ResultFolder.holds_results(out) and not overwrite:
        ResultFolder.check_target(out, "sweep", experiment.name)
        folder = ResultFolder.open(out)
        if not resume:
            raise SweepError(
                f"{out} already holds the sweep {experiment.name!r}; continue it with --resume, "
                "replace it with --overwrite, or choose another --out"
            )
        if folder.manifest.design_hash != experiment.design_hash():
            raise SweepError(
                f"{out} holds a sweep of a different design (the experiment or its scenario changed); "
                "replace it with --overwrite, or use another --out"
            )
        tables = tuple(t for t in TABLES if t in folder.manifest.tables)
        damaged = verify_chunks(out, tables, experiment)
        clean_partial(out, tables)
        folder.update(
            status="running",
            resumed=[*folder.manifest.resumed, now()],
            workers=workers,
            details={**folder.manifest.details, "recomputed_damaged_chunks": sorted(damaged)},
        )
        return folder, completed_chunks(out)
    folder = ResultFolder.write(
        out, sweep_manifest(experiment, workers), {"points": experiment.points_table()}, overwrite=overwrite
    )
    return folder, set()


def verify_chunks(out: Path, tables: tuple[str, ...], experiment: Experiment) -> set[int]:
    """Finished chunks whose files cannot be read or hold the wrong runs; their runs file is
    removed so they are computed again (a corrupt chunk never survives a resume)."""
    damaged = set()
    for index in completed_chunks(out):
        expected = list(chunk_runs(experiment, index))
        for table in tables:
            file = out / table / chunk_name(index)
            if not file.exists():
                continue
            try:
                run_ids = pd.read_parquet(file, columns=["run_id"])["run_id"]
            except (*UNREADABLE, KeyError):
                damaged.add(index)
                break
            if (table == "runs" and run_ids.tolist() != expected) or not set(run_ids) <= set(expected):
                damaged.add(index)
                break
    for index in damaged:
        (out / "runs" / chunk_name(index)).unlink()
    return damaged


@dataclass
class SweepProgress:
    runs_done: int
    runs_total: int
    points_done: int
    points_total: int
    runs_per_second: float


def sweep(
    experiment: Experiment,
    out: str | Path,
    *,
    jobs: int = 1,
    scheduler: str | None = None,
    executor: Executor | None = None,
    resume: bool = False,
    overwrite: bool = False,
    on_progress: Callable[[SweepProgress], None] | None = None,
) -> ResultFolder:
    """Run (or continue) a sweep into the folder `out`; returns it.

    The folder's lock is held throughout, so a second sweep into the same folder is refused;
    with `overwrite`, a result already there (of any kind) is replaced."""
    out = Path(out)
    with locked(out), borrowed(executor, jobs, scheduler) as ex:
        folder, done = prepare(experiment, out, resume, ex.workers, overwrite)
        todo = [index for index in range(n_chunks(experiment)) if index not in done]
        reps = experiment.replications
        runs_per_point = np.zeros(len(experiment.points), dtype=np.int64)
        for index in done:
            np.add.at(runs_per_point, np.asarray(chunk_runs(experiment, index)) // reps, 1)
        t0, new_runs = time.perf_counter(), 0

        def report() -> None:
            if on_progress is None:
                return
            elapsed = time.perf_counter() - t0
            on_progress(
                SweepProgress(
                    int(runs_per_point.sum()),
                    experiment.n_runs,
                    int((runs_per_point == reps).sum()),
                    len(experiment.points),
                    new_runs / elapsed if elapsed > 0 else 0.0,
                )
            )

        report()
        for index, tables in ex.imap_unordered(simulate_chunk, chunk_tasks(experiment, todo)):
            for name in TABLES:
                if name in tables:
                    folder.write_chunk(name, index, tables[name])
            ids = np.asarray(chunk_runs(experiment, index))
            np.add.at(runs_per_point, ids // reps, 1)
            new_runs += len(ids)
            report()
        folder.update(status="complete", finished=now())
    return folder
