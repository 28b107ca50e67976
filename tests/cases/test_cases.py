"""The paper's four cases: calibrated files in sync, every target fitted on fresh seeds, dated
events taken from the history files; the hard cases shown hard for the reason the paper gives."""

from __future__ import annotations

from dataclasses import replace

import pytest

from catchup.config.case import case_path, load_case, stale_reason, unset_inputs, within
from catchup.config.history import INPUT_EVENTS, input_events, load_history
from catchup.config.scenario import load_scenario
from catchup.experiments.calibration import near_bounds, validate
from catchup.experiments.runs import run
from tests.conftest import CASES as CASES_DIR

pytestmark = pytest.mark.slow  # the historical cases over many seeds: in `make test`, not the quick loop

CASES = ("speech", "shield", "two_bombs", "td_scdma")


@pytest.mark.parametrize("case", CASES)
def test_calibrated_file_is_in_sync_with_its_case_and_history(case):
    calibrated = load_case(case_path(case, CASES_DIR, calibrated=True))
    assert stale_reason(calibrated, CASES_DIR / f"{case}.toml") is None, "re-run `catchup calibrate`"


# Known misses, kept visible rather than forced (README, "Historical cases"; the closing note
# of the validation issue). Strict: the day a case fits on all three roots, its test fails and
# the mark must go.
# - td_scdma: the history rises fast, dips and rises again (0.37, 0.44, 0.38, 0.46 at the ends
#   of 2009, 2010, 2012, 2013); the model's home standard rises smoothly, so its end-2009 share
#   stays below 0.30 when its 2011 and 2013 shares are inside their ranges.
KNOWN_MISSES = {
    "td_scdma": "home_standard_share at 2009.9 is 0.28-0.29 on fresh roots (range 0.30-0.40)",
}


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[c]))
        if c in KNOWN_MISSES
        else c
        for c in CASES
    ],
)
def test_calibrated_case_fits_every_calibration_target_on_three_fresh_seed_roots(case, ex):
    calibrated = load_case(case_path(case, CASES_DIR, calibrated=True))
    report = validate(calibrated, roots=3, executor=ex)
    assert report["seeds"] >= 16 and report["roots"] == 3
    fit = report["fit"][report["fit"]["use"] == "calibrate"]
    missed = fit.loc[~fit["inside"], ["root", "target", "low", "high", "median"]]
    assert missed.empty, f"{case} misses calibration targets on fresh seeds:\n{missed}"
    # validation facts are reported, never fitted: they are all there, with a verdict each
    assert (report["fit"]["use"] == "validate").sum() == 3 * len(calibrated.validation) >= 6


@pytest.mark.parametrize("case", CASES)
def test_case_sets_the_dated_decisions_of_its_history(case):
    scenario = load_scenario(CASES_DIR / f"{case}.toml")
    assert unset_inputs(scenario, load_history(scenario.calibration["history"])) == []


@pytest.mark.parametrize("case", CASES)
def test_every_dated_event_of_a_case_is_a_fact_of_its_history(case):
    scenario = load_scenario(CASES_DIR / f"{case}.toml")
    rows = input_events(load_history(scenario.calibration["history"]))
    for event in scenario.events:
        kinds = (
            ("new_generation",)
            if event.new_generation
            else tuple(k for k in INPUT_EVENTS if k != "new_generation")
        )
        matching = [
            r for r in rows.itertuples(index=False) if r.value in kinds and within(event.year, r.low, r.high)
        ]
        assert matching, f"{case}: event {event.label!r} ({event.year}) is no dated fact of its history file"
        assert all(str(r.source).strip() for r in matching)


@pytest.mark.parametrize("case", CASES)
def test_no_calibrated_value_sits_at_a_bound_without_a_written_reason(case):
    calibrated = load_case(case_path(case, CASES_DIR, calibrated=True))
    values = {k: calibrated.scenario.parameters[k] for k in calibrated.free}
    text = (CASES_DIR / f"{case}.toml").read_text()
    for name in near_bounds(values, calibrated.free):
        reasons = [
            line for line in text.splitlines() if name in line and "bound" in line and line.startswith("#")
        ]
        assert reasons, (
            f"{case}: {name} = {values[name]:.4g} ends within 5% of a bound with no reason in the file"
        )


@pytest.mark.parametrize("case", CASES)
def test_case_file_marks_every_free_parameter(case):
    text = (CASES_DIR / f"{case}.toml").read_text()
    scenario = load_scenario(CASES_DIR / f"{case}.toml")
    assert "FREE" in text and "Han (2025), Table" in text
    assert scenario.calibration["seeds"] >= 16
    for name in scenario.calibration["free"]:
        assert name in text.split("[calibration]")[0], f"{case}: free {name} has no starting value or comment"


# The hard cases, and the one change that opens each (the dimension the paper blames).
HARD = {
    "operating_systems": {"niche_market_size": 0.4},
    "semiconductors": {"knowledge_cumulativeness": 0.3},
}


@pytest.mark.parametrize(("case", "opening"), HARD.items())
def test_hard_cases_are_hard_for_the_reason_the_paper_gives(case, opening, ex):
    scenario = load_scenario(CASES_DIR / f"{case}.toml")
    hard = run(replace(scenario, seeds=24), executor=ex).runs
    assert hard["catch_up_year"].notna().mean() <= 0.1
    assert hard["leadership_year"].notna().mean() == 0.0
    opened = run(replace(scenario, seeds=24, parameters={**scenario.parameters, **opening}), executor=ex).runs
    assert opened["catch_up_year"].notna().mean() >= 0.5
