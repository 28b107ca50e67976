"""Input a careless or hostile user gives: every case a clear message and exit status 2, and no
work done or result lost (found by a hostile review of the layered package)."""

from __future__ import annotations

import pandas as pd
import pytest

import catchup
from tests.cli.test_cli import catchup_cli
from tests.conftest import SHORT


@pytest.fixture
def sweep_dir(tmp_path, ex):
    experiment = tmp_path / "e.toml"
    experiment.write_text(
        f'name = "e"\nscenario = "{SHORT}"\nreplications = 1\n[grid]\nmission = [0, 1]\nalliance = [0, 1]\n'
    )
    return catchup.sweep(catchup.load_experiment(experiment), tmp_path / "[s] weep", executor=ex).path


@pytest.mark.parametrize(
    "out, message", [("afile", "is a file, not a folder"), ("afile/sub", "cannot be created")]
)
def test_an_output_folder_that_cannot_be_one_is_refused_before_the_runs(tmp_path, out, message):
    (tmp_path / "afile").write_text("x")
    result = catchup_cli("run", str(SHORT), "--seeds", "2", "--out", str(tmp_path / out), "--quiet")
    assert result.exit_code == 2 and message in result.stderr


def test_a_run_never_overwrites_a_sweep_nor_a_sweep_a_run(tmp_path, sweep_dir):
    before = (sweep_dir / "manifest.json").read_text()
    run = catchup_cli("run", str(SHORT), "--seeds", "2", "--out", str(sweep_dir), "--quiet")
    assert run.exit_code == 2 and "holds a sweep result" in run.stderr
    assert (sweep_dir / "manifest.json").read_text() == before
    assert (
        catchup_cli("run", str(SHORT), "--seeds", "2", "--out", str(tmp_path / "r"), "--quiet").exit_code == 0
    )
    experiment = tmp_path / "e.toml"
    swept = catchup_cli("sweep", str(experiment), "--out", str(tmp_path / "r"), "--quiet")
    assert swept.exit_code == 2 and "holds a run result ('short'); a sweep result" in swept.stderr


def test_tables_of_several_folders_say_which_folder_and_keep_brackets(tmp_path, sweep_dir, ex):
    other = catchup.run(catchup.load_scenario(SHORT), seeds=2, executor=ex).save(tmp_path / "run")
    compared = catchup_cli("compare", sweep_dir.name, other.path.name)  # relative: the test works in tmp_path
    assert compared.exit_code == 0 and "│ [s] weep " in compared.stdout and "│ run " in compared.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["compare", "SWEEP", "--out", "table.json"], "unknown table format .json"),
        (["plot", "SWEEP", "--format", ""], "none given"),
        (["plot", "SWEEP", "--kind", "sweep", "--x", "mission", "--y", "mission"], "two different"),
        (["plot", "SWEEP", "--kind", "sweep", "--outcome", "cycle"], "not an outcome of the runs"),
        (["sensitivity", "SWEEP"], "sobol"),
        (["sweep", "EXPERIMENT", "--scheduler", "nonsense", "--out", "new"], "--scheduler nonsense"),
    ],
)
def test_bad_options_on_a_sweep_are_clear_errors(tmp_path, sweep_dir, args, message):
    args = [{"SWEEP": str(sweep_dir), "EXPERIMENT": str(tmp_path / "e.toml")}.get(a, a) for a in args]
    result = catchup_cli(*args)
    assert result.exit_code == 2 and message in result.stderr, result.stderr


def test_compare_figure_needs_run_results_in_every_with(tmp_path, sweep_dir, ex):
    run = catchup.run(catchup.load_scenario(SHORT), seeds=2, executor=ex).save(tmp_path / "run")
    result = catchup_cli(
        "plot", str(run.path), "--kind", "compare", "--with", str(run.path), "--with", str(sweep_dir)
    )
    assert result.exit_code == 2 and "sweeps and attributions have no trajectories" in result.stderr


def test_an_interrupted_sobol_sweep_is_not_analysed_as_if_complete(tmp_path, ex):
    experiment = tmp_path / "s.toml"
    experiment.write_text(
        f'name = "s"\nscenario = "{SHORT}"\nreplications = 1\nchunk_size = 2\n'
        '[sample]\nmethod = "sobol"\nsize = 2\n[sample.ranges]\nniche_market_size = [0.0, 0.5]\n'
    )
    folder = catchup.sweep(catchup.load_experiment(experiment), tmp_path / "sob", executor=ex)
    (folder.path / "runs" / "chunk-000001.parquet").unlink()
    result = catchup_cli("sensitivity", str(folder.path))
    assert result.exit_code == 2 and "4 of 6 runs are there" in result.stderr


def test_the_dashboard_refuses_a_folder_without_scenarios(tmp_path):
    pytest.importorskip("solara")
    (tmp_path / "empty").mkdir()
    result = catchup_cli("dashboard", "--scenarios", str(tmp_path / "empty"))
    assert result.exit_code == 2 and "no scenario files" in result.stderr


def test_a_summary_is_of_one_scenario(sweep_dir):
    with pytest.raises(catchup.AnalysisError, match="summarise it per point"):
        catchup.summary(sweep_dir)
    assert isinstance(catchup.compare(str(sweep_dir)), pd.DataFrame)  # one folder as a plain string
