"""History files: dated facts split into targets and inputs, with clear errors for bad rows."""

from __future__ import annotations

import pytest

from catchup.config.history import input_events, load_history, targets
from catchup.errors import ScenarioError
from tests.conftest import CASES, write_history

HISTORY = CASES / "history"


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
