"""Reading the files a user writes (TOML, history CSV), and merging a file with the one it
`extends`; a file that cannot be read is a ScenarioError naming it."""

from __future__ import annotations

import hashlib
import os
import tomllib
from pathlib import Path
from typing import Any

from catchup.errors import ScenarioError

MAX_INPUT_BYTES = 4 * 1024 * 1024  # far above any real scenario, experiment or history file
MAX_EXTENDS_DEPTH = 16  # a chain of files extending each other; real ones have two or three


class _TooDeep(ScenarioError):
    """An `extends` chain over the limit; said once, for the file the user named."""


def read_input(path: Path, name: str = "file", kind: str = "a TOML file") -> bytes:
    """A user's input file as bytes, read once and at most MAX_INPUT_BYTES (so /dev/zero or a
    pipe cannot fill memory); missing, a folder or unreadable is said with the file's name."""
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_INPUT_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such {name}") from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a directory, not {kind}") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_INPUT_BYTES:
        raise ScenarioError(
            f"{path}: larger than {MAX_INPUT_BYTES // 2**20} MiB, the limit for {kind} "
            "(is it the right file?)"
        )
    return raw


def read_toml(path: str | Path) -> tuple[dict[str, Any], str]:
    """Read a TOML file and its SHA-256; a missing or malformed file is a ScenarioError naming it."""
    path = Path(path)
    raw = read_input(path)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: malformed TOML: {exc}") from None
    except RecursionError:
        raise ScenarioError(f"{path}: malformed TOML: tables or arrays nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise ScenarioError(f"{path}: malformed TOML: {exc}") from None
    return data, hashlib.sha256(raw).hexdigest()


def read_extended(
    path: Path, seen: tuple[Path, ...] = (), first: tuple[dict[str, Any], str] | None = None
) -> tuple[dict[str, Any], str, list[Path]]:
    """A scenario file's data with its `extends` chain merged in.

    A calibrated file extends its case file: its [parameters] override the base's, its
    events are added, and any other key replaces the base's. Paths inside the base (the
    calibration history) are made relative to the extending file, so they keep pointing
    at the same file. The hash covers every file in the chain, which is returned too (the file
    itself first), so messages can name every file a value may have come from. `first` is
    the file's own data and hash when already read (a file is read once: it may be a pipe).
    """
    data, digest = first if first is not None else read_toml(path)
    data = dict(data)
    parent = data.pop("extends", None)
    if parent is None:
        return data, digest, [path]
    if not isinstance(parent, str):
        raise ScenarioError(f"{path}: extends = {parent!r}: must be a path to a scenario file (a string)")
    base_path = (path.parent / parent).resolve()
    if base_path in seen or base_path == path.resolve():
        raise ScenarioError(f"{path}: extends = {parent!r}: a cycle of scenario files extending each other")
    if len(seen) + 1 >= MAX_EXTENDS_DEPTH:
        raise _TooDeep()
    try:
        base, base_digest, chain = read_extended(base_path, (*seen, path.resolve()))
    except _TooDeep:
        if seen:
            raise
        raise ScenarioError(
            f"{path}: extends = {parent!r}: a chain of more than {MAX_EXTENDS_DEPTH} files extending each "
            f"other (allowed: at most {MAX_EXTENDS_DEPTH})"
        ) from None
    except ScenarioError as exc:
        raise ScenarioError(f"{path}: extends = {parent!r}: {exc}") from None
    merged = {**base, **data}
    if isinstance(base.get("parameters"), dict) and isinstance(data.get("parameters"), dict):
        merged["parameters"] = {**base["parameters"], **data["parameters"]}
    if isinstance(base.get("events"), list) and isinstance(data.get("events"), list):
        merged["events"] = base["events"] + data["events"]
    calibration = merged.get("calibration")
    if "calibration" not in data and isinstance(calibration, dict) and "history" in calibration:
        history = (base_path.parent / str(calibration["history"])).resolve()
        merged["calibration"] = {**calibration, "history": os.path.relpath(history, path.resolve().parent)}
    return merged, hashlib.sha256((base_digest + digest).encode()).hexdigest(), [path, *chain]
