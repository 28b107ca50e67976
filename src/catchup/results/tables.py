"""Table files of a result folder: where each lives, writing one atomically, and reading one
with every failure (a truncated file, a missing column, a miscount) said as a ResultsError
naming the file."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from catchup.errors import OutputError, ResultsError
from catchup.files import atomic_path
from catchup.results.manifest import TableFormat

# What a damaged table file raises when read: pyarrow's errors, pandas' parser errors, I/O errors.
UNREADABLE = (pa.ArrowException, OSError, ValueError, pd.errors.ParserError, UnicodeDecodeError)


def table_path(folder: Path, name: str, fmt: TableFormat) -> Path:
    """Where a table of a given format lives in a folder."""
    return folder / name if fmt == "chunks" else folder / f"{name}.{'csv' if fmt == 'csv' else 'parquet'}"


def write_table(table: pd.DataFrame, path: Path, fmt: TableFormat = "parquet") -> Path:
    """Write one table file atomically (never a half-written file at `path`)."""
    try:
        with atomic_path(path) as tmp:
            if fmt == "csv":
                table.to_csv(tmp, index=False)
            else:
                table.to_parquet(tmp, index=False)
    except OutputError:
        raise
    except OSError as exc:
        raise ResultsError(f"{path}: cannot be written ({exc.strerror or exc})") from None
    return path


@contextmanager
def _reading(path: Path, fmt: TableFormat) -> Iterator[None]:
    """Any failure to read a table file becomes a ResultsError naming it, never a traceback."""
    try:
        yield
    except UNREADABLE as exc:
        lines = str(exc).strip().splitlines()
        why = lines[0] if lines else type(exc).__name__
        raise ResultsError(f"{path}: damaged, not a readable {fmt} table ({why})") from None


def read_file(path: Path, fmt: TableFormat, columns: list[str] | None) -> pd.DataFrame:
    """One table file (only `columns`, when given)."""
    with _reading(path, fmt):
        if fmt == "csv":
            return pd.read_csv(path, usecols=columns)
        return pd.read_parquet(path, columns=columns)


def columns_of(path: Path, fmt: TableFormat) -> list[str]:
    """A table file's columns, read without its data."""
    with _reading(path, fmt):
        if fmt == "csv":
            return list(pd.read_csv(path, nrows=0).columns)
        return list(pq.read_schema(path).names)


def rows_of(path: Path) -> int:
    """A Parquet file's row count, from its footer."""
    with _reading(path, "parquet"):
        return pq.read_metadata(path).num_rows


def check_columns(where: str, name: str, asked: Sequence[str], available: Sequence[str]) -> None:
    """A clear error for columns a table does not have."""
    missing = [c for c in asked if c not in available]
    if missing:
        raise ResultsError(
            f"{where}: table {name!r} has no column {', '.join(map(repr, missing))} "
            f"(columns: {', '.join(available)})"
        )


def sorted_by_run(table: pd.DataFrame) -> pd.DataFrame:
    if "run_id" not in table:
        return table
    # Chunks hold consecutive run ids; a stable sort keeps each run's rows in their order.
    return table.sort_values("run_id", kind="stable").reset_index(drop=True)
