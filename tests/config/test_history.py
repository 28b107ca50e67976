"""History files: dated facts split into targets and inputs, with clear errors for bad rows."""

from __future__ import annotations

import pytest

from catchup.config.history import input_events, load_history, targets
from catchup.errors import ScenarioError
from tests.conftest import CASES, write_history

HISTORY = CASES / "history"


def test_shipped_histories_split_into_calibration_validation_and_inputs():
    for name in ("speech", "shield", "two_bombs", "td_scdma"):
        history = load_history(HISTORY / f"{name}.csv")
        calibration, validation = targets(history, "calibrate"), targets(history, "validate")
        assert len(calibration) + len(validation) + len(input_events(history)) == len(history), name
        # the floor: two validation facts, one of them after the last calibration fact
        assert len(validation) >= 2, name
        last = max(t.high if t.is_event else t.year for t in calibration)
        assert max(t.year for t in validation) > last, name
        assert all(t.source.strip() for t in (*calibration, *validation)), name
    milestones = targets(load_history(HISTORY / "two_bombs.csv"))
    assert [t.measure for t in milestones] == ["mission_year", "mission_year_2", "mission_year_3"]
    assert (milestones[0].low, milestones[0].high, milestones[0].use) == (1964.7, 1964.9, "calibrate")


def test_a_history_without_the_use_column_calibrates_on_every_target(tmp_path):
    path = write_history(
        tmp_path, "2000,home_share_home_market,0.5,0.4,0.6,s,n\n2001,event,policy,2001,2001,s,n\n"
    )
    history = load_history(path)
    assert list(history["use"]) == ["calibrate", "input"]
    assert [t.use for t in targets(history)] == ["calibrate"] and targets(history, "validate") == []


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "2000,home_share_home_market,0.5,0.4,0.6,fit,s,n\n",
            "use = 'fit' (allowed for this row: calibrate, validate)",
        ),
        ("2000,event,policy,2000,2000,validate,s,n\n", "use = 'validate' (allowed for this row: input)"),
        (
            "2000,largest_home_firm_share,0.5,0.4,0.6,,s,n\n",
            "use = nan (allowed for this row: calibrate, validate)",
        ),
    ],
)
def test_a_bad_use_names_the_row_and_the_allowed_values(tmp_path, row, message):
    path = tmp_path / "h.csv"
    path.write_text("year,metric,value,low,high,use,source,note\n" + row)
    with pytest.raises(ScenarioError) as err:
        load_history(path)
    assert f"{path}: row 2" in str(err.value) and message in str(err.value)


def test_more_milestones_than_the_model_reports_are_refused(tmp_path):
    rows = "".join(f"{y},event,mission_target,{y},{y},s,n\n" for y in (1960, 1962, 1964, 1966))
    with pytest.raises(ScenarioError, match="4 mission_target rows \\(allowed: at most 3 milestones\\)"):
        load_history(write_history(tmp_path, rows))


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
    path = write_history(tmp_path, row)
    with pytest.raises(ScenarioError) as err:
        load_history(path)
    assert str(path) in str(err.value) and "row 2" in str(err.value) and message in str(err.value)


def test_missing_history_file_and_columns(tmp_path):
    with pytest.raises(ScenarioError, match="no such history file"):
        load_history(tmp_path / "none.csv")
    (tmp_path / "bad.csv").write_text("year,value\n2000,1\n")
    with pytest.raises(ScenarioError, match="missing columns metric"):
        load_history(tmp_path / "bad.csv")


def test_a_misspelt_column_is_refused_not_ignored(tmp_path):
    """A `Use` column read as absent would make every validation fact a calibration fact."""
    path = tmp_path / "h.csv"
    path.write_text(
        "year,metric,value,low,high,Use,source,note\n2000,home_share_home_market,0.5,0.4,0.6,validate,s,n\n"
    )
    with pytest.raises(
        ScenarioError,
        match=r"unknown columns 'Use' \(allowed: year, metric, value, low, high, source, note, use\)",
    ):
        load_history(path)


def test_the_same_fact_twice_is_refused(tmp_path):
    rows = "2000,home_share_home_market,0.5,0.4,0.6,s,n\n2000,home_share_home_market,0.5,0.4,0.6,t,n\n"
    with pytest.raises(ScenarioError, match="rows 2, 3 state the same fact twice"):
        load_history(write_history(tmp_path, rows))
    firsts = "2000,event,first_home_product,1999,2001,s,n\n2003,event,first_home_product,2002,2004,s,n\n"
    with pytest.raises(ScenarioError, match="more than one first_home_product row"):
        load_history(write_history(tmp_path, firsts))
