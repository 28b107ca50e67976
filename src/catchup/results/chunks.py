"""Chunked tables of a sweep: fixed ranges of run ids, one Parquet file each.

A chunk's runs file is written last and atomically, so it marks the chunk complete; only
files named exactly `chunk-NNNNNN.parquet` count, and the other tables are read only for
complete chunks, so stray copies and half-finished chunks are never mixed in.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from catchup.errors import ResultsError

MARKER = "runs"  # the table whose chunk file marks a chunk complete
CHUNK_NAME = re.compile(r"^chunk-(\d{6})\.parquet$")


def chunk_name(index: int) -> str:
    return f"chunk-{index:06d}.parquet"


def chunk_index(path: Path) -> int | None:
    """The index of a chunk file, or None for any other file."""
    match = CHUNK_NAME.match(path.name)
    return int(match.group(1)) if match else None


def completed_chunks(folder: Path) -> set[int]:
    """Chunks whose marker file exists (it is written last and atomically)."""
    marker = folder / MARKER
    if not marker.is_dir():
        return set()
    return {i for p in marker.iterdir() if (i := chunk_index(p)) is not None}


def chunk_files(folder: Path, table: str) -> list[Path]:
    """The files of a table's complete chunks, in chunk order; a complete chunk without its
    file of this table is damage, said so, not a silently shorter table."""
    files = [folder / table / chunk_name(i) for i in sorted(completed_chunks(folder))]
    missing = [f.name for f in files if not f.exists()]
    if missing:
        raise ResultsError(
            f"{folder / table}: {', '.join(missing)} missing although the runs of those chunks are there "
            "(the folder was damaged; run the sweep again with --resume to recompute them)"
        )
    return files


def clean_partial(folder: Path, tables: tuple[str, ...]) -> None:
    """Remove temporary files and the files of chunks that never finished; a chunk whose
    marker is there but another of `tables` is missing counts as unfinished (recomputed)."""
    for index in completed_chunks(folder):
        if any(not (folder / t / chunk_name(index)).exists() for t in tables if t != MARKER):
            (folder / MARKER / chunk_name(index)).unlink()
    done = completed_chunks(folder)
    for table in tables:
        path = folder / table
        if not path.is_dir():
            continue
        for file in path.iterdir():
            temporary = file.name.startswith(".") and file.name.endswith(".tmp")
            index = chunk_index(file)
            if temporary or (index is not None and index not in done):
                file.unlink()


def stray_chunks(folder: Path, table: str, n_chunks: int | None) -> list[str]:
    """Chunk files whose index lies beyond the sweep's chunks (from another sweep)."""
    path = folder / table
    if n_chunks is None or not path.is_dir():
        return []
    return sorted(p.name for p in path.iterdir() if (i := chunk_index(p)) is not None and i >= n_chunks)


def expected_rows(path: Path, manifest: Any) -> int:
    """How many runs the chunk file `path` must hold: its range of run ids."""
    index = chunk_index(path)
    size = int(manifest.experiment["chunk_size"])
    assert index is not None
    return max(0, min(size, manifest.n_runs - index * size))
