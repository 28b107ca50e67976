"""Atomic file writes: a file is either its old complete self or its new complete self.

Used by every layer that writes (calibrated case files, result folders), so a kill at any
moment never leaves a half-written file under its final name.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from catchup.errors import OutputError


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


UMASK = _current_umask()  # read once: os.umask can only be read by setting it


@contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """A temporary path beside `final` that is renamed onto it only if the block succeeds."""
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    except OSError as exc:
        raise OutputError(f"{final}: cannot be written ({exc.strerror or exc})") from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~UMASK)  # mkstemp makes 0600; give the usual permissions
        try:
            os.replace(tmp_path, final)
        except OSError as exc:  # e.g. a folder of that name is in the way
            raise OutputError(f"{final}: cannot be written ({exc.strerror or exc})") from None
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(text: str, path: Path) -> Path:
    """Write a text file atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def json_text(data: Any) -> str:
    """Strict JSON: a NaN or infinity (a median of runs where an event never happens) becomes
    null, which every JSON reader accepts; `json.dumps` alone would write NaN."""
    return json.dumps(_finite(data), indent=2, default=_json_default, allow_nan=False) + "\n"


def _finite(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(data: Any, path: Path) -> Path:
    """Write JSON atomically."""
    return write_text(json_text(data), path)
