"""Sweeps: every point x replication of an experiment, streamed to disk in chunks.

Layout of a sweep folder:
    manifest.json            the experiment as resolved, design hash, versions, status
    points.parquet           one row per design point
    runs/chunk-NNNNNN.parquet          per-run outcomes (the chunk's completion marker)
    windows/chunk-NNNNNN.parquet       detected windows
    trajectories/chunk-NNNNNN.parquet  per-step tables, when the experiment keeps them

A chunk is a fixed range of run ids, computed as one task and written atomically, its
runs file last; a finished chunk is never rewritten. `resume` runs only the chunks whose
runs file is missing, so an interrupted sweep ends with exactly the uninterrupted tables.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from catchup.executors import executor
from catchup.experiment import Experiment
from catchup.run import (
    run_seed,
    simulate,
    trajectory_table,
    window_table,
    write_json,
    write_parquet,
)
from catchup.scenario import Scenario

TABLES = ("trajectories", "windows", "runs")  # write order: runs last marks the chunk done


class SweepError(RuntimeError):
    """A sweep folder that cannot be used as asked (exists, belongs to another design, ...)."""


@dataclass(frozen=True)
class ChunkTask:
    """The work of one chunk: (point scenario, point id, replication, run id, seed) per run."""

    index: int
    runs: tuple[tuple[Scenario, int, int, int, int], ...]
    trajectory_columns: tuple[str, ...]


def chunk_name(index: int) -> str:
    return f"chunk-{index:06d}.parquet"


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
    tables = {
        "runs": pd.DataFrame([o.row for o in outputs]),
        "windows": window_table(outputs),
    }
    if task.trajectory_columns:
        traj = trajectory_table(outputs)
        point_of_run = {o.row["run_id"]: o.row["point_id"] for o in outputs}
        traj.insert(1, "point_id", traj["run_id"].map(point_of_run).astype(np.int64))
        tables["trajectories"] = traj[["run_id", "point_id", "seed", *task.trajectory_columns]]
    return task.index, tables


def _manifest(experiment: Experiment, status: str, started: str, extra: dict[str, Any] | None = None) -> dict:
    from importlib.metadata import version

    from catchup import __version__

    return {
        "kind": "sweep",
        "experiment": experiment.to_dict(),
        "design_hash": experiment.design_hash(),
        "n_chunks": n_chunks(experiment),
        "catchup_version": __version__,
        "mesa_version": version("mesa"),
        "status": status,
        "started": started,
        **(extra or {}),
    }


def completed_chunks(out: Path) -> set[int]:
    """Chunks whose runs file exists (it is written last and atomically)."""
    done = set()
    for path in (out / "runs").glob("chunk-*.parquet"):
        done.add(int(path.stem.split("-")[1]))
    return done


def _clean_partial(out: Path, done: set[int]) -> None:
    """Remove temporary files and the other tables of chunks that never finished."""
    for table in TABLES:
        folder = out / table
        if not folder.exists():
            continue
        for path in folder.iterdir():
            temporary = path.name.startswith(".") and path.name.endswith(".tmp")
            unfinished = path.name.startswith("chunk-") and int(path.stem.split("-")[1]) not in done
            if temporary or unfinished:
                path.unlink()


def prepare(experiment: Experiment, out: Path, resume: bool) -> set[int]:
    """Create or check the sweep folder; return the chunks already finished."""
    manifest_path = out / "manifest.json"
    if manifest_path.exists():
        if not resume:
            raise SweepError(
                f"{out} already holds a sweep; continue it with --resume or choose another --out"
            )
        old = json.loads(manifest_path.read_text())
        if old.get("design_hash") != experiment.design_hash():
            raise SweepError(
                f"{out} holds a sweep of a different design (the experiment or its scenario changed); "
                "use another --out"
            )
        done = completed_chunks(out)
        _clean_partial(out, done)
        return done
    if out.exists() and any(out.iterdir()):
        raise SweepError(f"{out} exists and is not a sweep folder; choose another --out")
    for table in TABLES:
        (out / table).mkdir(parents=True, exist_ok=True)
    write_parquet(experiment.points_table(), out / "points.parquet")
    return set()


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
    jobs: int = 1,
    scheduler: str | None = None,
    resume: bool = False,
    on_progress: Callable[[SweepProgress], None] | None = None,
) -> Path:
    """Run (or continue) a sweep into `out`; returns the folder."""
    from catchup.run import _now

    out = Path(out)
    done = prepare(experiment, out, resume)
    started = _now()
    manifest_path = out / "manifest.json"
    previous = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    write_json(
        _manifest(
            experiment, "running", previous.get("started", started), {"resumed": started} if resume else None
        ),
        manifest_path,
    )
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
    with executor(jobs, scheduler) as ex:
        for index, tables in ex.imap_unordered(simulate_chunk, chunk_tasks(experiment, todo)):
            for name in TABLES:
                if name in tables:
                    write_parquet(tables[name], out / name / chunk_name(index))
            ids = np.asarray(chunk_runs(experiment, index))
            np.add.at(runs_per_point, ids // reps, 1)
            new_runs += len(ids)
            report()
    write_json(
        _manifest(experiment, "complete", previous.get("started", started), {"finished": _now()}),
        manifest_path,
    )
    return out


def read_table(out: str | Path, name: str) -> pd.DataFrame:
    """All chunks of one table, sorted by run id (what an uninterrupted sweep gives)."""
    folder = Path(out) / name
    files = sorted(folder.glob("chunk-*.parquet"))
    if not files:
        raise SweepError(f"{folder}: no chunks (has the sweep run? is this a sweep folder?)")
    table = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    # Chunks hold consecutive run ids; a stable sort keeps each run's rows in their order.
    return table.sort_values("run_id", kind="stable").reset_index(drop=True)


def sweep_status(out: str | Path) -> dict[str, Any]:
    """The manifest plus how many chunks are done."""
    out = Path(out)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["chunks_done"] = len(completed_chunks(out))
    return manifest


__all__ = ["SweepError", "read_table", "sweep", "sweep_status"]
