"""The one reader and writer of result folders.

Every command and figure goes through `ResultFolder`: `open` parses and checks the
manifest, `table` reads a table lazily (only the columns asked for), `write` writes a whole
folder as one set of atomic files with the manifest last. In-memory results (a run just
computed) offer the same `Results` interface, so figures and analyses take either.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Protocol

import pandas as pd
from pydantic import ValidationError

from catchup.config.messages import format_validation_error
from catchup.errors import PartialResultsWarning, ResultsError
from catchup.files import write_text
from catchup.results.chunks import chunk_files, chunk_name, expected_rows, stray_chunks
from catchup.results.manifest import Manifest, TableFormat
from catchup.results.tables import (
    check_columns,
    columns_of,
    read_file,
    rows_of,
    sorted_by_run,
    table_path,
    write_table,
)
from catchup.results.transaction import MANIFEST, locked, staged, target_problem


class Results(Protocol):
    """What analyses and figures read: a result folder on disk or a result in memory."""

    @property
    def manifest(self) -> Manifest: ...

    @property
    def location(self) -> Path | None: ...

    def has_table(self, name: str) -> bool: ...

    def table(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame: ...


class ResultFolder:
    """A result folder: its manifest and lazily read tables."""

    def __init__(self, path: Path, manifest: Manifest) -> None:
        self.path = path
        self.manifest = manifest
        self._warned = False

    # -- opening and writing ------------------------------------------------------
    @staticmethod
    def holds_results(path: str | Path) -> bool:
        """Whether a folder holds a result folder (has a manifest)."""
        return (Path(path) / MANIFEST).is_file()

    @classmethod
    def check_target(
        cls, path: str | Path, kind: str, name: str | None = None, overwrite: bool = False
    ) -> None:
        """Refuse, before any work, an output folder that cannot take a `kind` result called
        `name`: a file, the root, a place that cannot be written, a folder of other files, or
        another kind's or name's result (unless `overwrite`)."""
        problem = target_problem(path, kind, name, overwrite, _kind_and_name)
        if problem:
            raise ResultsError(problem)

    @classmethod
    def open(cls, path: str | Path) -> ResultFolder:
        """Open a folder written by catchup; a folder that is not one is a clear ResultsError."""
        path = Path(path)
        source = path / MANIFEST
        if not source.is_file():
            what = "no such folder" if not path.exists() else "no manifest.json"
            raise ResultsError(
                f"{path}: {what} "
                "(not a result folder of catchup run, sweep, attribute, cases, dock or policy)"
            )
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise ResultsError(f"{source}: not a readable manifest ({exc})") from None
        except OSError as exc:
            raise ResultsError(f"{source}: cannot be read ({exc.strerror or exc})") from None
        if not isinstance(data, dict):
            raise ResultsError(
                f"{source}: not a manifest (a JSON object is expected, found {type(data).__name__})"
            )
        if "format_version" not in data:
            raise ResultsError(
                f"{source}: written by an earlier version of catchup (no format_version); "
                "run the command that made it again"
            )
        try:
            manifest = Manifest.model_validate(data)
        except ValidationError as err:
            raise ResultsError(format_validation_error(str(source), err, Manifest)) from None
        folder = cls(path, manifest)
        folder.verify()
        return folder

    def verify(self) -> None:
        """Every single-file table the manifest lists is there and readable (its footer), and
        the runs table holds `n_runs` rows: a damaged folder is refused as a whole, so no
        reader draws from its intact half. (Chunks are checked as they are read.)"""
        for name, fmt in self.manifest.tables.items():
            if fmt == "chunks":
                continue
            path = self._single_file(name, fmt)
            if fmt == "parquet":
                rows = rows_of(path)
                if name == "runs" and rows != self.manifest.n_runs:
                    raise ResultsError(
                        f"{path}: holds {rows} runs but {self.path / MANIFEST} lists n_runs = "
                        f"{self.manifest.n_runs} (the folder was changed after it was written; run it again)"
                    )

    def _single_file(self, name: str, fmt: TableFormat) -> Path:
        """The file of a one-file table, which must exist."""
        path = table_path(self.path, name, fmt)
        if not path.is_file():
            raise ResultsError(f"{path}: missing (the manifest lists table {name!r})")
        return path

    @classmethod
    def write(
        cls,
        path: str | Path,
        manifest: Manifest,
        tables: Mapping[str, pd.DataFrame],
        *,
        overwrite: bool = False,
        extras: Callable[[Path], object] | None = None,
    ) -> ResultFolder:
        """Write a whole folder as one transaction: every table (and `extras(folder)`, e.g.
        figures) into a hidden sibling, the manifest last, then one move into place under the
        folder's lock. The one place result folders are written."""
        path = Path(path)
        with locked(path):
            cls.check_target(path, manifest.kind, manifest.name, overwrite)
            with staged(path) as stage:
                for name, table in tables.items():
                    fmt = manifest.tables[name]
                    write_table(table, table_path(stage, name, fmt), fmt)
                if extras is not None:
                    extras(stage)
                cls(stage, manifest).save_manifest()
        return cls(path, manifest)

    def save_manifest(self) -> None:
        """Write the manifest atomically (after the files it lists)."""
        try:
            write_text(self.manifest.model_dump_json(indent=2) + "\n", self.path / MANIFEST)
        except OSError as exc:
            raise ResultsError(f"{self.path / MANIFEST}: cannot be written ({exc.strerror or exc})") from None

    def update(self, **fields: object) -> None:
        """Change manifest fields (status, finished, ...) and save it."""
        with locked(self.path):
            self.manifest = self.manifest.model_copy(update=fields)
            self.save_manifest()

    def add_table(self, name: str, table: pd.DataFrame, fmt: TableFormat = "csv") -> Path:
        """Add a derived table (e.g. sensitivity indices) and record it in the manifest."""
        with locked(self.path):
            path = write_table(table, table_path(self.path, name, fmt), fmt)
            self.update(tables={**self.manifest.tables, name: fmt})
        return path

    def write_chunk(self, name: str, index: int, table: pd.DataFrame) -> Path:
        """One chunk of a chunked table, atomically (the caller holds the lock)."""
        return write_table(table, self.path / name / chunk_name(index))

    # -- reading -----------------------------------------------------------------
    @property
    def kind(self) -> str:
        return self.manifest.kind

    @property
    def location(self) -> Path:
        return self.path

    @property
    def partial(self) -> str | None:
        """Why the folder holds fewer runs than its manifest plans (None when complete)."""
        if self.kind != "sweep":
            return None
        done = sum(rows_of(f) for f in chunk_files(self.path, "runs")) if self.has_table("runs") else 0
        if self.manifest.status == "complete" and done == self.manifest.n_runs:
            return None
        running = self.manifest.status == "running"
        what = "an unfinished sweep" if running else "a partial sweep (it finished, but chunks were removed)"
        return (
            f"{self.path}: {what}, {done} of {self.manifest.n_runs} runs "
            f"(finish it with: catchup sweep EXPERIMENT --out {self.path} --resume)"
        )

    def has_table(self, name: str) -> bool:
        fmt = self.manifest.tables.get(name)
        if fmt is None:
            return False
        if fmt == "chunks":
            return bool(chunk_files(self.path, name))
        return table_path(self.path, name, fmt).is_file()

    def table(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """A table, with only `columns` read when given; sorted by run id where it has one.
        Files are checked as they are read (readable; chunks holding their runs); one-file
        tables were counted when the folder was opened (`verify`)."""
        fmt = self.manifest.tables.get(name)
        if fmt is None:
            known = ", ".join(self.manifest.tables) or "none"
            raise ResultsError(f"{self.path}: no table {name!r} in this {self.kind} folder (tables: {known})")
        cols = list(columns) if columns is not None else None
        if fmt == "chunks":
            return self._chunked(name, cols)
        path = self._single_file(name, fmt)
        if cols is not None:
            check_columns(str(self.path), name, cols, columns_of(path, fmt))
        return read_file(path, fmt, cols)

    def _chunked(self, name: str, cols: list[str] | None) -> pd.DataFrame:
        stray = stray_chunks(self.path, name, self.manifest.details.get("n_chunks"))
        if stray:
            raise ResultsError(
                f"{self.path / name}: {', '.join(stray)} do not belong to this sweep of "
                f"{self.manifest.details.get('n_chunks')} chunks (remove them, or run the sweep again)"
            )
        files = chunk_files(self.path, name)
        if not files:
            raise ResultsError(f"{self.path / name}: no finished chunks (has the sweep run?)")
        if cols is not None:
            check_columns(str(self.path), name, cols, columns_of(files[0], "parquet"))
        if name == "runs":
            for f in files:
                expected, rows = expected_rows(f, self.manifest), rows_of(f)
                if rows != expected:
                    raise ResultsError(
                        f"{f}: holds {rows} runs, not the {expected} of its chunk (the folder was "
                        "changed after it was written; delete the file and continue with --resume)"
                    )
        if not self._warned:  # said, and counted, once per opened folder
            self._warned = True
            if message := self.partial:
                warnings.warn(message, PartialResultsWarning, stacklevel=3)
        table = pd.concat([read_file(f, "parquet", cols) for f in files], ignore_index=True)
        return sorted_by_run(table)

    def __repr__(self) -> str:
        return f"ResultFolder({str(self.path)!r}, kind={self.kind!r}, tables={list(self.manifest.tables)})"


def _kind_and_name(path: Path) -> tuple[str, str]:
    manifest = ResultFolder.open(path).manifest
    return manifest.kind, manifest.name


@contextmanager
def writing(path: str | Path, kind: str, name: str | None = None, overwrite: bool = False) -> Iterator[Path]:
    """Check an output folder and hold its lock for a command's whole work, so a folder that
    cannot take the result is refused before any run, and no second writer joins in."""
    ResultFolder.check_target(path, kind, name, overwrite)
    with locked(path):
        ResultFolder.check_target(path, kind, name, overwrite)
        yield Path(path)


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

    def with_table(self, name: str, table: pd.DataFrame) -> InMemoryResults:
        """The same result with a derived table added (saved with it, in the same transaction)."""
        return replace(self, extra_tables={**self.extra_tables, name: table})  # type: ignore[call-arg, type-var, attr-defined]

    def save(
        self, out_dir: str | Path, *, overwrite: bool = False, extras: Callable[[Path], object] | None = None
    ) -> ResultFolder:
        """Write the tables, then the manifest, into `out_dir` as one transaction (see
        `ResultFolder.write`)."""
        return ResultFolder.write(out_dir, self.manifest, self.tables(), overwrite=overwrite, extras=extras)


def open_results(source: str | Path | Results) -> Results:
    """A result folder by path, or the result object itself (folder or in-memory)."""
    if isinstance(source, (str, Path)):
        return ResultFolder.open(source)
    return source
