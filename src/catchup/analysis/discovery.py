"""Scenario discovery on a sweep: where in the parameter space an outcome becomes likely.

PRIM (Friedman & Fisher 1999, as used for scenario discovery by Bryant & Lempert 2010) and
extra-trees feature scores come from EMA Workbench (Kwakkel 2017); this module only says what
the inputs and the cases of interest of a catchup sweep are, picks boxes from PRIM's peeling
trajectory by a stated rule, and turns EMA's objects into plain tables. Each run is one
experiment: its point's swept values and factor levels are the inputs, its outcome says
whether it is a case of interest.
"""

from __future__ import annotations

import logging
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from catchup.errors import AnalysisError
from catchup.model.windows import WINDOW_TYPES
from catchup.results.folder import Results, open_results

# Outcomes named by what they mean; any other numeric column of the runs table works with a
# threshold (`final_home_share_home_market >= 0.5`).
NAMED_OUTCOMES: dict[str, str] = {
    "catch_up": "the run caught up (catch_up_year is set)",
    "leadership": "home firms led the home market (leadership_year is set)",
    **{f"{kind}_opened": f"a {kind} window opened" for kind in WINDOW_TYPES},
    **{f"{kind}_rose": f"the home share rose while a {kind} window was open" for kind in WINDOW_TYPES},
}
# Columns of the runs table that are bookkeeping, not outcomes.
NOT_OUTCOMES = ("run_id", "point_id", "seed")
# PRIM's settings (EMA Workbench's defaults): peel 5% a step, stop at 5% of the runs.
PEEL_ALPHA = 0.05
MASS_MIN = 0.05
# Extra trees draw random splits: a fixed seed keeps the feature scores reproducible.
FEATURE_SEED = 20250101
FEATURE_TREES = 250
# A box must cover at least this share of the cases of interest to be chosen (Bryant & Lempert
# 2010 look for boxes that explain most of the cases, not a pure corner of them).
MIN_COVERAGE = 0.5
# A numeric input with at most this many swept values lists the values a box keeps.
MAX_LISTED = 8
# A box counts as significant when every restriction's quasi-p-value is below this.
SIGNIFICANCE = 0.05
DISCOVERY_TABLES = ("discovery_peeling", "discovery_boxes", "discovery_features")


@dataclass(frozen=True)
class Discovery:
    """PRIM's result on one outcome: the peeling trajectory of every box searched, the boxes
    chosen (with their restrictions and quasi-p-values) and the feature scores."""

    outcome: str  # the outcome's label (name, or name with its threshold)
    base_rate: float  # share of runs that are cases of interest
    peeling: pd.DataFrame
    boxes: pd.DataFrame
    features: pd.DataFrame


def outcome_label(outcome: str, threshold: float | None, below: bool) -> str:
    """The outcome as the tables name it: `catch_up`, or `final_home_share_home_market>=0.5`."""
    return outcome if threshold is None else f"{outcome}{'<=' if below else '>='}{threshold:g}"


def numeric_outcomes(runs: pd.DataFrame) -> list[str]:
    """The runs table's numeric outcome columns (bookkeeping left out): what a threshold may
    apply to and what the EMA export carries."""
    return [c for c in runs.columns if c not in NOT_OUTCOMES and pd.api.types.is_numeric_dtype(runs[c])]


def cases_of_interest(
    runs: pd.DataFrame, outcome: str, threshold: float | None = None, below: bool = False, where: str = ""
) -> np.ndarray:
    """Which runs are cases of interest (a yes/no outcome, or a numeric one against a threshold).

    A run whose numeric outcome is undefined (a year that never came) is not a case of interest.
    """
    numeric = numeric_outcomes(runs)
    if outcome in NAMED_OUTCOMES:
        if threshold is not None:
            raise AnalysisError(f"{where}--outcome {outcome} is already yes or no: give no --threshold")
        if outcome in ("catch_up", "leadership"):
            column = "catch_up_year" if outcome == "catch_up" else "leadership_year"
            return runs[column].notna().to_numpy()
        kind, what = outcome.rsplit("_", 1)
        column = f"{kind}_windows" if what == "opened" else f"{kind}_windows_rose"
        return (runs[column] > 0).to_numpy()
    if outcome not in numeric:
        raise AnalysisError(
            f"{where}unknown --outcome {outcome!r} (allowed: {', '.join(NAMED_OUTCOMES)}; or, with "
            f"--threshold, a numeric column of the runs table: {', '.join(numeric)})"
        )
    if threshold is None or not math.isfinite(threshold):
        raise AnalysisError(
            f"{where}--outcome {outcome} is a number: give a finite --threshold (a case of interest "
            f"is a run with {outcome} >= threshold, or <= with --below)"
        )
    values = runs[outcome].to_numpy(float)
    with np.errstate(invalid="ignore"):
        return values <= threshold if below else values >= threshold


def design_inputs(points: pd.DataFrame, base: dict[str, Any] | None = None) -> pd.DataFrame:
    """The sweep's inputs per point: swept values as numbers, factor levels as categories;
    a parameter that some factor levels set and others leave is the base scenario's value
    where left (`base`), so every run has the value it ran with. A column with one value over
    the sweep is no input and is left out."""
    inputs = points.drop(columns=["point_id"]).copy()
    for column in inputs.columns:
        if base and column in base and inputs[column].isna().any():
            inputs[column] = inputs[column].fillna(base[column])
        if pd.api.types.is_bool_dtype(inputs[column]):
            inputs[column] = inputs[column].astype(int)
        elif not pd.api.types.is_numeric_dtype(inputs[column]):
            inputs[column] = inputs[column].astype(str)
        elif pd.api.types.is_integer_dtype(inputs[column]):
            inputs[column] = inputs[column].astype(np.int64)
        else:
            inputs[column] = inputs[column].astype(float)
    varied = [c for c in inputs.columns if inputs[c].nunique(dropna=False) > 1]
    return inputs[varied]


def run_inputs(results: Results, where: str = "") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each run's inputs (its point's) and the runs table, in run order."""
    if results.manifest.kind != "sweep" or not results.has_table("points"):
        raise AnalysisError(f"{where}scenario discovery needs a sweep folder (from `catchup sweep`)")
    points = results.table("points")
    runs = results.table("runs")
    inputs = design_inputs(points, results.manifest.scenario.get("parameters"))
    if inputs.empty:
        raise AnalysisError(f"{where}the sweep varies no parameter or factor: there is nothing to discover")
    inputs.insert(0, "point_id", points["point_id"].to_numpy())
    x = runs[["point_id"]].merge(inputs, on="point_id", how="left").drop(columns=["point_id"])
    return x.reset_index(drop=True), runs.reset_index(drop=True)


def _restrictions(
    box_lims: pd.DataFrame, p_values: dict[str, list[float]], x: pd.DataFrame
) -> list[dict[str, Any]]:
    """The restricted inputs of one box: numeric limits or the levels kept, and quasi-p-values
    (NaN on a side that is not restricted). PRIM cuts between swept values (a grid of 0 and
    0.3 is cut at 0.15), so a numeric input with few values also lists the values kept."""
    rows = []
    for name, (qp_low, qp_high) in p_values.items():
        low, high = box_lims[name].iloc[0], box_lims[name].iloc[1]
        categorical = isinstance(low, set)
        if not categorical:
            values = np.unique(x[name].to_numpy(float))
            inside = values[(values >= low) & (values <= high)]
            kept = " | ".join(f"{v:g}" for v in inside) if len(values) <= MAX_LISTED else ""
        rows.append(
            {
                "parameter": name,
                "low": math.nan if categorical else float(low),
                "high": math.nan if categorical else float(high),
                "levels": " | ".join(sorted(map(str, low))) if categorical else kept,
                "qp_low": math.nan if qp_low < 0 else float(qp_low),
                "qp_high": math.nan if qp_high < 0 else float(qp_high),
            }
        )
    return rows


def choose_box(peeling: pd.DataFrame, min_coverage: float) -> int:
    """The stated rule for picking one box from a peeling trajectory: among the boxes that
    cover at least `min_coverage` of the cases of interest still to explain, the one with the highest coverage
    whose density is not clearly below the densest's (within two binomial standard errors of
    its own density). Why: peeling on past the true region finds small boxes that are denser
    by chance; the rule stops where density stops rising by more than noise. Box 0, the
    whole space, always qualifies."""
    # later searches start from the cases earlier boxes left: coverage relative to those
    eligible = peeling[peeling["coverage"] >= min_coverage * peeling["coverage"].iloc[0] - 1e-12]
    density, n = eligible["density"], eligible["n"].clip(lower=1)
    error = np.sqrt(density * (1.0 - density) / n)
    close = eligible[density + 2.0 * error >= density.max()]
    best = close.sort_values(["coverage", "res_dim", "id"], ascending=[False, True, True], kind="stable")
    return int(best["id"].iloc[0])


def prim_boxes(
    x: pd.DataFrame, y: np.ndarray, min_coverage: float = MIN_COVERAGE, max_boxes: int = 3
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """PRIM boxes, one after another on the runs the earlier boxes left (EMA's covering):
    the peeling trajectory of each search and the box chosen from it. Stops at `max_boxes`,
    or when the chosen box restricts nothing or holds no case of interest."""
    logging.getLogger("EMA").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # EMA's notices on its optional parts (ipyparallel, altair)
        from ema_workbench.analysis import prim  # heavy (scikit-learn, statsmodels): only here

        algorithm = prim.Prim(x, y.astype(int), peel_alpha=PEEL_ALPHA, mass_min=MASS_MIN)
        trajectories, chosen = [], []
        for number in range(1, max_boxes + 1):
            box = algorithm.find_box()
            if box is None:
                break
            peeling = box.peeling_trajectory[["id", "coverage", "density", "mass", "res_dim", "n", "k"]]
            peeling = peeling.astype({"id": int, "res_dim": int, "n": int, "k": int}).astype(
                {"coverage": float, "density": float, "mass": float}
            )
            pick = choose_box(peeling, min_coverage)
            trajectories.append(peeling.assign(box=number, chosen=peeling["id"] == pick))
            stats = peeling.iloc[pick]
            if stats["res_dim"] == 0 or stats["k"] == 0:
                break
            for row in _restrictions(box.box_lims[pick], box.p_values[pick], x):
                chosen.append({"box": number, **stats.drop("id").to_dict(), "peeling_step": pick, **row})
            # later boxes search the runs outside this one (EMA drops the last box's runs)
            box.select(pick)
    peeling = pd.concat(trajectories, ignore_index=True) if trajectories else pd.DataFrame()
    boxes = pd.DataFrame(chosen)
    if not boxes.empty:  # a restriction with quasi-p >= 0.05 may be chance (Bryant & Lempert 2010)
        strongest = boxes[["qp_low", "qp_high"]].min(axis=1)
        boxes["significant"] = strongest.lt(SIGNIFICANCE).groupby(boxes["box"]).transform("all")
    return peeling, boxes


def feature_scores(x: pd.DataFrame, y: np.ndarray, seed: int = FEATURE_SEED) -> pd.DataFrame:
    """How much each input matters for the outcome: extra-trees importances (EMA Workbench,
    classification; scores sum to 1), with a fixed seed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import feature_scoring
        from ema_workbench.analysis.scenario_discovery_util import RuleInductionType

        scores, _ = feature_scoring.get_ex_feature_scores(
            x, y.astype(int), mode=RuleInductionType.CLASSIFICATION, nr_trees=FEATURE_TREES, random_state=seed
        )
    table = scores.reset_index()
    table.columns = ["parameter", "score"]
    return table


def discover(
    source: str | Path | Results,
    outcome: str,
    threshold: float | None = None,
    below: bool = False,
    min_coverage: float = MIN_COVERAGE,
    max_boxes: int = 3,
) -> Discovery:
    """PRIM boxes and feature scores of one outcome over a sweep's runs."""
    results = open_results(source)
    where = f"{results.location}: " if results.location else ""
    if not 0 < min_coverage <= 1:
        raise AnalysisError(f"--min-coverage {min_coverage}: allowed 0 < value <= 1")
    if max_boxes < 1:
        raise AnalysisError(f"--boxes {max_boxes}: allowed 1 or more")
    x, runs = run_inputs(results, where)
    y = cases_of_interest(runs, outcome, threshold, below, where)
    label = outcome_label(outcome, threshold, below)
    hits = int(y.sum())
    if hits == 0 or hits == len(y):
        raise AnalysisError(
            f"{where}{'no' if hits == 0 else 'every'} run of the sweep ({hits} of {len(y)}) has {label}: "
            "a box needs cases of interest and cases without (choose another --outcome or --threshold)"
        )
    peeling, boxes = prim_boxes(x, y, min_coverage, max_boxes)
    if boxes.empty:
        raise AnalysisError(
            f"{where}PRIM found no box for {label} that restricts any input while covering at least "
            f"{min_coverage:g} of its {hits} cases: the outcome does not concentrate in a region of "
            "this sweep (a lower --min-coverage may still find one)"
        )
    features = feature_scores(x, y)
    return Discovery(
        outcome=label,
        base_rate=hits / len(y),
        peeling=peeling.assign(outcome=label),
        boxes=boxes.assign(outcome=label),
        features=features.assign(outcome=label),
    )


def merged_discovery(existing: pd.DataFrame | None, new: pd.DataFrame) -> pd.DataFrame:
    """A discovery table with this outcome's rows replaced (other outcomes' rows kept)."""
    if existing is None or existing.empty:
        return new
    label = new["outcome"].iloc[0]
    return pd.concat([existing[existing["outcome"] != label], new], ignore_index=True)


def ema_results(source: str | Path | Results) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """A sweep as EMA Workbench's `(experiments, outcomes)` pair: one experiment per run, its
    inputs plus EMA's `scenario` (the run id), `policy` (the point id) and `model` (the sweep's
    name) columns; every numeric run outcome as an array (years never reached are NaN)."""
    results = open_results(source)
    x, runs = run_inputs(results, f"{results.location}: " if results.location else "")
    experiments = x.copy()
    experiments["seed"] = runs["seed"].to_numpy()
    experiments["scenario"] = runs["run_id"].to_numpy()
    experiments["policy"] = runs["point_id"].to_numpy()
    experiments["model"] = results.manifest.name
    outcomes = {c: runs[c].to_numpy(float) for c in numeric_outcomes(runs)}
    return experiments, outcomes


def save_ema(experiments: pd.DataFrame, outcomes: dict[str, np.ndarray], path: Path) -> Path:
    """Write the pair with EMA Workbench's own `save_results` (a .tar.gz it reads back with
    `load_results`), through a temporary name so a failed write leaves no half archive."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial.tar.gz")
    logging.getLogger("EMA").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench import ScalarOutcome, save_results

        for name in outcomes:  # EMA saves only outcomes it knows: declaring one registers it
            ScalarOutcome(name)
        save_results((experiments, outcomes), str(partial))
    partial.replace(path)
    return path
