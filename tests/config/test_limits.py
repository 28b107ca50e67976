"""Limits and conflicts in input files: refused with the count and the way out, before any
memory is spent (defect families 5 and 6 of the reliability review)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

import catchup
from catchup.config.toml import MAX_EXTENDS_DEPTH
from catchup.errors import ExperimentError, ScenarioError
from tests.cli.test_cli import catchup_cli
from tests.conftest import SHORT


def experiment(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "e.toml"
    path.write_text(f'name = "e"\nscenario = "{SHORT}"\nreplications = 2\n' + body)
    return path


def test_a_huge_grid_is_counted_and_refused_before_it_is_built(tmp_path):
    values = "[" + ", ".join(f"{i / 1000:.3f}" for i in range(1000)) + "]"
    grid = "".join(f"{name} = {values}\n" for name in ("mission", "alliance", "patent_barrier"))
    path = experiment(tmp_path, "[grid]\n" + grid)
    t0 = time.perf_counter()
    with pytest.raises(ExperimentError) as err:
        catchup.load_experiment(path)
    assert time.perf_counter() - t0 < 5
    message = str(err.value)
    assert "1,000,000,000 points x 2 replications = 2,000,000,000 runs" in message
    assert "max_runs = 1,000,000" in message and "set max_runs = 2000000000" in message


def test_max_runs_raises_the_limit_when_the_user_says_so(tmp_path):
    grid = "[grid]\nmission = [0.0, 0.5, 1.0]\n"
    with pytest.raises(ExperimentError, match="6 runs, more than max_runs = 5"):
        catchup.load_experiment(experiment(tmp_path, "max_runs = 5\n" + grid))
    assert catchup.load_experiment(experiment(tmp_path, "max_runs = 6\n" + grid)).n_runs == 6


@pytest.mark.parametrize(
    "body, where",
    [
        ("[grid]\nmission = [0, 1]\n[factors.f.a]\nset = { mission = 1.0 }\n", "factors.f and grid.mission"),
        ("set = { mission = 1.0 }\n[grid]\nmission = [0, 1]\n", "set.mission and grid.mission"),
        (
            "[factors.f.a]\nset = { alliance = 1.0 }\n[factors.g.b]\nset = { alliance = 0.0 }\n",
            "factors.f and factors.g",
        ),
        (
            'set = { mission = 1.0 }\n[sample]\nmethod = "latin"\nsize = 4\nranges = { mission = [0, 1] }\n',
            "set.mission and sample.ranges.mission",
        ),
    ],
)
def test_a_parameter_set_in_two_places_of_a_design_is_refused(tmp_path, body, where):
    with pytest.raises(ExperimentError, match=f"is set by {where}"):
        catchup.load_experiment(experiment(tmp_path, body))


def test_levels_of_one_factor_may_each_set_the_same_parameter(tmp_path):
    body = "[factors.f.low]\nset = { mission = 0.0 }\n[factors.f.high]\nset = { mission = 1.0 }\n"
    assert len(catchup.load_experiment(experiment(tmp_path, body)).points) == 2


def test_a_chain_of_extends_has_a_depth_limit(tmp_path):
    for i in range(MAX_EXTENDS_DEPTH + 5):
        (tmp_path / f"s{i}.toml").write_text(f'extends = "s{i + 1}.toml"\nname = "s{i}"\n')
    (tmp_path / f"s{MAX_EXTENDS_DEPTH + 5}.toml").write_text('name = "last"\n')
    with pytest.raises(ScenarioError) as err:
        catchup.load_scenario(tmp_path / "s0.toml")
    assert f"a chain of more than {MAX_EXTENDS_DEPTH} files" in str(err.value)
    assert str(err.value).count("extends =") == 1  # said once, for the file the user named
    assert catchup.load_scenario(tmp_path / f"s{6}.toml").name == "s6"


def test_an_endless_file_is_read_only_up_to_the_limit():
    with pytest.raises(ScenarioError, match="larger than 4 MiB"):
        catchup.load_scenario("/dev/zero")


def test_check_reads_a_pipe_once(tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)

    def writer() -> None:
        with open(fifo, "w") as f:
            f.write('name = "piped"\n')

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    result = catchup_cli("check", str(fifo))
    assert result.exit_code == 0 and "scenario 'piped'" in result.stdout
    thread.join(timeout=5)


@pytest.mark.parametrize(
    "text, message",
    [
        ('name = "s"\nstart_year = 2000\nend_year = 2000.1\n', "must be at least one step (1/4 year)"),
        (
            'name = "s"\nstart_year = 2000\nend_year = 2010\n'
            "events = [{ year = 2001.0, new_generation = true }, { year = 2000.9, new_generation = true }]\n",
            "brings a new generation in the same step as",
        ),
        ('name = "s"\ndescription = "' + "x" * 5000 + '"\n', "(5,002 characters)"),
    ],
)
def test_scenarios_that_cannot_run_as_meant_are_refused(tmp_path, text, message):
    path = tmp_path / "s.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as err:
        catchup.load_scenario(path)
    assert message in str(err.value) and len(str(err.value)) < 600
