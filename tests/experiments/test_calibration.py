"""Calibration with Optuna on a small case: search, persistence, resume after interruption, validation."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import optuna
import pytest

from catchup.config.case import case_path, keep_reason, load_case, stale_reason, write_calibrated
from catchup.config.scenario import load_scenario
from catchup.errors import CalibrationError
from catchup.experiments.calibration import (
    calibrate,
    calibration_seeds,
    check_storage,
    open_study,
    study_name,
    validate,
    validation_seeds,
)
from catchup.experiments.fit import evaluate
from tests.conftest import TOY_CASE, write_toy_case

CASE = TOY_CASE.format(trials=4)


def toy_case(tmp_path: Path, low: float = 0.3, high: float = 0.5) -> Path:
    return write_toy_case(tmp_path, low, high)


def storage(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'study.db'}"


def completed(tmp_path: Path, name: str) -> list[optuna.trial.FrozenTrial]:
    study = optuna.load_study(study_name=name, storage=storage(tmp_path))
    return study.get_trials(states=(optuna.trial.TrialState.COMPLETE,))


def test_calibration_improves_on_the_start_and_writes_a_loadable_file(tmp_path):
    path = toy_case(tmp_path)
    case = load_case(path)
    result = calibrate(case, trials=8, storage=storage(tmp_path))
    trials = completed(tmp_path, result.study)
    assert len(trials) == 8
    assert trials[0].params == {"niche_market_size": 0.05}  # the file's starting value comes first
    assert result.objective == min(t.value for t in trials)
    assert result.objective < trials[0].value  # the start misses a 0.3-0.5 share; the search does better
    written = write_calibrated(case, path, result.values, result.search())
    assert written.name == "toy.calibrated.toml"
    calibrated = load_scenario(written)
    assert calibrated.parameters["niche_market_size"] == pytest.approx(result.values["niche_market_size"])
    assert calibrated.calibrated["trials"] == 8 and calibrated.calibrated["seeds"] == 16
    assert calibrated.calibrated["study"] == result.study
    assert stale_reason(load_case(written), path) is None
    path.write_text(CASE.replace("technology_maturity = 0.3", "technology_maturity = 0.35"))
    assert "changed since calibration" in stale_reason(load_case(written), path)


def test_interrupted_calibration_resumes_from_the_stored_trials(tmp_path):
    case = load_case(toy_case(tmp_path))

    def stop_after_three(done: int, total: int, best: float) -> None:
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        calibrate(case, trials=6, storage=storage(tmp_path), on_trial=stop_after_three)
    name = study_name(case)
    first = [t.params for t in completed(tmp_path, name)]
    assert len(first) == 3
    result = calibrate(case, trials=6, storage=storage(tmp_path))
    after = completed(tmp_path, name)
    assert len(after) == 6 and result.trials == 6
    assert [t.params for t in after[:3]] == first  # kept, not redone


def test_study_name_changes_with_the_objective(tmp_path):
    path = toy_case(tmp_path)
    name = study_name(load_case(path))
    path.write_text(CASE.replace("seeds = 16", "seeds = 17"))
    assert study_name(load_case(path)) != name


def test_validation_uses_fresh_seeds_and_reports_misses(tmp_path):
    path = toy_case(tmp_path, low=0.95, high=1.0)  # out of reach in six years
    case = load_case(path)
    root, seeds = validation_seeds(case)
    assert root != case.scenario.calibration["base_seed"]
    assert not set(seeds) & set(calibration_seeds(case))
    report = validate(case)
    assert report["seeds"] == 16 and not report["all_inside"] and report["distance"] > 0
    wide = load_case(toy_case(tmp_path, low=0.0, high=1.0))
    assert validate(wide)["all_inside"]


def test_case_lookup_errors_list_the_known_cases(tmp_path):
    toy_case(tmp_path)
    with pytest.raises(CalibrationError) as err:
        case_path("nope", tmp_path)
    assert "nope.toml: no such file" in str(err.value) and "toy" in str(err.value)
    with pytest.raises(CalibrationError, match="run `catchup calibrate toy` first"):
        case_path("toy", tmp_path, calibrated=True)


def test_a_scenario_without_calibration_is_not_a_case(tmp_path):
    path = tmp_path / "plain.toml"
    path.write_text('name = "plain"\n')
    with pytest.raises(CalibrationError, match=r"no \[calibration\] table"):
        load_case(path)


def test_targets_outside_the_span_are_rejected(tmp_path):
    path = toy_case(tmp_path)
    text = (tmp_path / "toy.csv").read_text()
    (tmp_path / "toy.csv").write_text(text.replace("1995,", "2010,"))
    with pytest.raises(CalibrationError, match="lie outside the span"):
        load_case(path)


def test_evaluation_is_the_same_serial_or_on_a_pool(tmp_path, ex):
    case = load_case(toy_case(tmp_path))
    seeds = calibration_seeds(case)
    serial = evaluate(case, {"niche_market_size": 0.4}, seeds)
    parallel = evaluate(case, {"niche_market_size": 0.4}, seeds, executor=ex)
    assert serial.equals(parallel)


def test_a_new_study_is_reproducible(tmp_path):
    case = load_case(toy_case(tmp_path))
    first = calibrate(case, trials=4, storage=f"sqlite:///{tmp_path / 'a.db'}")
    second = calibrate(case, trials=4, storage=f"sqlite:///{tmp_path / 'b.db'}")
    params = [
        [
            t.params
            for t in optuna.load_study(study_name=first.study, storage=f"sqlite:///{tmp_path / db}").trials
        ]
        for db in ("a.db", "b.db")
    ]
    assert params[0] == params[1] and first.values == second.values


def test_a_calibrated_file_is_replaced_only_by_a_better_search(tmp_path):
    path = toy_case(tmp_path)
    case = load_case(path)
    search = {"objective": 0.2, "distance": 0.0, "trials": 50, "study": "s"}
    assert keep_reason(path, 0.5) is None  # nothing to keep yet
    write_calibrated(case, path, {"niche_market_size": 0.2}, search)
    assert "better or equal objective (0.2 <= 0.5)" in keep_reason(path, 0.5)
    assert keep_reason(path, 0.1) is None  # a better search replaces it
    candidate = tmp_path / "elsewhere" / "candidate.calibrated.toml"
    write_calibrated(case, path, {"niche_market_size": 0.3}, search, target=candidate)
    assert load_scenario(candidate).parameters["niche_market_size"] == 0.3  # extends the case from there
    path.write_text(CASE.replace("technology_maturity = 0.3", "technology_maturity = 0.35"))
    assert keep_reason(path, 0.5) is None  # a stale file never stays


@pytest.mark.parametrize("url", ["foo://x", "not a url", "sqlite+nodriver:///x.db"])
def test_an_unusable_storage_is_refused_before_any_trial(url):
    with pytest.raises(CalibrationError, match="--storage"):
        check_storage(url)


def _open(args: tuple[str, str]) -> str:
    return open_study(*args).study_name


def test_workers_starting_together_on_a_fresh_database_share_one_study(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        names = pool.map(_open, [("race", url)] * 8)
    assert names == ["race"] * 8
    assert len(optuna.get_all_study_summaries(url)) == 1
