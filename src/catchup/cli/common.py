"""What every command shares: consoles, error handling, progress bars, options, formatting.

Errors a user can cause (`CatchupError`) become one message on stderr and exit status 2;
their text, and any text that holds a path or a key, is printed as it is, never read as Rich
markup, so brackets in a path or key survive.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

import catchup.analysis as analysis
import catchup.results as results
from catchup.errors import CatchupError, CatchupWarning
from catchup.files import json_text

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130

# Wide tables stay readable when output goes to a file or a pipe.
out = Console(highlight=False) if sys.stdout.isatty() else Console(width=220, highlight=False)
err = Console(stderr=True, highlight=False)

# Options several commands share.
Jobs = Annotated[int, typer.Option("--jobs", min=1, help="Worker processes.")]
Quiet = Annotated[bool, typer.Option("--quiet", help="No progress bar.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
Sets = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a parameter: name=value (repeatable); see `catchup params`."),
]
Overwrite = Annotated[
    bool,
    typer.Option(
        "--overwrite",
        help="Replace a result of another kind or name in --out (never a folder of other files).",
    ),
]
Scheduler = Annotated[
    str | None,
    typer.Option("--scheduler", help="Dask scheduler: tcp://host:port, or 'local' for a LocalCluster here."),
]


def say(message: str, console: Console = out) -> None:
    """Print plain text (no markup, no highlighting)."""
    console.print(Text(message), soft_wrap=True)


def warn(message: str) -> None:
    err.print(Text("warning: ", style="bold yellow") + Text(message), soft_wrap=True)


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print an error and exit (status 2 by default: bad input)."""
    err.print(Text("error: ", style="bold red") + Text(message), soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def handled() -> Iterator[None]:
    """Turn input errors into a clear message and exit status 2; leave bugs as tracebacks.
    catchup's own warnings (e.g. reading an unfinished sweep) are printed once, as warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("default", CatchupWarning)
        shown = warnings.showwarning

        def show(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
            if issubclass(category, CatchupWarning):
                warn(str(message))
            else:
                shown(message, category, *args, **kwargs)

        warnings.showwarning = show
        try:
            yield
        except CatchupError as exc:
            fail(str(exc))


@contextmanager
def progress(
    description: str, total: int, quiet: bool = False, extra: tuple[ProgressColumn, ...] = (), **fields: Any
) -> Iterator[Callable[..., None]]:
    """A progress bar on stderr; yields `update(completed=..., **fields)`."""
    columns = [
        TextColumn("{task.description}", style="bold", markup=False),  # a name is never markup
        BarColumn(),
        MofNCompleteColumn(),
        *extra,
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=err, disable=quiet) as bar:
        task = bar.add_task(description, total=total, **fields)
        yield lambda **kw: bar.update(task, **kw)


def interrupted(message: str) -> NoReturn:
    """Ctrl-C: say what is kept and how to continue, exit 130."""
    err.print(Text("interrupted: ", style="bold yellow") + Text(message), soft_wrap=True)
    raise typer.Exit(EXIT_INTERRUPTED)


def default_out(out_dir: Path | None, name: str) -> Path:
    """--out, or results/<name> (names are checked when files are read: never a path, never
    starting with a dot, so this stays under results/)."""
    return out_dir if out_dir is not None else Path("results") / name


def check_table_out(path: Path | None) -> None:
    """Refuse, before any work, a table file that cannot be written: wrong suffix, a folder in
    the way, or a parent that is not a writable folder."""
    if path is None:
        return
    if path.suffix not in (".csv", ".parquet"):
        fail(f"--out {path}: unknown table format {path.suffix or '(no suffix)'} (allowed: .csv, .parquet)")
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        fail(f"--out {path}: is a folder (give a file name ending in .csv or .parquet)")
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        fail(f"--out {path}: cannot be written ({parent} is not a writable folder)")


def write_table(table: Any, path: Path) -> None:
    """A table as .csv or .parquet (by its suffix), atomically; the caller checked `path`
    before its work (`check_table_out`)."""
    with handled():
        results.write_table(table, path, "parquet" if path.suffix == ".parquet" else "csv")


def print_json(data: Any) -> None:
    sys.stdout.write(json_text(data))


def print_records(table: Any) -> None:
    sys.stdout.write(table.to_json(orient="records", indent=2) + "\n")


# Columns of readable tables that hold words, left-aligned in a terminal.
TEXT_COLUMNS = {"outcome", "parameter", "dated fact", "used for", "source", "measure", "unit", "meaning"}
Format = Annotated[
    str | None,
    typer.Option(
        "--format",
        help="Print the readable table (names, units and 95% intervals as in the report) as csv, "
        "markdown or latex, for a paper.",
    ),
]


def check_format(fmt: str | None) -> None:
    """Refuse an unknown --format before any work."""
    if fmt is not None and fmt not in analysis.TABLE_FORMATS:
        fail(f"--format {fmt}: one of {', '.join(analysis.TABLE_FORMATS)}")


def print_readable(table: Any, title: str, fmt: str | None) -> None:
    """A readable table: in the terminal (rich), or as csv, markdown or latex on stdout."""
    if fmt is not None:
        print(analysis.render_table(table, fmt), end="")
        return
    view = Table(title=escape(title))
    for i, col in enumerate(table.columns):
        view.add_column(escape(col), justify="left" if i == 0 or col in TEXT_COLUMNS else "right")
    for row in table.itertuples(index=False):
        view.add_row(*(escape(str(v)) for v in row))
    out.print(view)
