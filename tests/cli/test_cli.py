"""The command line, end to end: real processes, exit codes, files and messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import catchup


def catchup_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "catchup", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_run_baseline_writes_all_files_with_their_columns(tmp_path):
    out = tmp_path / "baseline"
    result = catchup_cli("run", "scenarios/baseline.toml", "--seeds", "4", "--out", str(out), "--jobs", "2")
    assert result.returncode == 0, result.stderr
    assert "catch-up in" in result.stdout and "windows of opportunity" in result.stdout
    runs = pd.read_parquet(out / "runs.parquet")
    traj = pd.read_parquet(out / "trajectories.parquet")
    windows = pd.read_parquet(out / "windows.parquet")
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(runs) == 4 and runs["run_id"].tolist() == [0, 1, 2, 3]
    assert {"catch_up_year", "leadership_year", "mission_year", "windows_opened", "windows_seized"} <= set(
        runs
    )
    assert {
        "step",
        "year",
        "generation",
        "window_technological",
        "window_demand",
        "window_institutional",
    } <= set(traj)
    assert list(windows.columns)[:6] == ["run_id", "seed", "type", "open_year", "close_year", "seized"]
    assert manifest["n_runs"] == 4 and manifest["catchup_version"] == catchup.__version__
    assert (out / "figures" / "trajectories.png").stat().st_size > 10_000
    assert not list(out.glob(".*.tmp"))  # no temporary files left behind


def test_set_overrides_reach_the_manifest_and_json_summary(tmp_path):
    out = tmp_path / "o"
    result = catchup_cli(
        "run",
        "scenarios/baseline.toml",
        "--seeds",
        "2",
        "--set",
        "mission=1",
        "--set",
        "mission_budget=0.2",
        "--out",
        str(out),
        "--json",
        "--quiet",
        "--no-figure",
    )
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["runs"] == 2 and 0.0 <= info["catch_up_share"] <= 1.0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"]["parameters"]["mission"] == 1.0
    assert manifest["scenario"]["overrides"] == {"mission": 1.0, "mission_budget": 0.2}
    assert pd.read_parquet(out / "runs.parquet")["mission_year"].notna().all()


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["run", "nowhere.toml"], ["nowhere.toml", "no such file"]),
        (["run", "scenarios/baseline.toml", "--set", "patent_barrier=7"], ["patent_barrier", "[0, 1]"]),
        (["run", "scenarios/baseline.toml", "--set", "patent_barier=0.1"], ["did you mean patent_barrier"]),
        (["check", "BAD"], ["BAD", "patent_barrier = 1.5", "number in [0, 1]"]),
    ],
)
def test_bad_input_exits_2_with_a_clear_message_and_no_traceback(tmp_path, args, fragments):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\n[parameters]\npatent_barrier = 1.5\n')
    args = [str(bad) if a == "BAD" else a for a in args]
    result = catchup_cli(*args, "--out", str(tmp_path / "never")) if args[0] == "run" else catchup_cli(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert (
            fragment.replace("BAD", str(bad)) in result.stderr.replace("\n", " ") or fragment in result.stderr
        )
    assert not (tmp_path / "never").exists()


def test_check_accepts_every_shipped_scenario():
    files = sorted(str(p) for p in Path("scenarios").glob("*.toml"))
    result = catchup_cli("check", *files)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": ok") == len(files)


def test_params_and_version():
    table = catchup_cli("params", "--markdown")
    assert table.returncode == 0
    for p in catchup.PARAMETERS:
        assert f"`{p.name}`" in table.stdout
    version = catchup_cli("--version")
    assert version.returncode == 0 and catchup.__version__ in version.stdout


SHORT = Path(__file__).parents[1] / "data" / "short.toml"


def test_sweep_compare_and_sensitivity_commands(tmp_path):
    exp = tmp_path / "e.toml"
    exp.write_text(
        f'name = "e"\nscenario = "{SHORT}"\nreplications = 2\n'
        '[sample]\nmethod = "sobol"\nsize = 4\n[sample.ranges]\nniche_market_size = [0.0, 0.5]\n'
    )
    out = tmp_path / "sweep"
    result = catchup_cli("sweep", str(exp), "--out", str(out), "--jobs", "2")
    assert result.returncode == 0, result.stderr
    assert "24 runs written" in result.stdout and "12/12 points" in result.stderr  # 4 x (1 + 2) points x 2
    again = catchup_cli("sweep", str(exp), "--out", str(out))
    assert again.returncode == 2 and "--resume" in again.stderr
    compared = catchup_cli("compare", str(out), "--json")
    assert compared.returncode == 0, compared.stderr
    rows = json.loads(compared.stdout)
    assert len(rows) == 12 and {"catch_up_probability", "catch_up_probability_low"} <= set(rows[0])
    sens = catchup_cli("sensitivity", str(out))
    assert sens.returncode == 0, sens.stderr
    assert (out / "sensitivity.csv").exists() and "niche_market_size" in sens.stdout


def test_attribute_command_writes_its_table(tmp_path):
    result = catchup_cli("attribute", str(SHORT), "--seeds", "3", "--out", str(tmp_path), "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows[0]["closed"] == "(none: as given)" and rows[-1]["closed"] == "all"
    assert (tmp_path / "attribution.csv").exists()


def test_analysis_of_a_folder_without_results_fails_clearly(tmp_path):
    for command in ("compare", "sensitivity"):
        result = catchup_cli(command, str(tmp_path))
        assert (
            result.returncode == 2 and "manifest.json" in result.stderr and "Traceback" not in result.stderr
        )


def test_plot_and_report_commands(tmp_path):
    out = tmp_path / "run"
    assert catchup_cli("run", str(SHORT), "--out", str(out), "--quiet", "--no-figure").returncode == 0
    drawn = catchup_cli("plot", str(out), "--format", "png,svg")
    assert drawn.returncode == 0, drawn.stderr
    assert (out / "figures" / "trajectories.png").exists() and (out / "figures" / "trajectories.svg").exists()
    bad = catchup_cli("plot", str(out), "--kind", "window-map")
    assert bad.returncode == 2 and "window_map.toml" in bad.stderr and "Traceback" not in bad.stderr
    bad_format = catchup_cli("plot", str(out), "--format", "gif")
    assert bad_format.returncode == 2 and "allowed: png, svg, pdf" in bad_format.stderr
    made = catchup_cli("report", str(out))
    assert made.returncode == 0 and "report written to" in made.stdout
    assert (out / "report.html").stat().st_size > 20_000
    missing = catchup_cli("report", str(tmp_path))
    assert missing.returncode == 2 and "manifest.json" in missing.stderr
