"""The case commands end to end (in-process): calibrate, validate, cases, counterfactual comparison."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.cli.test_cli import catchup_cli
from tests.conftest import ROOT, write_toy_case


def toy_cases(tmp_path: Path) -> Path:
    cases = tmp_path / "cases"
    write_toy_case(cases, low=0.0, high=1.0, trials=2)
    return cases


def test_calibrate_then_validate_a_case(tmp_path):
    cases = toy_cases(tmp_path)
    # a validation fact no search may read: out of reach, so reading it would show in the fit
    with (cases / "toy.csv").open("a") as history:
        history.write("1994,largest_home_firm_share,0.99,0.98,1.0,test,n\n")
    text = (cases / "toy.csv").read_text().replace("source,note", "use,source,note")
    lines = text.splitlines()
    lines[1] = lines[1].replace(",test,", ",calibrate,test,")
    lines[2] = lines[2].replace(",test,", ",validate,test,")
    (cases / "toy.csv").write_text("\n".join(lines) + "\n")
    db = f"sqlite:///{tmp_path / 'toy.db'}"
    done = catchup_cli("calibrate", "toy", "--cases-dir", str(cases), "--storage", db, "--quiet")
    assert done.exit_code == 0, done.stderr
    assert "best of 2 trials" in done.stdout and "inside" in done.stdout
    assert (cases / "toy.calibrated.toml").exists()
    fit = pd.read_csv(tmp_path / "results" / "calibration" / "toy" / "calibration_fit.csv")
    assert list(fit["target"]) == ["home_share_home_market@1995"] and fit["inside"].all()
    identification = pd.read_csv(tmp_path / "results" / "calibration" / "toy" / "identification.csv")
    assert list(identification["parameter"]) == ["niche_market_size"] and identification["prior"].all()
    checked = catchup_cli("validate", "toy", "--cases-dir", str(cases), "--json", "--roots", "2")
    assert checked.exit_code == 0, checked.stderr  # a missed validation fact is reported, not failed
    report = json.loads(checked.stdout, parse_constant=lambda c: pytest.fail(f"not strict JSON: {c}"))
    assert (
        report["all_inside"] and report["base_seed"] == 6 and report["seeds"] == 16 and report["roots"] == 2
    )
    assert report["validation_facts"] == 1 and report["validation_inside"] == 0.0
    fit = pd.DataFrame(report["fit"])
    assert sorted(set(fit["root"])) == [6, 7] and report["stale"] is None
    assert set(fit.loc[fit["use"] == "validate", "target"]) == {"largest_home_firm_share@1994"}
    assert set(fit.loc[fit["use"] == "calibrate", "target"]) == {"home_share_home_market@1995"}


def test_validate_exits_1_when_a_target_is_missed_and_warns_when_stale(tmp_path):
    cases = toy_cases(tmp_path)
    db = f"sqlite:///{tmp_path / 'toy.db'}"
    assert (
        catchup_cli("calibrate", "toy", "--cases-dir", str(cases), "--storage", db, "--quiet").exit_code == 0
    )
    (cases / "toy.csv").write_text(
        "year,metric,value,low,high,source,note\n1995,home_share_home_market,0.99,0.98,1.0,test,n\n"
    )
    checked = catchup_cli("validate", "toy", "--cases-dir", str(cases))
    assert checked.exit_code == 1
    assert "calibration targets missed" in checked.stdout
    assert "history file changed since calibration" in checked.stderr
    # no validation facts: their share inside is undefined, written as null, never as NaN
    as_json = catchup_cli("validate", "toy", "--cases-dir", str(cases), "--json")
    strict = json.loads(as_json.stdout, parse_constant=lambda c: pytest.fail(f"not strict JSON: {c}"))
    assert strict["validation_inside"] is None and strict["validation_facts"] == 0


def test_case_commands_reject_bad_input_clearly(tmp_path):
    cases = toy_cases(tmp_path)
    unknown = catchup_cli("validate", "nope", "--cases-dir", str(cases))
    assert unknown.exit_code == 2 and "nope.calibrated.toml: no such file" in unknown.stderr
    assert "known cases" in unknown.stderr and "toy" in unknown.stderr
    uncalibrated = catchup_cli("validate", "toy", "--cases-dir", str(cases))
    assert uncalibrated.exit_code == 2 and "run `catchup calibrate toy` first" in uncalibrated.stderr
    bad_storage = catchup_cli(
        "calibrate", "toy", "--cases-dir", str(cases), "--storage", "nosuchdb://x", "--quiet"
    )
    assert bad_storage.exit_code == 2 and "--storage nosuchdb://x" in bad_storage.stderr


def test_cases_replicates_a_case_with_history_figure_fit_and_summary(tmp_path):
    out = tmp_path / "cases"
    done = catchup_cli("cases", "two_bombs", "--seeds", "4", "--out", str(out), "--quiet")
    assert done.exit_code == 0, done.stderr
    assert "summary:" in done.stdout
    fit = pd.read_csv(out / "two_bombs" / "fit.csv")
    assert list(fit["target"]) == ["mission_year", "mission_year_2", "mission_year_3"]
    assert list(fit["use"]) == ["calibrate", "validate", "validate"]
    identification = pd.read_csv(out / "two_bombs" / "identification.csv")
    assert list(identification["parameter"]) == ["talent_concentration"]
    assert (out / "two_bombs" / "figures" / "history.png").stat().st_size > 10_000
    assert (out / "two_bombs" / "runs.parquet").exists()
    summary = (out / "summary.md").read_text()
    assert "| two_bombs " in summary and "year the mission reached its target (milestone 2)" in summary
    assert "mission_year" not in summary  # facts in words, not column names
    data = json.loads((out / "summary.json").read_text(), parse_constant=lambda c: pytest.fail(c))
    assert data["cases"][0]["case"] == "two_bombs" and data["cases"][0]["seeds"] == 4


def test_counterfactual_sweep_compare_and_figure(tmp_path):
    scenario = ROOT / "scenarios" / "cases" / "two_bombs.calibrated.toml"
    experiment = tmp_path / "cf.toml"
    experiment.write_text(
        f'name = "cf"\nscenario = "{scenario}"\nreplications = 4\nbase_seed = 1\n'
        'trajectories = ["home_share_home_market", "relative_capability", "mission_progress",'
        ' "mission_active"]\n'
        "[factors.history.as_calibrated]\n"
        '[factors.history.no_mobilisation]\ndrop_events = ["Central Special Committee"]\n'
    )
    out = tmp_path / "sweep"
    assert catchup_cli("sweep", str(experiment), "--out", str(out), "--quiet").exit_code == 0
    compared = catchup_cli("compare", str(out), "--reference", "as_calibrated", "--json")
    assert compared.exit_code == 0, compared.stderr
    rows = pd.DataFrame(json.loads(compared.stdout))
    mission = rows[(rows["outcome"] == "mission_year") & (rows["history"] == "no_mobilisation")].iloc[0]
    assert mission["change"] > 1.0 and mission["change_low"] > 0  # later without mobilisation
    bad = catchup_cli("compare", str(out), "--reference", "nope")
    assert (
        bad.exit_code == 2
        and "is not a level of any factor (allowed: history: as_calibrated, no_mobilisation)" in bad.stderr
    )
    drawn = catchup_cli("plot", str(out), "--kind", "counterfactual")
    assert drawn.exit_code == 0, drawn.stderr
    assert (out / "figures" / "counterfactual.png").stat().st_size > 10_000


def test_check_accepts_every_case_file():
    files = sorted(str(p) for p in (ROOT / "scenarios" / "cases").glob("*.toml"))
    assert len(files) >= 10  # four cases, their calibrated files, two hard cases
    result = catchup_cli("check", *files)
    assert result.exit_code == 0, result.stderr
