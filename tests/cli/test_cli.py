"""The command line, end to end but in-process (Typer's CliRunner): exit codes, files, messages."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

import catchup
from catchup.cli import app
from tests.conftest import ROOT, SHORT

runner = CliRunner()


def catchup_cli(*args: str) -> Result:
    """Run a command in this process; input errors must end in SystemExit, never an exception."""
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_run_baseline_by_name_writes_all_files_with_their_columns(tmp_path):
    out = tmp_path / "baseline"
    result = catchup_cli("run", "baseline", "--seeds", "4", "--out", str(out), "--jobs", "2")
    assert result.exit_code == 0, result.stderr
    assert "Home firms caught up in" in result.stdout and "windows of opportunity" in result.stdout
    folder = catchup.open_results(out)
    runs, traj, windows = (folder.table(n) for n in ("runs", "trajectories", "windows"))
    assert len(runs) == 4 and runs["run_id"].tolist() == [0, 1, 2, 3]
    assert {"catch_up_year", "leadership_year", "mission_year", "windows_opened", "windows_rose"} <= set(runs)
    assert {
        "step",
        "year",
        "generation",
        "window_technological",
        "window_demand",
        "window_institutional",
    } <= set(traj)
    assert list(windows.columns)[:6] == ["run_id", "seed", "type", "open_year", "close_year", "rose"]
    assert folder.manifest.n_runs == 4 and folder.manifest.versions["catchup"] == catchup.__version__
    assert (out / "figures" / "trajectories.png").stat().st_size > 10_000
    assert not list(out.rglob(".*.tmp"))  # no temporary files left behind


def test_run_writes_under_results_by_default_and_the_same_with_any_jobs(tmp_path):
    assert catchup_cli("run", str(SHORT), "--quiet", "--no-figure").exit_code == 0
    assert (
        catchup_cli("run", str(SHORT), "--quiet", "--no-figure", "--jobs", "2", "--out", "two").exit_code == 0
    )
    one, two = catchup.open_results("results/short"), catchup.open_results("two")
    for name in ("runs", "trajectories", "windows"):
        pd.testing.assert_frame_equal(one.table(name), two.table(name))


def test_set_overrides_reach_the_manifest_and_json_summary(tmp_path):
    out = tmp_path / "o"
    result = catchup_cli(
        "run", "baseline", "--seeds", "2", "--set", "mission=1", "--set", "mission_budget=0.2",
        "--out", str(out), "--json", "--quiet", "--no-figure",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    caught = info["measures"]["catch_up_probability"]
    assert info["runs"] == 2 and 0.0 <= caught["low"] <= caught["value"] <= caught["high"] <= 1.0
    assert caught["unit"] == "share of runs (0 to 1)" and info["name"] == "baseline"
    manifest = catchup.open_results(out).manifest
    assert manifest.scenario["parameters"]["mission"] == 1.0
    assert manifest.scenario["overrides"] == {"mission": 1.0, "mission_budget": 0.2}
    assert catchup.open_results(out).table("runs")["mission_year"].notna().all()


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["run", "nowhere.toml"], ["nowhere.toml", "no such file"]),
        (["run", "nowhere"], ["nowhere: no such file or built-in scenario", "baseline"]),
        (["run", "baseline", "--set", "patent_barrier=7"], ["patent_barrier", "[0, 1]"]),
        (["run", "baseline", "--set", "patent_barier=0.1"], ["did you mean patent_barrier"]),
        (["check", "BAD"], ["BAD", "patent_barrier = 1.5", "number in [0, 1]"]),
        (["check", "BRACKETS"], ["[/x]", "unknown key"]),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(tmp_path, args, fragments):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\n[parameters]\npatent_barrier = 1.5\n')
    brackets = tmp_path / "[x]" / "b.toml"
    brackets.parent.mkdir()
    brackets.write_text('name = "b"\n"[/x]" = 1\n')  # Rich markup in a key must not break the message
    args = [{"BAD": str(bad), "BRACKETS": str(brackets)}.get(a, a) for a in args]
    result = catchup_cli(*args, "--out", str(tmp_path / "never")) if args[0] == "run" else catchup_cli(*args)
    assert result.exit_code == 2
    message = result.stderr.replace("\n", " ")
    for fragment in fragments:
        assert fragment.replace("BAD", str(bad)) in message or fragment in result.stderr, result.stderr
    assert not (tmp_path / "never").exists()


def test_check_accepts_every_shipped_scenario_and_experiment():
    files = sorted(str(p) for p in (ROOT / "scenarios").rglob("*.toml")) + sorted(
        str(p) for p in (ROOT / "experiments").rglob("*.toml")
    )
    result = catchup_cli("check", *files)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count(": ok") == len(files)


def test_params_scenarios_and_help_come_from_the_parameter_table():
    table = catchup_cli("params", "--markdown")
    assert table.exit_code == 0
    for p in catchup.PARAMETERS:
        assert f"`{p.name}`" in table.stdout
    listed = catchup_cli("scenarios")
    assert listed.exit_code == 0 and "baseline" in listed.stdout and "cases/speech" in listed.stdout
    assert "window_map" in listed.stdout
    helped = catchup_cli("run", "--help")
    assert "technology_maturity [0, 1]" in helped.stdout and "institutions:" in helped.stdout
    version = catchup_cli("--version")
    assert version.exit_code == 0 and catchup.__version__ in version.stdout


@pytest.mark.filterwarnings("ignore:Constant values encountered")  # SALib, on a four-point design
def test_sweep_compare_and_sensitivity_commands(tmp_path):
    exp = tmp_path / "e.toml"
    exp.write_text(
        f'name = "e"\nscenario = "{SHORT}"\nreplications = 1\n'
        '[sample]\nmethod = "sobol"\nsize = 16\n[sample.ranges]\nniche_market_size = [0.0, 0.5]\n'
    )
    out = tmp_path / "sweep"
    result = catchup_cli("sweep", str(exp), "--out", str(out), "--jobs", "2")
    assert result.exit_code == 0, result.stderr
    assert "48 runs written" in result.stdout and "48/48 points" in result.stderr  # 16 x (1 + 2) points
    again = catchup_cli("sweep", str(exp), "--out", str(out))
    assert again.exit_code == 2 and "--resume" in again.stderr
    compared = catchup_cli("compare", str(out), "--json")
    assert compared.exit_code == 0, compared.stderr
    rows = json.loads(compared.stdout)
    assert len(rows) == 48 and {"catch_up_probability", "catch_up_probability_low"} <= set(rows[0])
    sens = catchup_cli("sensitivity", str(out))
    assert sens.exit_code == 0, sens.stderr
    assert (out / "sensitivity.csv").exists() and "niche market size" in sens.stdout and " ± " in sens.stdout
    assert catchup.open_results(out).manifest.tables["sensitivity"] == "csv"
    assert catchup_cli("plot", str(out), "--kind", "sensitivity", "--format", "png").exit_code == 0


def test_attribute_then_plot_and_report_on_a_new_folder(tmp_path):
    out = tmp_path / "new"
    result = catchup_cli("attribute", str(SHORT), "--seeds", "3", "--out", str(out), "--json", "--quiet")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows[0]["closed"] == "(none: as given)" and rows[-1]["closed"] == "all"
    assert (out / "attribution.csv").exists() and catchup.open_results(out).kind == "attribution"
    drawn = catchup_cli("plot", str(out), "--kind", "attribution")
    assert drawn.exit_code == 0, drawn.stderr
    assert (out / "figures" / "attribution.png").stat().st_size > 5_000
    assert catchup_cli("report", str(out)).exit_code == 0 and (out / "report.html").exists()


def test_analysis_of_a_folder_without_results_fails_clearly(tmp_path):
    for command in ("compare", "sensitivity", "report", "plot"):
        result = catchup_cli(command, str(tmp_path))
        assert result.exit_code == 2 and "manifest.json" in result.stderr


def test_plot_and_report_commands(tmp_path):
    out = tmp_path / "run"
    assert catchup_cli("run", str(SHORT), "--out", str(out), "--quiet", "--no-figure").exit_code == 0
    drawn = catchup_cli("plot", str(out), "--format", "png,svg")
    assert drawn.exit_code == 0, drawn.stderr
    assert (out / "figures" / "trajectories.png").exists() and (out / "figures" / "trajectories.svg").exists()
    bad = catchup_cli("plot", str(out), "--kind", "window-map")
    assert bad.exit_code == 2 and "window_map.toml" in bad.stderr
    bad_format = catchup_cli("plot", str(out), "--format", "gif")
    assert bad_format.exit_code == 2 and "allowed: png, svg, pdf" in bad_format.stderr
    made = catchup_cli("report", str(out))
    assert made.exit_code == 0 and "report written to" in made.stdout
    assert (out / "report.html").stat().st_size > 20_000


def test_dashboard_command_refuses_a_missing_scenario_folder(tmp_path):
    pytest.importorskip("solara")
    result = catchup_cli("dashboard", "--scenarios", str(tmp_path / "none"))
    assert result.exit_code == 2 and "no such folder" in result.stderr


def test_an_interrupted_sweep_says_how_to_continue_where_it_ran(tmp_path, monkeypatch):
    """The hint repeats --jobs (and --scheduler): followed literally, it resumes the same way."""
    exp = tmp_path / "e.toml"
    exp.write_text(f'name = "e"\nscenario = "{SHORT}"\nreplications = 1\n[grid]\nniche_market_size = [0.0]\n')

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(catchup.experiments, "sweep", interrupted)
    result = catchup_cli("sweep", str(exp), "--out", str(tmp_path / "s"), "--jobs", "2", "--quiet")
    assert result.exit_code != 0
    assert f"catchup sweep {exp} --out {tmp_path / 's'} --jobs 2 --resume" in result.stderr.replace("\n", "")
