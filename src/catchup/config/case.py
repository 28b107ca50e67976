"""Historical cases: a case file (a scenario with a [calibration] table), its history
targets, and the calibrated file that `catchup calibrate` writes beside it.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli_w

from catchup.config.builtin import CALIBRATED_SUFFIX, CASES
from catchup.config.history import Target, input_events, load_history, targets
from catchup.config.scenario import Scenario, load_scenario
from catchup.errors import CalibrationError, ScenarioError
from catchup.files import write_text
from catchup.model.parameters import BY_NAME

if TYPE_CHECKING:
    import pandas as pd


def case_path(case: str | Path, cases_dir: Path = CASES, calibrated: bool = False) -> Path:
    """A case name (`speech`) or a path to its file; the calibrated file if asked."""
    given = Path(case)
    if given.suffix == ".toml":
        if calibrated and not given.name.endswith(CALIBRATED_SUFFIX):
            given = given.with_name(given.name.removesuffix(".toml") + CALIBRATED_SUFFIX)
        if not given.exists():
            raise CalibrationError(f"{given}: no such file")
        return given
    path = cases_dir / (str(case) + (CALIBRATED_SUFFIX if calibrated else ".toml"))
    if not path.exists():
        known = sorted(
            p.name.removesuffix(".toml") for p in cases_dir.glob("*.toml") if CALIBRATED_SUFFIX not in p.name
        )
        hint = f"run `catchup calibrate {case}` first; " if calibrated else ""
        raise CalibrationError(
            f"{path}: no such file ({hint}known cases in {cases_dir}: {', '.join(known) or 'none'})"
        )
    return path


PAPER_CASES = ("speech", "shield", "two_bombs", "td_scdma")


def calibrated_cases(cases_dir: Path = CASES) -> list[str]:
    """Cases with a calibrated file, the paper's four first, then any others by name."""
    found = sorted(p.name.removesuffix(CALIBRATED_SUFFIX) for p in cases_dir.glob(f"*{CALIBRATED_SUFFIX}"))
    return [c for c in PAPER_CASES if c in found] + [c for c in found if c not in PAPER_CASES]


def base_case_file(calibrated_file: Path) -> Path:
    """The case file a calibrated file extends."""
    return calibrated_file.with_name(calibrated_file.name.replace(".calibrated", ""))


def calibrated_file(case_file: Path) -> Path:
    """Where the calibrated file of a case file goes."""
    return case_file.with_name(case_file.name.removesuffix(".toml") + CALIBRATED_SUFFIX)


@dataclass(frozen=True)
class Case:
    """A case scenario with its targets, ready to be evaluated at any free-parameter values."""

    scenario: Scenario
    targets: tuple[Target, ...]  # the calibration targets: all that a search ever reads
    history_sha256: str
    validation: tuple[Target, ...] = ()  # kept out of every search, reported apart

    @property
    def all_targets(self) -> tuple[Target, ...]:
        """Calibration and validation targets in year order (what replication reports)."""
        return tuple(sorted((*self.targets, *self.validation), key=lambda t: t.year))

    @property
    def prior(self) -> dict[str, tuple[float, float]]:
        return self.calibration.get("prior", {})

    @property
    def free(self) -> dict[str, tuple[float, float]]:
        assert self.scenario.calibration is not None
        return self.scenario.calibration["free"]

    @property
    def calibration(self) -> dict[str, Any]:
        assert self.scenario.calibration is not None
        return self.scenario.calibration

    def with_values(self, values: dict[str, Any]) -> Scenario:
        params = dict(self.scenario.parameters)
        params.update(values)
        return replace(self.scenario, parameters=params)


def load_case(path: str | Path) -> Case:
    """A case file (or a calibrated file extending one) with its history targets."""
    scenario = load_scenario(path)
    if scenario.calibration is None:
        raise CalibrationError(
            f"{path}: no [calibration] table (a case needs history = <csv> and [calibration.free])"
        )
    history_path = Path(scenario.calibration["history"])
    try:
        history = load_history(history_path)
    except ScenarioError as exc:
        raise CalibrationError(f"{path}: calibration.history: {exc}") from None
    target_list = tuple(targets(history, "calibrate"))
    validation = tuple(targets(history, "validate"))
    if not target_list:
        raise CalibrationError(
            f"{path}: calibration.history {history_path} has no calibration targets "
            "(share rows or outcome events with use = calibrate)"
        )
    problem = identification_problem(scenario.calibration, len(target_list))
    if problem:
        raise CalibrationError(f"{path}: {problem} (calibration targets in {history_path})")
    span = (scenario.start_year, scenario.end_year)
    outside = [
        t.name
        for t in (*target_list, *validation)
        if (not t.is_event and not span[0] <= t.year < span[1]) or (t.is_event and t.low >= span[1])
    ]
    if outside:
        raise CalibrationError(
            f"{path}: targets {', '.join(outside)} in {history_path} lie outside the span "
            f"(allowed: start_year {span[0]:g} <= year < end_year {span[1]:g})"
        )
    missing = unset_inputs(scenario, history)
    if missing:
        raise CalibrationError(
            "\n".join(f"{path}: {m} in {history_path} is set by no event of the scenario" for m in missing)
            + " (allowed: an [[events]] table dated within the row's range; a programme or generation "
            "within its range may also be the scenario's start)"
        )
    digest = hashlib.sha256(history_path.read_bytes()).hexdigest()
    return Case(scenario, target_list, digest, validation)


def within(year: float, low: float, high: float) -> bool:
    """A whole-number bound means the whole calendar year (2002 covers 2002.0 to 2002.99)."""
    top = high + 1 if float(high).is_integer() else high
    return low <= year < top or year == high


def unset_inputs(scenario: Scenario, history: pd.DataFrame) -> list[str]:
    """The history's dated decisions (input rows) that no event of the scenario sets: a case must
    set what its history says happened, or its fit would rest on a different history."""
    missing = []
    for row in input_events(history).itertuples(index=False):
        low, high = float(row.low), float(row.high)
        if row.value in ("program_start", "new_generation") and within(scenario.start_year, low, high):
            continue  # the scenario starts with it (the first programme or generation)
        if row.value == "new_generation" and high <= scenario.start_year:
            continue  # a generation that began before the span is the span's first generation
        if not any(
            within(e.year, low, high) and (row.value != "new_generation" or e.new_generation)
            for e in scenario.events
        ):
            missing.append(f"input row {row.value} ({row.year:g}, range {low:g} to {high:g})")
    return missing


def identification_problem(calibration: dict[str, Any], n_targets: int) -> str | None:
    """More free parameters than the facts can identify: with n calibration targets, at most
    n - 1 free parameters may go without a documented prior (each prior is a further fact)."""
    bare = [k for k in calibration["free"] if k not in calibration.get("prior", {})]
    allowed = max(n_targets - 1, 0)
    if len(bare) <= allowed:
        return None
    return (
        f"free parameters without a prior: {len(bare)} ({', '.join(bare)}), for {n_targets} calibration "
        f"target(s); at most {allowed} may go without one (fix the rest at sourced values, or give "
        "each a [calibration.prior] name = [mean, sd])"
    )


def stale_reason(case: Case, case_file: Path) -> str | None:
    """Why a calibrated file no longer matches its case file or history, if it does not."""
    info = case.scenario.calibrated or {}
    base = load_case(case_file)
    if info.get("history_sha256") != base.history_sha256:
        return "the history file changed since calibration"
    if info.get("case_sha256") != base.scenario.file_hash:
        return f"{case_file} changed since calibration"
    return None


def keep_reason(case_file: Path, objective: float) -> str | None:
    """Why the calibrated file already there should stay rather than be replaced by a search
    that reached `objective` (None: replace it). A better or equal one that is not stale stays;
    a missing, unreadable or stale one never does."""
    existing = calibrated_file(case_file)
    if not existing.is_file():
        return None
    try:
        case = load_case(existing)
        stale = stale_reason(case, case_file)
    except ScenarioError:
        return None
    old = (case.scenario.calibrated or {}).get("objective")
    if stale is not None or old is None or old > objective:
        return None
    return f"{existing} has a better or equal objective ({old:.6g} <= {objective:.6g})"


def write_calibrated(
    case: Case, case_file: Path, values: dict[str, Any], search: dict[str, Any], target: Path | None = None
) -> Path:
    """Write `<case>.calibrated.toml` next to the case file, or to `target` (a candidate), atomically:
    values plus provenance.

    `search` holds what the search found: objective, distance, trials and the study's name.
    """
    cal = case.calibration
    target = calibrated_file(case_file) if target is None else target
    data = {
        "extends": os.path.relpath(case_file.resolve(), target.resolve().parent),
        "parameters": {
            k: (int(v) if BY_NAME[k].type is int else round(float(v), 6)) for k, v in values.items()
        },
        "calibrated": {
            "objective": round(search["objective"], 6),
            "distance": round(search["distance"], 6),
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "trials": search["trials"],
            "seeds": cal["seeds"],
            "base_seed": cal["base_seed"],
            "study": search["study"],
            "case_sha256": case.scenario.file_hash or "",
            "history_sha256": case.history_sha256,
            "identification": search.get("identification", []),
        },
    }
    header = (
        f"# Written by `catchup calibrate {case.scenario.name}`: the free parameters' values found by the\n"
        f"# search, over {cal['seeds']} seeds from base seed {cal['base_seed']}. Regenerate, do not edit.\n"
    )
    return write_text(header + tomli_w.dumps(data), target)
