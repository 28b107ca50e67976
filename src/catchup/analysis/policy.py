"""What a policy search found, read as the paper's organisation modes (Han 2025): which mode a
policy mix is, and a case context's row for a chosen mix (chosen by `policy_points.confirmed`).

The rule that names a mix's mode was written before any search ran, from the paper's three
modes: (b) the whole-nation system is a mission; (c) "enterprise alliance plus state will" is
an alliance with the state buying; (a) enterprise as the main body is everything else (firms
lead, with at most subsidies, procurement or protection beside them).
"""

from __future__ import annotations

from collections.abc import Mapping

from catchup.config.levers import INSTRUMENTS

# An instrument counts in a mix when it is at least this strong ...
ACTIVE_LEVEL = 0.2
# ... and on for at least this many years before the end of the span.
ACTIVE_YEARS = 5.0
# The mode the paper names for each case (digest: ../shared/seed/README.md, organisation modes).
PAPER_MODES = {"speech": "a", "shield": "a", "two_bombs": "b", "td_scdma": "c"}


def active_instruments(point: Mapping[str, float], start_year: float, end_year: float) -> list[str]:
    """The instruments of a mix that are on: level >= ACTIVE_LEVEL for >= ACTIVE_YEARS (a lever
    the search did not move is off)."""
    active = []
    for instrument, level in INSTRUMENTS.items():
        start = float(point.get(f"{instrument}_start", start_year))
        years = float(point.get(f"{instrument}_years", end_year - start))
        on_for = min(start + years, end_year) - start
        if float(point.get(level, 0.0)) >= ACTIVE_LEVEL and on_for >= ACTIVE_YEARS:
            active.append(instrument)
    return active


def organisation_mode(active: list[str]) -> str:
    """The paper's mode of a mix, by its active instruments (the module's rule)."""
    if "mission" in active:
        return "b"
    if "alliance" in active and "procurement" in active:
        return "c"
    return "a"


def context_row(
    case: str, point: Mapping[str, float] | None, start_year: float, end_year: float
) -> dict[str, object]:
    """One case context: a chosen mix (None: no mix reaches the target), its active
    instruments, its mode, and the paper's."""
    paper = PAPER_MODES.get(case)
    row: dict[str, object] = {"context": case, "paper_mode": paper or "none named"}
    if point is None:
        return row | {
            "trial": None,
            "instruments": "no front point reaches it",
            "mode": None,
            "matches": None,
        }
    active = active_instruments(point, start_year, end_year)
    mode = organisation_mode(active)
    return (
        row
        | {k: v for k, v in point.items() if k != "pareto"}
        | {
            "trial": int(point["trial"]),
            "instruments": ", ".join(active) or "none",
            "mode": mode,
            "matches": None if paper is None else mode == paper,
        }
    )
