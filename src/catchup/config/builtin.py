"""The scenarios, cases and experiments that ship with the package, found by name.

`catchup run baseline` works after `pip install`: a name that is not a file is looked up
among the built-in scenario files (`catchup scenarios` lists them). In a checkout the
built-in folders are links to the repository's `scenarios/` and `experiments/`, so there is
one copy of each file.
"""

from __future__ import annotations

from pathlib import Path

from catchup.errors import ScenarioError

BUILTIN = Path(__file__).parents[1] / "builtin"
SCENARIOS = BUILTIN / "scenarios"
EXPERIMENTS = BUILTIN / "experiments"
CASES = SCENARIOS / "cases"
CALIBRATED_SUFFIX = ".calibrated.toml"


def builtin_names(folder: Path) -> dict[str, Path]:
    """Name -> file for every TOML file under `folder`: its path relative to it, without `.toml`."""
    if not folder.is_dir():
        return {}
    return {str(path.relative_to(folder).with_suffix("")): path for path in sorted(folder.rglob("*.toml"))}


def _candidates(name: str, folder: Path) -> list[Path]:
    return [
        folder / f"{name}.toml",
        folder / "cases" / f"{name}{CALIBRATED_SUFFIX}",
        folder / "cases" / f"{name}.toml",
    ]


def short_name(path: Path, folder: Path = SCENARIOS) -> str | None:
    """The bare name a built-in case's calibrated file also answers to (`speech`), if any."""
    if path.parent == folder / "cases" and path.name.endswith(CALIBRATED_SUFFIX):
        return path.name.removesuffix(CALIBRATED_SUFFIX)
    return None


def find(name_or_path: str | Path, folder: Path = SCENARIOS, what: str = "scenario") -> Path:
    """A file path as given, or the built-in file of that name.

    Names are those `catchup scenarios` lists (`baseline`, `cases/speech`,
    `cases/speech.calibrated`); a bare case name (`speech`) means its calibrated file, as the
    dashboard and `catchup cases` use it. Anything that is a file, ends in `.toml`, is absolute
    or climbs with `..` is a path.
    """
    given = Path(name_or_path)
    try:
        exists = given.exists() and not given.is_dir()  # a file, or a pipe (read once)
    except OSError:  # e.g. a name too long: a path, whose reading says what is wrong
        exists = True
    if exists or given.suffix == ".toml" or given.is_absolute() or ".." in given.parts:
        return given
    for candidate in _candidates(str(name_or_path), folder):
        if candidate.is_file():
            return candidate
    known = ", ".join(builtin_names(folder)) or "none"
    raise ScenarioError(f"{name_or_path}: no such file or built-in {what} (built-in: {known})")
