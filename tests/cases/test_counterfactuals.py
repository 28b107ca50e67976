"""The paper's counterfactual claims, as model properties over seeds with a margin.

Each experiment in experiments/counterfactuals/ is run here on 16 seeds a level (paired:
the same seeds for every level); the claim must hold for the median by a stated margin.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

import numpy as np
import pytest

from catchup.config.case import load_case
from catchup.config.experiment import load_experiment
from catchup.experiments.executors import Executor
from catchup.experiments.fit import fit_table, measure_tables
from catchup.experiments.runs import run
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # the historical cases over many seeds: in `make test`, not the quick loop


@cache
def medians(case: str, ex: Executor) -> dict[str, dict[str, float]]:
    """Per counterfactual level: the median of every calibration target over 16 seeds."""
    experiment = load_experiment(ROOT / "experiments" / "counterfactuals" / f"{case}.toml")
    targets = load_case(ROOT / "scenarios" / "cases" / f"{case}.calibrated.toml").targets
    out = {}
    for point in experiment.points:
        scenario = replace(experiment.point_scenario(point), seeds=16, base_seed=11)
        result = run(scenario, executor=ex)
        values = measure_tables(targets, result.runs, result.trajectories)
        fit = fit_table(targets, values, scenario.end_year)
        out[point.labels["history"]] = dict(
            zip(fit["target"], np.nan_to_num(fit["median"], nan=np.inf), strict=True)
        )
    return out


@pytest.mark.parametrize(
    ("case", "level", "target", "margin"),
    [
        ("speech", "no_home_fit", "home_share_home_market@2013.9", -0.15),
        ("shield", "standardised_demand", "home_share_home_market@2011", -0.2),
        ("shield", "no_procurement_preference", "home_share_home_market@2011", -0.02),
        ("two_bombs", "no_mobilisation", "mission_year", 2.0),
        ("td_scdma", "no_operator_adoption", "home_standard_share@2013.9", -0.2),
    ],
)
def test_counterfactual_moves_the_outcome_the_way_the_paper_says(case, level, target, margin, ex):
    found = medians(case, ex)
    change = found[level][target] - found["as_calibrated"][target]
    assert change <= margin if margin < 0 else change >= margin, (case, level, target, change)
