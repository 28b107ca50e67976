"""Running a scenario's seeds (serially or on a process pool) and writing the result tables.

Every run's seed is derived from the scenario's base seed and the run's index through
`numpy.random.SeedSequence`, so results never depend on worker count or order.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from catchup.model import TRAJECTORY_COLUMNS, CatchUpModel
from catchup.outcomes import run_outcomes
from catchup.scenario import Scenario
from catchup.windows import WINDOW_TYPES, detect_windows

RUN_KEYS = ("run_id", "seed")
WINDOW_COLUMNS = ("run_id", "seed", "type", "open_year", "close_year", "seized", "still_open")


def run_seed(base_seed: int, run_id: int) -> int:
    """The seed of run `run_id`: a child of the base seed's SeedSequence, as a 63-bit integer."""
    state = np.random.SeedSequence(base_seed, spawn_key=(run_id,)).generate_state(2, dtype=np.uint32)
    return int((int(state[0]) << 31) ^ int(state[1]))


@dataclass
class RunOutput:
    """One run: its outcome row, its trajectory columns and its windows."""

    row: dict[str, Any]
    trajectory: dict[str, np.ndarray]
    windows: list[dict[str, Any]]


def simulate(scenario: Scenario, run_id: int, seed: int) -> RunOutput:
    """Run the model once and summarise it; pure given (scenario, seed)."""
    model = CatchUpModel(
        scenario.parameters,
        rng=seed,
        start_year=scenario.start_year,
        end_year=scenario.end_year,
        steps_per_year=scenario.steps_per_year,
        events=scenario.events,
    )
    model.run()
    traj = {k: np.asarray(v, dtype=float) for k, v in model.trajectory.items()}
    windows, signals = detect_windows(traj, scenario.steps_per_year)
    for kind in WINDOW_TYPES:
        traj[f"window_{kind}"] = signals[kind]
    row = {"run_id": run_id, "seed": seed}
    row.update(
        run_outcomes(
            traj,
            windows,
            catch_up_threshold=model.p.catch_up_threshold,
            mission_target=model.p.mission_target,
        )
    )
    row["entrants"] = model.entrants
    win_rows = [
        {
            "run_id": run_id,
            "seed": seed,
            "type": w.type,
            "open_year": w.open_year,
            "close_year": w.close_year,
            "seized": w.seized,
            "still_open": w.still_open,
        }
        for w in windows
    ]
    return RunOutput(row, traj, win_rows)


def _simulate_args(args: tuple[Scenario, int, int]) -> RunOutput:
    return simulate(*args)


@dataclass
class RunResult:
    """The tables of a scenario's runs, sorted by run id, plus when and how they were made."""

    scenario: Scenario
    runs: pd.DataFrame
    trajectories: pd.DataFrame
    windows: pd.DataFrame
    seeds: list[int]
    started: str
    finished: str
    jobs: int


def iter_outputs(scenario: Scenario, seeds: list[int], jobs: int = 1) -> Iterator[RunOutput]:
    """Yield run outputs as they finish, serially or on a pool of `jobs` processes."""
    tasks = [(scenario, run_id, seed) for run_id, seed in enumerate(seeds)]
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield _simulate_args(task)
        return
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("forkserver")) as pool:
        futures = [pool.submit(_simulate_args, task) for task in tasks]
        for future in as_completed(futures):
            yield future.result()


def run(
    scenario: Scenario,
    seeds: int | None = None,
    jobs: int = 1,
    on_progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Run `seeds` replications (default: the scenario's) and return the tables.

    `on_progress(done, total)` is called after each run, for progress bars.
    """
    n = scenario.seeds if seeds is None else seeds
    if n < 1:
        raise ValueError("seeds must be at least 1")
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    run_seeds = [run_seed(scenario.base_seed, i) for i in range(n)]
    started = _now()
    outputs: list[RunOutput] = []
    for out in iter_outputs(scenario, run_seeds, jobs):
        outputs.append(out)
        if on_progress:
            on_progress(len(outputs), n)
    outputs.sort(key=lambda o: o.row["run_id"])
    return RunResult(
        scenario=scenario,
        runs=pd.DataFrame([o.row for o in outputs]),
        trajectories=trajectory_table(outputs),
        windows=window_table(outputs),
        seeds=run_seeds,
        started=started,
        finished=_now(),
        jobs=jobs,
    )


def trajectory_table(outputs: list[RunOutput]) -> pd.DataFrame:
    frames = []
    for out in outputs:
        n = len(out.trajectory["step"])
        cols: dict[str, Any] = {
            "run_id": np.full(n, out.row["run_id"], dtype=np.int64),
            "seed": np.full(n, out.row["seed"], dtype=np.int64),
        }
        for name in TRAJECTORY_COLUMNS:
            cols[name] = out.trajectory[name]
        for kind in WINDOW_TYPES:
            cols[f"window_{kind}"] = out.trajectory[f"window_{kind}"].astype(bool)
        frames.append(pd.DataFrame(cols))
    table = pd.concat(frames, ignore_index=True)
    for name in ("step", "generation", "home_firms_alive"):
        table[name] = table[name].astype(np.int64)
    table["mission_active"] = table["mission_active"].astype(bool)
    return table


def window_table(outputs: list[RunOutput]) -> pd.DataFrame:
    rows = [w for out in outputs for w in out.windows]
    table = pd.DataFrame(rows, columns=list(WINDOW_COLUMNS))
    return table.astype(
        {
            "run_id": np.int64,
            "seed": np.int64,
            "type": str,
            "open_year": float,
            "close_year": float,
            "seized": bool,
            "still_open": bool,
        }
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# -- writing -----------------------------------------------------------------------


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


@contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """A temporary path beside `final` that is renamed onto it only if the block succeeds."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp_path, final)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_parquet(table: pd.DataFrame, path: Path) -> None:
    """Write a table atomically (never a half-written file at `path`)."""
    with atomic_path(path) as tmp:
        table.to_parquet(tmp, index=False)


def write_json(data: dict[str, Any], path: Path) -> None:
    """Write JSON atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, default=_json_default) + "\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def manifest(result: RunResult) -> dict[str, Any]:
    """What was run, with what, when: enough to reproduce the tables."""
    from catchup import __version__

    return {
        "scenario": result.scenario.to_dict(),
        "seeds": result.seeds,
        "n_runs": len(result.seeds),
        "jobs": result.jobs,
        "catchup_version": __version__,
        "mesa_version": version("mesa"),
        "python_version": platform.python_version(),
        "started": result.started,
        "finished": result.finished,
        "files": ["runs.parquet", "trajectories.parquet", "windows.parquet"],
    }


def write_results(result: RunResult, out_dir: str | Path) -> Path:
    """Write the three tables and the manifest into `out_dir` (manifest last)."""
    out = Path(out_dir)
    write_parquet(result.runs, out / "runs.parquet")
    write_parquet(result.trajectories, out / "trajectories.parquet")
    write_parquet(result.windows, out / "windows.parquet")
    write_json(manifest(result), out / "manifest.json")
    return out


def summary(result: RunResult) -> dict[str, Any]:
    """Short summary: catch-up share, median catch-up year, windows by type."""
    runs = result.runs
    n = len(runs)
    caught = runs["catch_up_year"].notna()
    by_type = {}
    for kind in WINDOW_TYPES:
        opened = runs[f"{kind}_windows"] > 0
        seized = runs[f"{kind}_windows_seized"] > 0
        by_type[kind] = {
            "runs_with_window": float(opened.mean()),
            "runs_seizing": float(seized.mean()),
            "windows": int(runs[f"{kind}_windows"].sum()),
            "seized": int(runs[f"{kind}_windows_seized"].sum()),
        }
    return {
        "runs": n,
        "catch_up_share": float(caught.mean()),
        "median_catch_up_year": float(runs.loc[caught, "catch_up_year"].median()) if caught.any() else None,
        "leadership_share": float(runs["leadership_year"].notna().mean()),
        "median_final_relative_capability": float(runs["final_relative_capability"].median()),
        "median_final_home_share_home_market": float(runs["final_home_share_home_market"].median()),
        "windows": by_type,
    }
