"""Result folders written as one transaction, by one writer at a time.

Each file is written atomically (`catchup.files`), but a folder is a set of files: a kill
between two of them, or two processes writing at once, would leave a set that belongs to no
single command. So a whole folder is built in a hidden sibling (`.NAME.new-*`) and moved into
place with renames, under a lock on a hidden sibling file (`.NAME.lock`). A reader sees the
old folder or the new one, never a mixture. Sweeps, which add chunks to their folder over
hours, hold the same lock for their whole run and mark themselves complete in the manifest.

What may be replaced is decided before any work (`target_problem`): an empty or missing
folder, or a catchup result of the same kind and name (a re-run). Another kind or name is
replaced only with `overwrite`; a folder holding files that are not a catchup result never is.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from catchup.errors import ResultsError
from catchup.files import UMASK

MANIFEST = "manifest.json"
_HELD: dict[Path, int] = {}  # folders whose lock this process holds, with a re-entry count


def normal(path: str | Path) -> Path:
    """An absolute path with `.` and `..` resolved (symlinks kept), so siblings are well defined."""
    return Path(os.path.abspath(path))


def lock_file(path: Path) -> Path:
    return path.parent / f".{path.name}.lock"


def _unwritable(path: Path) -> Path | None:
    """The nearest existing path above `path` if catchup cannot create files there, else None."""
    existing = next((p for p in path.parents if p.exists()), Path(path.anchor))
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        return existing
    return None


def target_problem(
    path: str | Path,
    kind: str,
    name: str | None,
    overwrite: bool,
    read_kind: Callable[[Path], tuple[str, str]],
) -> str | None:
    """Why `path` cannot take a `kind` result called `name` (None if it can).

    `read_kind(path)` gives the kind and name of the result already there (or raises
    ResultsError for a damaged one). Pure apart from looking at the file system.
    """
    try:
        return _target_problem(Path(path), kind, name, overwrite, read_kind)
    except OSError as exc:  # a name too long, a loop of links, a folder that cannot be listed
        return f"{path}: cannot be used as a result folder ({exc.strerror or exc})"


def _target_problem(
    given: Path, kind: str, name: str | None, overwrite: bool, read_kind: Callable[[Path], tuple[str, str]]
) -> str | None:
    path = normal(given)
    if path == path.parent:
        return f"{given}: the root folder cannot be a result folder (choose a folder under it)"
    cwd = normal(Path.cwd())
    if path == cwd or path in cwd.parents:
        return f"{given}: is the current folder or contains it (choose a folder inside it, e.g. results/x)"
    if path.exists() and not path.is_dir():
        return f"{given}: is a file, not a folder (--out needs a folder)"
    blocked = _unwritable(path)
    if blocked is not None:
        return f"{given}: cannot be created ({blocked} is not a writable folder)"
    if not path.is_dir() or not any(path.iterdir()):
        return None
    if not (path / MANIFEST).is_file():
        return (
            f"{given}: holds files that are not a catchup result; catchup writes only into a new or "
            "empty folder or one of its own result folders (choose another --out)"
        )
    try:
        other_kind, other_name = read_kind(path)
    except ResultsError as exc:
        if overwrite:
            return None
        return f"{exc}; pass --overwrite to replace this damaged folder, or choose another --out"
    if overwrite or (other_kind == kind and name in (None, other_name)):
        return None
    ours = f"a {kind} result" + (f" ({name!r})" if name is not None else "")
    return (
        f"{given}: holds a {other_kind} result ({other_name!r}); {ours} written there would replace it "
        "(pass --overwrite to replace it, or choose another --out)"
    )


@contextmanager
def locked(path: str | Path) -> Iterator[None]:
    """Hold the writer lock of a result folder; a second writer is refused at once, clearly.

    Re-entrant within a process, so a command can take the lock before its work and the
    writer it calls can take it again.
    """
    path = normal(path)
    if path in _HELD:
        _HELD[path] += 1
        try:
            yield
        finally:
            _HELD[path] -= 1
        return
    lock = FileLock(lock_file(path), timeout=0)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except Timeout:
        raise ResultsError(
            f"{path}: another catchup process is writing this folder (lock {lock_file(path)}); "
            "wait for it to finish, or choose another --out"
        ) from None
    except OSError as exc:
        raise ResultsError(f"{path}: cannot be locked for writing ({exc.strerror or exc})") from None
    _HELD[path] = 1
    try:
        _clean_leftovers(path)
        yield
    finally:
        del _HELD[path]
        lock.release()


def _leftovers(path: Path) -> list[Path]:
    return [
        p
        for p in path.parent.glob(f".{path.name}.*-*")
        if p.name.startswith((f".{path.name}.new-", f".{path.name}.old-"))
    ]


def _clean_leftovers(path: Path) -> None:
    """Remove what a killed writer left beside the folder (a half-built or a replaced folder)."""
    for leftover in _leftovers(path):
        shutil.rmtree(leftover, ignore_errors=True)


@contextmanager
def staged(path: str | Path) -> Iterator[Path]:
    """A hidden sibling folder to fill; moved onto `path` only if the block succeeds.

    The caller holds the lock. The old folder, if any, is moved aside first and deleted
    after the new one is in place; a kill between the two renames leaves no folder at
    `path` (and both halves as hidden siblings, removed by the next writer), never a mix.
    """
    path = normal(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{path.name}.new-", dir=path.parent))
    except OSError as exc:
        raise ResultsError(f"{path}: cannot be written ({exc.strerror or exc})") from None
    try:
        yield stage
        os.chmod(stage, 0o777 & ~UMASK)  # mkdtemp makes 0700; give a folder the usual permissions
        _replace(stage, path)
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)


def _replace(new: Path, path: Path) -> None:
    try:
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old-", dir=path.parent))
            os.rename(path, old / "folder")
            os.rename(new, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(new, path)
    except OSError as exc:
        raise ResultsError(f"{path}: cannot be replaced ({exc.strerror or exc})") from None
