"""Case scenario files: `extends`, [calibration] checks, founding events and dropped events."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from catchup.config.case import load_case
from catchup.config.experiment import load_experiment
from catchup.config.scenario import load_scenario
from catchup.errors import CalibrationError, ScenarioError
from catchup.experiments.runs import run
from tests.conftest import make_scenario

CASE = """
name = "toy"
start_year = 1990
end_year = 2000
[parameters]
niche_market_size = 0.3
n_home_firms = 0
entrepreneurship = 0.0
[[events]]
year = 1994
home_entrants = 2
label = "founding"
[calibration]
history = "hist/toy.csv"
seeds = 16
base_seed = 5
[calibration.free]
niche_market_size = [0.1, 0.5]
"""


def write_case(tmp_path: Path, text: str = CASE) -> Path:
    (tmp_path / "hist").mkdir(exist_ok=True)
    (tmp_path / "hist" / "toy.csv").write_text(
        "year,metric,value,low,high,source,note\n1998,home_share_home_market,0.2,0.0,1.0,s,n\n"
    )
    path = tmp_path / "toy.toml"
    path.write_text(text)
    return path


def test_calibration_table_resolves_history_relative_to_the_file(tmp_path):
    scenario = load_scenario(write_case(tmp_path))
    assert scenario.calibration["history"] == str((tmp_path / "hist" / "toy.csv").resolve())
    assert scenario.calibration["free"] == {"niche_market_size": (0.1, 0.5)}


def test_extends_merges_parameters_and_keeps_the_history_path(tmp_path):
    write_case(tmp_path)
    sub = tmp_path / "sub"
    sub.mkdir()
    child = sub / "toy.calibrated.toml"
    child.write_text('extends = "../toy.toml"\n[parameters]\nniche_market_size = 0.45\n')
    scenario = load_scenario(child)
    assert scenario.parameters["niche_market_size"] == 0.45
    assert scenario.parameters["n_home_firms"] == 0  # from the base
    assert [e.label for e in scenario.events] == ["founding"]
    assert scenario.calibration["history"] == str((tmp_path / "hist" / "toy.csv").resolve())
    # the hash covers the base: editing the base changes the child's hash
    before = scenario.file_hash
    write_case(tmp_path, CASE.replace("1994", "1995"))
    assert load_scenario(child).file_hash != before


def test_extends_cycles_and_missing_bases_are_clear_errors(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\nname = "a"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\nname = "b"\n')
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(tmp_path / "a.toml")
    (tmp_path / "c.toml").write_text('extends = "none.toml"\nname = "c"\n')
    with pytest.raises(ScenarioError, match=r"none\.toml: no such file"):
        load_scenario(tmp_path / "c.toml")


@pytest.mark.parametrize(
    ("free", "message"),
    [
        (
            "niche_size = [0.1, 0.5]",
            "unknown parameter (allowed: a parameter name from `catchup params`; did you",
        ),
        ("niche_market_size = [0.5, 0.1]", "needs [low, high] with low < high"),
        ("niche_market_size = [0.1, 1.5]", "calibration.free.niche_market_size[1] = 1.5"),
        ("niche_market_size = [0.4, 0.5]", "starting value of a free parameter must lie within its bounds"),
    ],
)
def test_bad_free_parameters_name_file_key_and_allowed(tmp_path, free, message):
    path = write_case(tmp_path, CASE.replace("niche_market_size = [0.1, 0.5]", free))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert str(path) in str(err.value) and "calibration.free." in str(err.value) and message in str(err.value)


def test_calibration_needs_at_least_16_seeds(tmp_path):
    path = write_case(tmp_path, CASE.replace("seeds = 16", "seeds = 8"))
    with pytest.raises(ScenarioError, match=r"calibration\.seeds = 8.*greater than or equal to 16"):
        load_scenario(path)


def test_home_entrants_found_firms_at_the_dated_year():
    scenario = make_scenario(
        {"n_home_firms": 0, "entrepreneurship": 0.0},
        [{"year": 1995, "home_entrants": 3, "label": "founded"}],
        seeds=3,
        end_year=2000,
    )
    result = run(scenario)
    t = result.trajectories
    before, after = t[t["year"] < 1995], t[t["year"] >= 1995]
    assert (before["home_firms_alive"] == 0).all()
    assert (before["relative_capability"] == 0).all() and (before["home_share_home_market"] == 0).all()
    # three founders in the step of 1995 (none exit in the first year with their starting cash)
    assert (after[after["year"] < 1996]["home_firms_alive"] == 3).all()
    assert (result.runs["entrants"] == 3).all()


def test_event_needs_something_to_do():
    with pytest.raises(ScenarioError, match="found home_entrants"):
        make_scenario({}, [{"year": 1995, "label": "nothing"}])


def test_drop_events_removes_a_labelled_event_and_unknown_labels_fail(tmp_path):
    path = write_case(tmp_path)
    exp = tmp_path / "cf.toml"
    exp.write_text(
        f'name = "cf"\nscenario = "{path.name}"\nreplications = 2\n'
        '[factors.history.as_is]\n[factors.history.no_founding]\ndrop_events = ["founding"]\n'
    )
    experiment = load_experiment(exp)
    as_is, dropped = (experiment.point_scenario(p) for p in experiment.points)
    assert [e.label for e in as_is.events] == ["founding"] and dropped.events == ()
    exp.write_text(exp.read_text().replace('["founding"]', '["coronation"]'))
    with pytest.raises(ScenarioError) as err:
        load_experiment(exp)
    assert "drop_events[0] = 'coronation'" in str(err.value) and "allowed: 'founding'" in str(err.value)


def test_dropping_the_founding_leaves_no_home_firms(tmp_path):
    path = write_case(tmp_path)
    scenario = load_scenario(path)
    from dataclasses import replace

    result = run(replace(scenario, events=(), seeds=2))
    assert np.all(result.trajectories["home_firms_alive"] == 0)


def test_extends_errors_name_every_file_of_the_chain(tmp_path):
    (tmp_path / "base.toml").write_text('name = "b"\n[parameters]\npatent_barrier = 3\n')
    (tmp_path / "child.toml").write_text('extends = "base.toml"\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / "child.toml")
    assert "child.toml (extending" in str(err.value) and "base.toml" in str(err.value)
    (tmp_path / "orphan.toml").write_text('extends = "none.toml"\nname = "o"\n')
    with pytest.raises(
        ScenarioError, match=r"orphan\.toml: extends = 'none\.toml': .*none\.toml: no such file"
    ):
        load_scenario(tmp_path / "orphan.toml")


def test_a_case_without_free_parameters_or_with_a_folder_as_history_is_refused(tmp_path):
    empty = write_case(tmp_path, CASE.replace("niche_market_size = [0.1, 0.5]", ""))
    with pytest.raises(ScenarioError, match=r"calibration\.free.*at least 1 item"):
        load_scenario(empty)
    folder = write_case(tmp_path, CASE.replace('history = "hist/toy.csv"', 'history = "hist"'))
    with pytest.raises(ScenarioError, match=r"calibration\.history: .*is a directory"):
        load_case(folder)


def test_a_dated_decision_of_the_history_must_be_an_event_of_the_case(tmp_path):
    """An input row no event sets (the history says the programme began in 2005, the case in
    1994) is refused when the case is loaded, naming the file and the row."""
    path = write_case(tmp_path)
    facts = "1998,home_share_home_market,0.2,0.0,1.0,s,n\n1999,home_share_home_market,0.2,0.0,1.0,s,n\n"
    for founding, ok in (
        ("1994,event,program_start,1994,1994", True),
        ("1997,event,program_start,1997,1998", False),
    ):
        (tmp_path / "hist" / "toy.csv").write_text(
            f"year,metric,value,low,high,source,note\n{founding},s,n\n{facts}"
        )
        if ok:
            assert load_case(path).targets
            continue
        with pytest.raises(CalibrationError) as err:
            load_case(path)
        assert str(path) in str(err.value) and "input row program_start (1997, range 1997 to 1998)" in str(
            err.value
        )
