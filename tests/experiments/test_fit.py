"""How far runs are from dated facts: reading a target off a run, range distances, the fit
table and the calibration objective."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from catchup.config.history import load_history, targets
from catchup.experiments.fit import (
    CENTRING_WEIGHT,
    fit_table,
    measure_run,
    measure_tables,
    median_margin,
    objective,
    range_distance,
    robust_distance,
    value_at,
)
from tests.conftest import write_history


def test_value_at_reads_the_step_whose_period_contains_the_year():
    years = np.array([2000.0, 2000.25, 2000.5, 2000.75])
    values = np.array([1.0, 2.0, 3.0, 4.0])
    assert value_at(years, values, 2000.0) == 1.0
    assert value_at(years, values, 2000.3) == 2.0
    assert value_at(years, values, 2000.9) == 4.0
    assert np.isnan(value_at(years, values, 1999.0))


def test_range_distance_is_zero_inside_and_in_widths_outside():
    assert range_distance(0.35, 0.3, 0.4, 0.1) == 0.0
    assert range_distance(0.3, 0.3, 0.4, 0.1) == 0.0
    assert range_distance(0.45, 0.3, 0.4, 0.1) == pytest.approx(0.5)
    assert range_distance(1960.0, 1964.7, 1964.9, 0.2) == pytest.approx(23.5)


def test_fit_table_medians_intervals_and_objective(tmp_path):
    path = write_history(
        tmp_path,
        "2000,home_share_home_market,0.5,0.4,0.6,s,n\n2005,event,first_home_product,2003,2005,s,n\n",
    )
    ts = targets(load_history(path))
    share = np.linspace(0.45, 0.55, 11)
    years = np.full(11, np.inf)  # no run ever has the event
    fit = fit_table(ts, np.column_stack([share, years]), end_year=2010)
    assert list(fit["target"]) == ["home_share_home_market@2000", "first_product_year"]
    assert fit.loc[0, "median"] == pytest.approx(0.5) and bool(fit.loc[0, "inside"])
    assert fit.loc[0, "q10"] == pytest.approx(0.46) and fit.loc[0, "q90"] == pytest.approx(0.54)
    assert fit.loc[0, "distance"] == 0.0 and fit.loc[0, "centring"] == pytest.approx(0.0)
    # "never" counts as a year after the span: (2011 - 2005) / 2 range widths
    assert not fit.loc[1, "inside"] and fit.loc[1, "distance"] == pytest.approx(3.0)
    assert fit.loc[1, "share_of_runs_with_event"] == 0.0
    assert objective(fit) == pytest.approx(3.0 + CENTRING_WEIGHT * fit["centring"].sum())


def test_objective_is_zero_only_with_all_inside_and_centred():
    ts = targets(
        pd.DataFrame(
            [[2000, "home_share_home_market", "0.5", 0.4, 0.6, "s", "n"]],
            columns=["year", "metric", "value", "low", "high", "source", "note"],
        )
    )
    centred = fit_table(ts, np.array([[0.5]]), end_year=2010)
    edge = fit_table(ts, np.array([[0.59]]), end_year=2010)
    out = fit_table(ts, np.array([[0.7]]), end_year=2010)
    assert objective(centred) == 0.0
    assert 0 < objective(edge) <= CENTRING_WEIGHT
    assert objective(out) > 0.5


def test_measure_tables_matches_measure_run(tmp_path):
    path = write_history(
        tmp_path,
        "2000.5,home_share_home_market,0.5,0.4,0.6,s,n\n2001,event,mission_target,2000,2002,s,n\n",
    )
    ts = targets(load_history(path))
    traj = {"year": np.array([2000.0, 2000.5, 2001.0]), "home_share_home_market": np.array([0.1, 0.2, 0.3])}
    row = {"run_id": 0, "mission_year": float("nan")}
    direct = measure_run(ts, traj, row)
    assert direct == [0.2, np.inf]
    runs = pd.DataFrame([row])
    table = pd.DataFrame({"run_id": 0, **traj})
    assert measure_tables(ts, runs, table).tolist() == [direct]


def test_the_search_keeps_a_median_one_standard_error_inside_its_range():
    """Could fail: a median just inside an edge must cost something when its runs spread widely
    (fresh seeds would put it outside half the time), and nothing when they are tight."""
    spread = np.linspace(0.2, 0.6, 64)  # median 0.4, IQR 0.2: margin 0.93 * 0.2 / 8 = 0.023
    assert median_margin(spread) == pytest.approx(0.93 * 0.2 / 8, rel=0.02)
    assert robust_distance(0.41, 0.3, 0.42, 0.12, median_margin(spread)) > 0  # 0.01 from the edge
    assert robust_distance(0.41, 0.3, 0.42, 0.12, median_margin(np.full(64, 0.41))) == 0
    assert robust_distance(0.36, 0.3, 0.42, 0.12, median_margin(spread)) == 0
    # margins that meet: only the middle of the range is safe
    assert robust_distance(0.35, 0.3, 0.32, 0.02, 0.05) == pytest.approx(0.04 / 0.02)
    # and the search pays it even when the plain distance says "inside"
    edge = pd.DataFrame({"distance": [0.0], "robust_distance": [0.5], "centring": [0.0]})
    assert objective(edge) == pytest.approx(0.5)
