"""Docking: the shipped reference set-ups load, their checks measure what they say, a run
gives the same tables serial or parallel, and a bad docking file is refused by key."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from catchup.analysis.docking import docking_tables, matches, measure
from catchup.cli import app
from catchup.config.docking import CheckSpec, docking_with_overrides, load_docking
from catchup.errors import ScenarioError
from catchup.experiments.docking import dock
from tests.conftest import ROOT

SHIPPED = ("llm2017", "mnow_computers")


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_docking_states_its_reference_and_changes_something_per_counterfactual(name):
    docking = load_docking(name)
    assert len(docking.statements) >= 5 and docking.counterfactuals
    for key, variant in docking.variants.items():
        base = docking.baseline
        assert (
            variant.parameters != base.parameters
            or variant.buyers != base.buyers
            or variant.cohorts != base.cohorts
        ), key


def check(**kw) -> CheckSpec:
    kw.setdefault("from", 2)
    kw.setdefault("to", 3)
    return CheckSpec.model_validate(kw)


TRAJ = {
    "a": np.array([0.9, 0.8, 0.6, 0.2]),
    "b": np.array([0.1, 0.2, 0.4, 0.8]),
}


def test_measures_read_the_periods_they_name():
    assert measure(TRAJ, check(measure="mean", column="a"), 1) == pytest.approx(0.7)
    assert measure(TRAJ, check(measure="largest", column="a", among=["a", "b"]), 1) == 1.0
    assert (
        measure(TRAJ, check(measure="largest", column="b", among=["a", "b"], **{"from": 4, "to": 4}), 1)
        == 1.0
    )
    assert measure(TRAJ, check(measure="lead", column="a", among=["a", "b"]), 1) == pytest.approx(0.4)
    assert measure(TRAJ, check(measure="below", column="b", than="a"), 1) == 1.0
    assert measure(TRAJ, check(measure="reaches", column="b", at_least=0.8), 1) == 0.0  # period 4 is outside
    assert measure(TRAJ, check(measure="first", column="b", at_least=0.3, **{"from": 1, "to": 4}), 1) == 3.0
    assert np.isnan(measure(TRAJ, check(measure="first", column="b", at_least=0.9), 1))
    # two steps per period: period 2 is steps 3-4
    assert measure(TRAJ, check(measure="mean", column="a", **{"from": 2, "to": 2}), 2) == pytest.approx(0.4)


def test_a_statement_matches_within_its_tolerance_or_beyond_its_bound():
    assert matches(0.65, 0.6, "about", 0.1) and not matches(0.75, 0.6, "about", 0.1)
    assert matches(0.8, 0.73, "above", 0.0) and not matches(0.7, 0.73, "above", 0.0)


def test_a_docking_run_is_the_same_serial_and_parallel(ex):
    docking = load_docking("mnow_computers")
    serial = docking_tables(docking, dock(docking, seeds=3))
    parallel = docking_tables(docking, dock(docking, seeds=3, executor=ex))
    pd.testing.assert_frame_equal(serial.statements, parallel.statements)
    pd.testing.assert_frame_equal(serial.counterfactuals, parallel.counterfactuals)
    pd.testing.assert_frame_equal(serial.paths, parallel.paths)
    assert len(serial.statements) == len(docking.statements)
    assert set(serial.counterfactuals["counterfactual"]) == set(docking.counterfactuals)


def test_overrides_reach_the_baseline_and_every_counterfactual_under_their_own_changes():
    docking = docking_with_overrides(load_docking("llm2017"), {"home_bias": 0.5, "lock_in": 0.8})
    assert docking.baseline.parameters["home_bias"] == 0.5
    assert all(v.parameters["home_bias"] == 0.5 for v in docking.variants.values())
    assert docking.variants["less_lock_in"].parameters["lock_in"] == 0.6  # its own change stays on top


GOOD = """
name = "d"
reference = "a test"
scenario = "{scenario}"
seeds = 3
[[statements]]
text = "incumbents hold most"
measure = "mean"
column = "share_incumbents"
from = 1
to = 10
reference = 0.9
tolerance = 0.1
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "d.toml"
    path.write_text(text.replace("{scenario}", str(ROOT / "tests" / "data" / "short.toml")))
    return path


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('column = "share_incumbents"', 'column = "share_nobody"'),
            "statements[0].column 'share_nobody': not recorded",
        ),
        (("to = 10", "to = 100000"), "statements[0].to = 100000: after the scenario's last period"),
        (('measure = "mean"', 'measure = "largest"'), "needs among"),
        (('measure = "mean"', 'measure = "median"'), "measure"),
        (("tolerance = 0.1", "tolerance = -1"), "tolerance"),
        (('reference = "a test"', 'reference = "a test"\nextra = 1'), "extra"),
        (
            (
                "seeds = 3",
                'seeds = 3\n[counterfactuals.x]\ntext = "t"\nset = { no_such = 1 }\n'
                '[[counterfactuals.x.checks]]\nmeasure = "mean"\ncolumn = "share_incumbents"\n'
                'from = 1\nto = 2\ndirection = "up"',
            ),
            "counterfactuals.x.set",
        ),
    ],
)
def test_a_bad_docking_file_is_refused_naming_file_and_key(tmp_path, change, expected):
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(ScenarioError) as info:
        load_docking(path)
    assert str(path) in str(info.value) and expected in str(info.value)


def test_dock_command_writes_both_tables_and_the_figure(tmp_path):
    path = write(tmp_path, GOOD)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["dock", str(path), "--seeds", "2", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "1 of 1 statements hold" in result.output or "0 of 1 statements hold" in result.output
    for name in ("statements.csv", "counterfactuals.csv", "paths.csv", "docking.md", "docking.png"):
        assert (out / name).is_file(), name
    table = pd.read_csv(out / "statements.csv")
    assert list(table["statement"]) == ["incumbents hold most"]


def test_dock_command_names_an_unknown_docking():
    result = CliRunner().invoke(app, ["dock", "no_such_docking"])
    assert result.exit_code == 2
    assert "no_such_docking" in result.output and "llm2017" in result.output


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('name = "d"', 'name = "d"\nlabels = { ghost = "G" }'),
            "labels.ghost: not a cohort of the scenario",
        ),
        (
            ("tolerance = 0.1", 'tolerance = 0.1\namong = ["share_incumbents"]'),
            "among is not read by measure",
        ),
        (("tolerance = 0.1", 'relation = "above"\ntolerance = 0.1'), "tolerance is not read with relation"),
        (("tolerance = 0.1", ""), "relation = 'about' needs a tolerance"),
        (
            (
                "seeds = 3",
                'seeds = 3\n[counterfactuals.x]\ntext = "t"\n[[counterfactuals.x.checks]]\n'
                'measure = "mean"\ncolumn = "share_incumbents"\nfrom = 1\nto = 2\ndirection = "up"',
            ),
            "counterfactuals.x = {...}: a counterfactual needs set",
        ),
        (
            ("from = 1", "start = 1"),
            "statements[0].start = 1: unknown key (allowed: measure, column, from, to",
        ),
    ],
)
def test_a_docking_file_says_what_is_inconsistent_in_it(tmp_path, change, expected):
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(ScenarioError) as info:
        load_docking(path)
    assert expected in str(info.value)


def test_a_counterfactual_on_another_calendar_or_a_missing_file_is_refused_with_its_key(tmp_path):
    other = tmp_path / "other.toml"
    other.write_text(f'extends = "{ROOT / "tests" / "data" / "short.toml"}"\nname = "o"\nend_year = 1999\n')
    cf = (
        '\n[counterfactuals.x]\ntext = "t"\nscenario = "{}"\n[[counterfactuals.x.checks]]\nmeasure = "mean"\n'
        'column = "share_incumbents"\nfrom = 1\nto = 2\ndirection = "up"\n'
    )
    for target, expected in [
        (other, "end_year = 1999 differs from the baseline's 2000"),
        (tmp_path / "nope.toml", "no such file"),
    ]:
        path = write(tmp_path, GOOD + cf.format(target))
        with pytest.raises(ScenarioError) as info:
            load_docking(path)
        assert f"{path}: counterfactuals.x.scenario" in str(info.value) and expected in str(info.value)


def test_a_scenario_file_given_to_dock_is_said_not_to_be_a_docking_file():
    with pytest.raises(ScenarioError, match="not a docking file"):
        load_docking(ROOT / "tests" / "data" / "short.toml")


def test_runs_that_leave_the_valid_range_are_left_out_not_read_as_zero(tmp_path):
    scenario = tmp_path / "ovf.toml"
    scenario.write_text(
        'name = "ovf"\nstart_year = 1800\nend_year = 2300\nsteps_per_year = 2\n[parameters]\n'
        "generation_hazard = 1.0\ngeneration_ceiling_ratio = 10.0\n"
    )
    path = tmp_path / "d.toml"
    path.write_text(
        f'name = "ovf"\nreference = "r"\nscenario = "{scenario}"\nseeds = 4\n[[statements]]\ntext = "t"\n'
        'measure = "reaches"\ncolumn = "share_incumbents"\nat_least = 0.0\nfrom = 1\nto = 10\n'
        "reference = 1.0\ntolerance = 0.01\n"
    )
    docking = load_docking(path)
    result = docking_tables(docking, dock(docking, seeds=4))
    assert result.invalid_runs == 4  # about 390 generations of ten times the ceiling: 10 ** 390 overflows
    assert result.statements["runs"].iloc[0] == 0 and np.isnan(result.statements["catchup"].iloc[0])
    assert not result.statements["holds"].iloc[0]


def test_dock_refuses_a_bad_out_before_running_and_keeps_a_what_if_apart(tmp_path):
    runner = CliRunner()
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    result = runner.invoke(app, ["dock", "llm2017", "--seeds", "2", "--out", str(a_file), "--quiet"])
    assert result.exit_code == 2 and "is a file, not a folder" in result.output
    path = write(tmp_path, GOOD)
    plain = runner.invoke(app, ["dock", str(path), "--seeds", "2", "--quiet"])
    what_if = runner.invoke(app, ["dock", str(path), "--seeds", "2", "--quiet", "--set", "home_bias=0.5"])
    assert plain.exit_code == 0 and what_if.exit_code == 0, what_if.output
    folders = sorted(p.name for p in (Path("results") / "docking").iterdir() if not p.name.startswith("."))
    assert folders[0] == "d" and folders[1].startswith("d-set-")  # the what-if has a folder of its own
    manifest = (Path("results") / "docking" / folders[1] / "manifest.json").read_text()
    assert '"home_bias": 0.5' in manifest
    other = runner.invoke(
        app, ["dock", "mnow_computers", "--seeds", "2", "--quiet", "--out", "results/docking/d"]
    )
    assert other.exit_code == 2 and "holds a docking result ('d')" in other.output
