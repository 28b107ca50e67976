"""History files as targets, and the distance between simulated medians and target ranges."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from catchup.history import (
    CENTRING_WEIGHT,
    fit_table,
    input_events,
    load_history,
    measure_run,
    measure_tables,
    objective,
    range_distance,
    targets,
    value_at,
)
from catchup.scenario import ScenarioError

HISTORY = Path(__file__).parents[1] / "scenarios" / "cases" / "history"
HEADER = "year,metric,value,low,high,source,note\n"


def write(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "h.csv"
    path.write_text(HEADER + rows)
    return path


def test_shipped_histories_split_into_targets_and_inputs():
    for name, n_targets in {"speech": 2, "shield": 3, "two_bombs": 1, "td_scdma": 3}.items():
        history = load_history(HISTORY / f"{name}.csv")
        found = targets(history)
        assert len(found) == n_targets, name
        assert len(found) + len(input_events(history)) == len(history)
    tb = targets(load_history(HISTORY / "two_bombs.csv"))
    assert tb[0].measure == "mission_year" and (tb[0].low, tb[0].high) == (1964.7, 1964.9)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("2000,home_share_home_market,0.5,0.6,0.4,s,n\n", "must not exceed high"),
        ("2000,home_share_home_market,1.5,0,2,s,n\n", "must lie in [0, 1]"),
        ("2000,market_cap,0.5,0.4,0.6,s,n\n", "unknown metric (allowed: home_share_home_market"),
        ("2000,event,coronation,1999,2001,s,n\n", "unknown event (allowed: mission_target"),
        ("2003,event,mission_target,1999,2001,s,n\n", "outside its own range"),
    ],
)
def test_bad_history_rows_name_the_file_and_row(tmp_path, row, message):
    path = write(tmp_path, row)
    with pytest.raises(ScenarioError) as err:
        load_history(path)
    assert str(path) in str(err.value) and "row 2" in str(err.value) and message in str(err.value)


def test_missing_history_file_and_columns(tmp_path):
    with pytest.raises(ScenarioError, match="no such history file"):
        load_history(tmp_path / "none.csv")
    (tmp_path / "bad.csv").write_text("year,value\n2000,1\n")
    with pytest.raises(ScenarioError, match="missing columns metric"):
        load_history(tmp_path / "bad.csv")


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
    path = write(
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
    path = write(
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
