"""Chunked tables of a sweep: fixed ranges of run ids, one Parquet file each.

A chunk's runs file is written last and atomically, so it marks the chunk complete; only
files named exactly `chunk-NNNNNN.parquet` count, and the other tables are read only for
complete chunks, so stray copies and half-finished chunks are never mixed in.
"""

from __future__ import annotations

import re
from pathlib import Path

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
    """The files of a table's complete chunks, in chunk order."""
    done = completed_chunks(folder)
    return [folder / table / chunk_name(i) for i in sorted(done) if (folder / table / chunk_name(i)).exists()]


def clean_partial(folder: Path, tables: tuple[str, ...]) -> None:
    """Remove temporary files and the other tables' files of chunks that never finished."""
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
