"""The results layer: one manifest schema, lazy tables, one atomic write, clear errors."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pandas as pd
import pytest

import catchup
from catchup.errors import PartialResultsWarning, ResultsError
from catchup.results.chunks import chunk_name
from catchup.results.folder import ResultFolder
from catchup.results.manifest import KINDS, Manifest
from tests.conftest import ROOT, SHORT, hand_made_sweep_manifest


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory, ex) -> Path:
    result = catchup.run(catchup.load_scenario(SHORT), seeds=3, executor=ex)
    return result.save(tmp_path_factory.mktemp("r") / "run").path


def test_a_folder_reopens_with_its_kind_tables_and_manifest(run_folder):
    folder = ResultFolder.open(run_folder)
    assert folder.kind == "run" and folder.kind in KINDS
    assert list(folder.manifest.tables) == ["runs", "trajectories", "windows"]
    assert folder.manifest.n_runs == 3 and len(folder.manifest.seeds) == 3
    assert folder.manifest.status == "complete" and folder.manifest.scenario["name"] == "short"


def test_tables_are_read_with_only_the_columns_asked_for(run_folder):
    folder = ResultFolder.open(run_folder)
    part = folder.table("trajectories", ["run_id", "year", "relative_capability"])
    assert list(part.columns) == ["run_id", "year", "relative_capability"]
    whole = folder.table("trajectories")
    pd.testing.assert_frame_equal(part, whole[["run_id", "year", "relative_capability"]])


def test_a_table_not_in_the_manifest_is_a_clear_error(run_folder):
    with pytest.raises(
        ResultsError, match=r"no table 'points' in this run folder \(tables: runs, trajectories"
    ):
        ResultFolder.open(run_folder).table("points")


@pytest.mark.parametrize(
    "manifest, message",
    [
        (None, "no manifest.json"),
        ("{ not json", "not a readable manifest"),
        ('{"kind": "run"}', "written by an earlier version of catchup"),
        (
            json.dumps({"format_version": 1, "kind": "party"}),
            "kind = 'party'",
        ),
    ],
)
def test_broken_folders_are_clear_errors_naming_the_file(tmp_path, manifest, message):
    folder = tmp_path / "f"
    folder.mkdir()
    if manifest is not None:
        (folder / "manifest.json").write_text(manifest)
    with pytest.raises(ResultsError) as err:
        ResultFolder.open(folder)
    assert message in str(err.value) and str(folder) in str(err.value)


def test_a_missing_folder_says_so(tmp_path):
    with pytest.raises(ResultsError, match="no such folder"):
        ResultFolder.open(tmp_path / "nowhere")


def test_an_edited_manifest_names_the_key_and_what_is_allowed(run_folder, tmp_path):
    data = json.loads((run_folder / "manifest.json").read_text())
    data["n_runs"] = -4
    data["tables"]["runs"] = "excel"
    folder = tmp_path / "edited"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps(data))
    with pytest.raises(ResultsError) as err:
        ResultFolder.open(folder)
    assert "n_runs = -4" in str(err.value) and "tables.runs = 'excel'" in str(err.value)


def test_added_tables_are_recorded_in_the_manifest(run_folder, tmp_path):
    copy = ResultFolder.write(
        tmp_path / "copy",
        ResultFolder.open(run_folder).manifest,
        {"runs": ResultFolder.open(run_folder).table("runs")},
    )
    copy.manifest = copy.manifest.model_copy(update={"tables": {"runs": "parquet"}})
    copy.save_manifest()
    path = copy.add_table("notes", pd.DataFrame({"a": [1, 2]}), "csv")
    assert path.name == "notes.csv"
    reopened = ResultFolder.open(tmp_path / "copy")
    assert reopened.manifest.tables == {"runs": "parquet", "notes": "csv"}
    assert reopened.table("notes")["a"].tolist() == [1, 2]


def _sweep_manifest(n_runs: int = 4, chunk_size: int = 2) -> Manifest:
    return hand_made_sweep_manifest(n_runs, chunk_size, {"runs": "chunks", "windows": "chunks"})


def test_chunked_tables_read_only_complete_chunks_with_exact_names(tmp_path):
    manifest = _sweep_manifest(n_runs=6)
    folder = ResultFolder.write(tmp_path / "s", manifest, {})
    for index, ids in ((0, [0, 1]), (1, [2, 3])):
        folder.write_chunk("runs", index, pd.DataFrame({"run_id": ids}))
        folder.write_chunk("windows", index, pd.DataFrame({"run_id": ids}))
    folder.write_chunk("windows", 2, pd.DataFrame({"run_id": [9]}))  # a chunk that never finished
    pd.DataFrame({"run_id": [2, 3]}).to_parquet(tmp_path / "s" / "runs" / "chunk-000001 (copy).parquet")
    with pytest.warns(PartialResultsWarning, match="an unfinished sweep, 4 of 6 runs"):
        assert folder.table("runs")["run_id"].tolist() == [0, 1, 2, 3]
    with pytest.warns(PartialResultsWarning):
        assert ResultFolder.open(folder.path).table("windows")["run_id"].tolist() == [0, 1, 2, 3]
    assert (tmp_path / "s" / "windows" / chunk_name(2)).exists()
    folder.write_chunk("windows", 7, pd.DataFrame({"run_id": [14]}))  # from a sweep of another size
    with pytest.raises(ResultsError, match=r"chunk-000007.parquet do not belong to this sweep of 3 chunks"):
        folder.table("windows")


def test_readers_refuse_damaged_tables_and_miscounted_runs(tmp_path):
    folder = ResultFolder.write(tmp_path / "s", _sweep_manifest(), {})
    folder.write_chunk("runs", 0, pd.DataFrame({"run_id": [0, 1, 1]}))  # a run counted twice
    folder.write_chunk("runs", 1, pd.DataFrame({"run_id": [2, 3]}))
    with pytest.raises(ResultsError, match=r"chunk-000000.parquet: holds 3 runs, not the 2 of its chunk"):
        folder.table("runs")
    (tmp_path / "s" / "runs" / chunk_name(0)).write_bytes(b"PAR1 truncated")
    with pytest.raises(ResultsError, match=r"chunk-000000.parquet: damaged, not a readable parquet table"):
        folder.table("runs")


def _string_constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
    ]


def test_only_the_results_layer_names_result_files():
    """One place parses manifest.json and opens result tables: catchup/results/."""
    package = ROOT / "src" / "catchup"
    offenders = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "results" not in path.relative_to(package).parts[:1]
        and any(
            name in text
            for text in _string_constants(path)
            for name in ("manifest.json", "runs.parquet", "trajectories.parquet", "points.parquet")
        )
    ]
    assert not offenders, offenders


def test_asking_for_a_column_a_table_lacks_names_the_columns(run_folder):
    with pytest.raises(ResultsError, match=r"table 'runs' has no column 'nope' \(columns: run_id, seed"):
        ResultFolder.open(run_folder).table("runs", ["run_id", "nope"])


def test_a_complete_chunk_missing_from_another_table_is_damage_and_resume_recomputes_it(tmp_path, ex):
    experiment = tmp_path / "e.toml"
    experiment.write_text(
        f'name = "e"\nscenario = "{SHORT}"\nreplications = 2\nchunk_size = 1\n[grid]\nmission = [0, 1]\n'
    )
    exp = catchup.load_experiment(experiment)
    folder = catchup.sweep(exp, tmp_path / "s", executor=ex)
    whole = folder.table("windows")
    (tmp_path / "s" / "windows" / chunk_name(2)).unlink()
    with pytest.raises(ResultsError, match=r"chunk-000002\.parquet missing"):
        folder.table("windows")
    repaired = catchup.sweep(exp, tmp_path / "s", executor=ex, resume=True)
    pd.testing.assert_frame_equal(repaired.table("windows"), whole)


def test_a_folder_refuses_a_result_of_another_kind_and_a_file(tmp_path, run_folder):
    manifest = ResultFolder.open(run_folder).manifest
    replace = r"holds a run result \('short'\); a sweep result written there would replace it"
    with pytest.raises(ResultsError, match=replace):
        ResultFolder.check_target(run_folder, "sweep")
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ResultsError, match="is a file, not a folder"):
        ResultFolder.write(tmp_path / "afile", manifest, {})
    with pytest.raises(ResultsError, match="cannot be created"):
        ResultFolder.check_target(tmp_path / "afile" / "sub", "run")


def test_a_result_in_memory_reads_like_its_folder(run_folder, baseline_small):
    with pytest.raises(ResultsError, match=r"has no column 'nope'"):
        baseline_small.table("runs", ["nope"])
    with pytest.raises(ResultsError, match=r"no table 'points' \(tables: runs, trajectories, windows\)"):
        baseline_small.table("points")
    assert baseline_small.has_table("windows") and not baseline_small.has_table("points")
