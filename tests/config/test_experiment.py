"""Experiment files: design generation, seeds, and clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from catchup.config.design import grid_points, sample_matrix
from catchup.config.experiment import load_experiment
from catchup.errors import ExperimentError
from catchup.experiments.runs import run_seed
from catchup.experiments.sweep import chunk_tasks
from tests.conftest import ROOT, SHORT


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "exp.toml"
    path.write_text(f'name = "exp"\nscenario = "{SHORT}"\n' + body)
    return path


def test_grid_is_the_full_factorial_in_file_order(tmp_path):
    exp = load_experiment(
        write(tmp_path, "replications = 2\n[grid]\npatent_barrier = [0.1, 0.5, 0.9]\nmission = [0, 1]\n")
    )
    assert len(exp.points) == 6 and exp.n_runs == 12
    table = exp.points_table()
    assert list(table.columns) == ["point_id", "patent_barrier", "mission"]
    assert table["patent_barrier"].tolist() == [0.1, 0.1, 0.5, 0.5, 0.9, 0.9]
    assert table["mission"].tolist() == [0, 1, 0, 1, 0, 1]


def test_factors_carry_parameters_and_events(tmp_path):
    body = """
[factors.stage.mature]
set = { technology_maturity = 0.9 }
[factors.stage.paradigm]
set = { technology_maturity = 0.9, knowledge_cumulativeness = 0.1 }
events = [{ year = 1995, new_generation = true }]
[grid]
niche_market_size = [0.0, 0.3]
"""
    exp = load_experiment(write(tmp_path, body))
    assert [p.labels["stage"] for p in exp.points] == ["mature", "mature", "paradigm", "paradigm"]
    scenario = exp.point_scenario(exp.points[3])
    assert scenario.parameters["knowledge_cumulativeness"] == 0.1
    assert scenario.parameters["niche_market_size"] == 0.3
    assert [e.year for e in scenario.events if e.new_generation] == [1995]
    assert not exp.point_scenario(exp.points[0]).events


def test_grid_points_pure_function():
    points = grid_points({}, {"a": [1, 2], "b": [3]}, fixed={"c": 0})
    assert [p.values for p in points] == [{"c": 0, "a": 1, "b": 3}, {"c": 0, "a": 2, "b": 3}]


@pytest.mark.parametrize(
    "method, size, rows", [("latin", 20, 20), ("sobol", 16, 16 * (3 + 2)), ("morris", 5, 5 * 4)]
)
def test_samples_stay_in_bounds_and_have_salibs_size(method, size, rows):
    ranges = {"patent_barrier": [0.2, 0.4], "niche_market_size": [0.0, 0.5], "publicness": [0.1, 0.3]}
    x = sample_matrix(method, ranges, size, seed=1)
    assert x.shape == (rows, 3)
    for j, (low, high) in enumerate(ranges.values()):
        assert (x[:, j] >= low).all() and (x[:, j] <= high).all()
    np.testing.assert_array_equal(x, sample_matrix(method, ranges, size, seed=1))  # seeded


def test_sample_experiment_expands_points(tmp_path):
    body = (
        '[sample]\nmethod = "sobol"\nsize = 8\n'
        "[sample.ranges]\npatent_barrier = [0.0, 1.0]\nmission = [0.0, 0.5]\n"
    )
    exp = load_experiment(write(tmp_path, body))
    assert len(exp.points) == 8 * 4
    assert exp.design["method"] == "sobol" and exp.design["ranges"]["mission"] == [0.0, 0.5]


def test_run_seeds_depend_on_run_index_only(tmp_path):
    exp = load_experiment(
        write(tmp_path, "replications = 3\nbase_seed = 9\nchunk_size = 4\n[grid]\nmission = [0, 1]\n")
    )
    runs = [r for task in chunk_tasks(exp) for r in task.runs]
    assert [r[3] for r in runs] == list(range(6))
    assert [r[4] for r in runs] == [run_seed(9, i) for i in range(6)]
    assert [(r[1], r[2]) for r in runs] == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
    assert [len(t.runs) for t in chunk_tasks(exp)] == [4, 2]


@pytest.mark.parametrize(
    "body, fragments",
    [
        ("[grid]\npatent_barrier = [0.1, 1.5]\n", ["grid.patent_barrier[1] = 1.5", "[0, 1]"]),
        ("[grid]\npatent_barier = [0.1]\n", ["grid.patent_barier", "unknown parameter"]),
        ("colour = 1\n[grid]\nmission = [0]\n", ["colour", "unknown key", "replications"]),
        ("replications = 0\n[grid]\nmission = [0]\n", ["replications = 0", "an integer in [1, 100,000]"]),
        ("", ["needs a design"]),
        (
            '[grid]\nmission = [0]\n[sample]\nmethod = "latin"\nsize = 4\n'
            "ranges = { mission = [0.0, 1.0] }\n",
            ["either [sample] or [grid]"],
        ),
        (
            '[sample]\nmethod = "fast"\nsize = 4\nranges = { mission = [0.0, 1.0] }\n',
            ["sample.method", "latin"],
        ),
        ('[sample]\nmethod = "sobol"\nsize = 6\nranges = { mission = [0.0, 1.0] }\n', ["power of 2"]),
        (
            '[sample]\nmethod = "latin"\nsize = 4\nranges = { mission = [0.5, 2.0] }\n',
            ["sample.ranges.mission", "[0, 1]"],
        ),
        (
            '[sample]\nmethod = "latin"\nsize = 4\nranges = { n_home_firms = [1.0, 5.0] }\n',
            ["integer parameters"],
        ),
        (
            "[factors.stage.x]\nevents = [{ year = 2050, new_generation = true }]\n",
            ["factors.stage.x.events[0].year = 2050"],
        ),
        (
            "[factors.stage.x]\nset = { n_home_firms = 2.5 }\n",
            ["factors.stage.x.set.n_home_firms", "integer"],
        ),
    ],
)
def test_bad_experiment_files_name_file_key_and_allowed_values(tmp_path, body, fragments):
    path = write(tmp_path, body)
    with pytest.raises(ExperimentError) as info:
        load_experiment(path)
    message = str(info.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, message


def test_missing_base_scenario_is_named(tmp_path):
    path = tmp_path / "exp.toml"
    path.write_text('name = "e"\nscenario = "nowhere.toml"\n[grid]\nmission = [0]\n')
    with pytest.raises(ExperimentError, match=r"nowhere\.toml.*no such file"):
        load_experiment(path)


@pytest.mark.parametrize("path", sorted((ROOT / "experiments").glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_experiments_are_valid(path):
    exp = load_experiment(path)
    assert exp.name == path.stem and exp.n_runs >= 400


def test_trajectory_columns_can_be_chosen(tmp_path):
    keep = load_experiment(write(tmp_path, 'trajectories = ["relative_capability"]\n[grid]\nmission = [0]\n'))
    assert keep.trajectories == ("step", "year", "relative_capability")
    assert load_experiment(write(tmp_path, "[grid]\nmission = [0]\n")).trajectories == ()
    with pytest.raises(ExperimentError, match="trajectories\\[0\\] = 'nope'"):
        load_experiment(write(tmp_path, 'trajectories = ["nope"]\n[grid]\nmission = [0]\n'))


def test_factor_names_may_not_shadow_parameters_or_table_columns(tmp_path):
    path = write(tmp_path, "[factors.point_id.a]\n[factors.mission.b]\n")
    with pytest.raises(ExperimentError) as err:
        load_experiment(path)
    assert "factors.point_id: the name of a column" in str(err.value)
    assert "factors.mission: the name of a parameter" in str(err.value)


def test_an_experiment_names_its_scenario_by_path_or_built_in_name(tmp_path):
    by_name = tmp_path / "n.toml"
    by_name.write_text('name = "n"\nscenario = "baseline"\n[grid]\nmission = [0]\n')
    assert load_experiment(by_name).scenario.name == "baseline"


def test_a_value_of_the_wrong_type_in_a_grid_is_said_once(tmp_path):
    with pytest.raises(ExperimentError) as err:
        load_experiment(write(tmp_path, '[grid]\npatent_barrier = ["high"]\n'))
    lines = str(err.value).splitlines()
    assert (
        len(lines) == 1
        and "grid.patent_barrier[0] = 'high'" in lines[0]
        and "(allowed: a number)" in lines[0]
    )


def test_a_level_may_not_bring_a_generation_in_the_step_of_the_base_scenarios(tmp_path):
    (tmp_path / "base.toml").write_text(
        'name = "base"\nstart_year = 1990\nend_year = 2030\n'
        '[[events]]\nyear = 2000.1\nnew_generation = true\nlabel = "g"\n'
    )
    path = tmp_path / "e.toml"
    path.write_text(
        'name = "e"\nscenario = "base.toml"\nreplications = 1\n'
        '[factors.extra.twice]\nevents = [{ year = 2000.2, new_generation = true, label = "again" }]\n'
        "[factors.extra.none]\n"
    )
    with pytest.raises(ExperimentError) as err:
        load_experiment(path)
    message = str(err.value)
    assert str(path) in message and "extra = twice" in message and "'again'" in message and "'g'" in message
    # dropping the base scenario's generation makes room for the level's
    path.write_text(path.read_text().replace('label = "again" }]', 'label = "again" }]\ndrop_events = ["g"]'))
    assert len(load_experiment(path).points) == 2
