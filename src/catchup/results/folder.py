"""The one reader and writer of result folders.

Every command and figure goes through `ResultFolder`: `open` parses and checks the
manifest, `table` reads a table lazily (only the columns asked for), `write` writes a whole
folder as one set of atomic files with the manifest last. In-memory results (a run just
computed) offer the same `Results` interface, so figures and analyses take either.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

import pandas as pd
import pyarrow.parquet as pq
from pydantic import ValidationError

from catchup.config.messages import format_validation_error
from catchup.errors import ResultsError
from catchup.files import atomic_path, write_text
from catchup.results.chunks import chunk_files, chunk_name
from catchup.results.manifest import Manifest, TableFormat

MANIFEST = "manifest.json"
FIGURES = "figures"


class Results(Protocol):
    """What analyses and figures read: a result folder on disk or a result in memory."""

    @property
    def manifest(self) -> Manifest: ...

    @property
    def location(self) -> Path | None: ...

    def has_table(self, name: str) -> bool: ...

    def table(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame: ...


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
    except OSError as exc:
        raise ResultsError(f"{path}: cannot be written ({exc.strerror or exc})") from None
    return path


def _columns_of(path: Path, fmt: TableFormat) -> list[str]:
    if fmt == "csv":
        return list(pd.read_csv(path, nrows=0).columns)
    return list(pq.read_schema(path).names)


def check_columns(where: str, name: str, asked: Sequence[str], available: Sequence[str]) -> None:
    """A clear error for columns a table does not have."""
    missing = [c for c in asked if c not in available]
    if missing:
        raise ResultsError(
            f"{where}: table {name!r} has no column {', '.join(map(repr, missing))} "
            f"(columns: {', '.join(available)})"
        )


def _sorted_by_run(table: pd.DataFrame) -> pd.DataFrame:
    if "run_id" not in table:
        return table
    # Chunks hold consecutive run ids; a stable sort keeps each run's rows in their order.
    return table.sort_values("run_id", kind="stable").reset_index(drop=True)


class ResultFolder:
    """A result folder: its manifest and lazily read tables."""

    def __init__(self, path: Path, manifest: Manifest) -> None:
        self.path = path
        self.manifest = manifest

    # -- opening and writing ------------------------------------------------------
    @staticmethod
    def holds_results(path: str | Path) -> bool:
        """Whether a folder holds a result folder (has a manifest)."""
        return (Path(path) / MANIFEST).is_file()

    @classmethod
    def check_target(cls, path: str | Path, kind: str) -> None:
        """Refuse, before any work, an output folder that cannot take a `kind` result: a file,
        a place that cannot be written, or a folder holding a result of another kind."""
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise ResultsError(f"{path}: is a file, not a folder (--out needs a folder)")
        if cls.holds_results(path):
            other = cls.open(path).kind
            if other != kind:
                raise ResultsError(
                    f"{path}: holds a {other} result; a {kind} would mix with it (choose another --out)"
                )
        existing = next((p for p in (path, *path.parents) if p.exists()), Path("."))
        if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
            raise ResultsError(f"{path}: cannot be created ({existing} is not a writable folder)")

    @classmethod
    def open(cls, path: str | Path) -> ResultFolder:
        """Open a folder written by catchup; a folder that is not one is a clear ResultsError."""
        path = Path(path)
        source = path / MANIFEST
        if not source.is_file():
            what = "no such folder" if not path.exists() else "no manifest.json"
            raise ResultsError(
                f"{path}: {what} (not a result folder of catchup run, sweep, attribute or cases)"
            )
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ResultsError(f"{source}: not a readable manifest ({exc})") from None
        if isinstance(data, dict) and "format_version" not in data:
            raise ResultsError(
                f"{source}: written by an earlier version of catchup (no format_version); "
                "run the command that made it again"
            )
        try:
            manifest = Manifest.model_validate(data)
        except ValidationError as err:
            raise ResultsError(format_validation_error(str(source), err, Manifest)) from None
        return cls(path, manifest)

    @classmethod
    def write(cls, path: str | Path, manifest: Manifest, tables: Mapping[str, pd.DataFrame]) -> ResultFolder:
        """Write a whole folder: every table, each file atomically, then the manifest that lists
        them. The one place result folders are written; it refuses a folder of another kind."""
        path = Path(path)
        cls.check_target(path, manifest.kind)
        for name, table in tables.items():
            write_table(table, table_path(path, name, manifest.tables[name]), manifest.tables[name])
        folder = cls(path, manifest)
        folder.save_manifest()
        return folder

    def save_manifest(self) -> None:
        """Write the manifest atomically (after the files it lists)."""
        try:
            write_text(self.manifest.model_dump_json(indent=2) + "\n", self.path / MANIFEST)
        except OSError as exc:
            raise ResultsError(f"{self.path / MANIFEST}: cannot be written ({exc.strerror or exc})") from None

    def update(self, **fields: object) -> None:
        """Change manifest fields (status, finished, ...) and save it."""
        self.manifest = self.manifest.model_copy(update=fields)
        self.save_manifest()

    def add_table(self, name: str, table: pd.DataFrame, fmt: TableFormat = "csv") -> Path:
        """Add a derived table (sensitivity indices, attribution, fit) and record it in the manifest."""
        path = write_table(table, table_path(self.path, name, fmt), fmt)
        self.update(tables={**self.manifest.tables, name: fmt})
        return path

    def write_chunk(self, name: str, index: int, table: pd.DataFrame) -> Path:
        """One chunk of a chunked table, atomically."""
        return write_table(table, self.path / name / chunk_name(index))

    # -- reading -----------------------------------------------------------------
    @property
    def kind(self) -> str:
        return self.manifest.kind

    @property
    def location(self) -> Path:
        return self.path

    @property
    def figures(self) -> Path:
        return self.path / FIGURES

    def has_table(self, name: str) -> bool:
        fmt = self.manifest.tables.get(name)
        if fmt is None:
            return False
        if fmt == "chunks":
            return bool(chunk_files(self.path, name))
        return table_path(self.path, name, fmt).is_file()

    def table(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """A table, with only `columns` read when given; sorted by run id where it has one."""
        fmt = self.manifest.tables.get(name)
        if fmt is None:
            known = ", ".join(self.manifest.tables) or "none"
            raise ResultsError(f"{self.path}: no table {name!r} in this {self.kind} folder (tables: {known})")
        cols = list(columns) if columns is not None else None
        if fmt == "chunks":
            files = chunk_files(self.path, name)
            if not files:
                raise ResultsError(f"{self.path / name}: no finished chunks (has the sweep run?)")
            if cols is not None:
                check_columns(str(self.path), name, cols, _columns_of(files[0], "parquet"))
            table = pd.concat([pd.read_parquet(f, columns=cols) for f in files], ignore_index=True)
            return _sorted_by_run(table)
        path = table_path(self.path, name, fmt)
        if not path.is_file():
            raise ResultsError(f"{path}: missing (the manifest lists table {name!r})")
        if cols is not None:
            check_columns(str(self.path), name, cols, _columns_of(path, fmt))
        if fmt == "csv":
            return pd.read_csv(path, usecols=cols)
        return pd.read_parquet(path, columns=cols)

    def __repr__(self) -> str:
        return f"ResultFolder({str(self.path)!r}, kind={self.kind!r}, tables={list(self.manifest.tables)})"


class InMemoryResults:
    """Results held in memory (runs just computed), read like a folder: `table`, `has_table`,
    `save`. A subclass gives its `manifest` and its `tables()` by name."""

    location: Path | None = None

    @property
    def manifest(self) -> Manifest:
        raise NotImplementedError

    def tables(self) -> dict[str, pd.DataFrame]:
        raise NotImplementedError

    def has_table(self, name: str) -> bool:
        return name in self.tables()

    def table(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        tables = self.tables()
        kind = self.manifest.kind
        if name not in tables:
            raise ResultsError(f"this {kind} result has no table {name!r} (tables: {', '.join(tables)})")
        if columns is None:
            return tables[name]
        check_columns(f"the {kind} result in memory", name, columns, list(tables[name].columns))
        return tables[name][list(columns)]

    def save(self, out_dir: str | Path) -> ResultFolder:
        """Write the tables, then the manifest, into `out_dir` (see `ResultFolder.write`)."""
        return ResultFolder.write(out_dir, self.manifest, self.tables())


def open_results(source: str | Path | Results) -> Results:
    """A result folder by path, or the result object itself (folder or in-memory)."""
    if isinstance(source, (str, Path)):
        return ResultFolder.open(source)
    return source
