"""Calibration with Optuna on a small case: search, persistence, resume after interruption, validation."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import optuna
import pytest

from catchup.config.case import case_path, keep_reason, load_case, stale_reason, write_calibrated
from catchup.config.scenario import load_scenario
from catchup.errors import CalibrationError, ScenarioError
from catchup.experiments.calibration import (
    calibrate,
    calibration_seeds,
    check_storage,
    identification,
    identification_step,
    near_bounds,
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


def test_processes_sharing_a_study_stop_at_the_trials_the_study_should_hold(tmp_path):
    """`--trials N` is what the shared study should hold, not what each process adds: trials
    another process finishes meanwhile count (here added to the storage during the search)."""
    case = load_case(toy_case(tmp_path))
    name = study_name(case)

    def another_process_finishes_three(done: int, total: int, best: float) -> None:
        if done == 1:
            other = optuna.load_study(study_name=name, storage=storage(tmp_path))
            for k in range(3):
                params = {p: (low + high) / 2 + 0.01 * k for p, (low, high) in case.free.items()}
                distributions = {
                    p: optuna.distributions.FloatDistribution(low, high)
                    for p, (low, high) in case.free.items()
                }
                other.add_trial(
                    optuna.trial.create_trial(params=params, distributions=distributions, value=9.0)
                )

    result = calibrate(case, trials=6, storage=storage(tmp_path), on_trial=another_process_finishes_three)
    assert len(completed(tmp_path, name)) == 6 and result.trials == 6  # 3 own trials, not 6


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


def test_identification_is_flat_for_a_parameter_that_moves_nothing(tmp_path):
    """Could fail both ways: a parameter that acts must raise the objective when moved, and
    one that cannot act (royalties where no patent is licensed) must leave it exactly as it
    was on the same seeds."""
    path = toy_case(tmp_path)
    path.write_text(
        CASE.replace(
            "niche_market_size = 0.05\n", "niche_market_size = 0.4\nroyalty_rate = 0.1\nlicensing = 0.0\n"
        )
        .replace("[calibration.free]\n", "[calibration.free]\nroyalty_rate = [0.0, 0.3]\n")
        .replace("[calibration.prior]\n", "[calibration.prior]\nroyalty_rate = [0.1, 0.1]\n")
    )
    case = load_case(path)
    table = identification(case, {"niche_market_size": 0.4, "royalty_rate": 0.1}, calibration_seeds(case))
    rows = table.set_index("parameter")
    assert rows.loc["royalty_rate", "rise_minus"] == pytest.approx(0.05 * 0.2**2, abs=1e-9)  # prior only
    assert rows.loc["royalty_rate", "rise_plus"] == pytest.approx(0.05 * 0.2**2, abs=1e-9)
    assert max(rows.loc["niche_market_size", ["rise_minus", "rise_plus"]]) > 0.01
    assert bool(rows.loc["royalty_rate", "prior"]) and not bool(rows.loc["royalty_rate", "at_bound"])


def test_near_bounds_flags_values_within_five_percent_of_a_bound():
    free = {"a": (0.0, 1.0), "b": (0.0, 10.0), "c": (2.0, 4.0)}
    assert near_bounds({"a": 0.96, "b": 5.0, "c": 2.09}, free) == ["a", "c"]
    assert near_bounds({"a": 0.94, "b": 0.51, "c": 3.0}, free) == []


def test_more_free_parameters_than_facts_identify_are_refused(tmp_path):
    path = toy_case(tmp_path)
    path.write_text(CASE.replace("[calibration.prior]\nniche_market_size = [0.1, 0.3]\n", ""))
    with pytest.raises(
        CalibrationError, match=r"free parameters without a prior: 1 \(niche_market_size\), for 1"
    ):
        load_case(path)
    path.write_text(CASE.replace("niche_market_size = [0.1, 0.3]", "nope = [0.1, 0.3]"))
    with pytest.raises(ScenarioError, match=r"calibration\.prior\.nope: a prior needs a free parameter"):
        load_case(path)
    path.write_text(CASE.replace("niche_market_size = [0.1, 0.3]", "niche_market_size = [0.1, 0.0]"))
    with pytest.raises(ScenarioError, match=r"needs a finite sd > 0"):
        load_case(path)
    path.write_text(CASE.replace("niche_market_size = [0.1, 0.3]", "niche_market_size = [0.1, inf]"))
    with pytest.raises(ScenarioError, match=r"needs a finite sd > 0"):  # a prior that costs nothing
        load_case(path)


def test_validation_reports_each_root_and_never_lets_validation_facts_fail_the_fit(tmp_path):
    path = toy_case(tmp_path, low=0.0, high=1.0)
    text = (
        (tmp_path / "toy.csv")
        .read_text()
        .replace("source,note", "use,source,note")
        .replace(",test,", ",calibrate,test,")
    )
    (tmp_path / "toy.csv").write_text(text + "1995.5,largest_home_firm_share,0.99,0.98,1.0,validate,test,n\n")
    case = load_case(path)
    assert [t.use for t in case.targets] == ["calibrate"] and [t.use for t in case.validation] == ["validate"]
    report = validate(case, seeds=16, roots=3)
    assert sorted(set(report["fit"]["root"])) == [6, 7, 8]
    assert report["all_inside"] and report["validation_inside"] == 0.0 and report["validation_facts"] == 1


def test_an_identification_step_is_never_zero():
    assert identification_step(0.5, -1, 0.0, 1.0, False) == (pytest.approx(0.4), False)
    assert identification_step(0.0, 1, 0.0, 2.0, False) == (pytest.approx(0.4), False)  # 20% of the bounds
    assert identification_step(0.0, -1, 0.0, 2.0, False) == (0.0, True)  # clipped, and said so
    assert identification_step(2, 1, 0, 5, True) == (3, False)  # 20% of 2 rounds to 0: one step
    assert identification_step(5, 1, 0, 5, True) == (5, True)


def test_validation_refuses_the_calibration_seed_root(tmp_path):
    case = load_case(toy_case(tmp_path, low=0.0, high=1.0))  # calibration base_seed 5
    with pytest.raises(CalibrationError, match="include 5, the root the calibration searched on"):
        validate(case, seeds=16, base_seed=4, roots=2)


def test_a_dated_outcome_after_the_span_is_refused(tmp_path):
    path = toy_case(tmp_path)
    with (tmp_path / "toy.csv").open("a") as history:
        history.write("2030,event,first_home_product,2029,2031,test,n\n")
    with pytest.raises(CalibrationError, match=r"first_product_year in .* lie outside the span"):
        load_case(path)
