"""The paper's four cases: calibrated files in sync, every target fitted on fresh seeds, dated
events taken from the history files; the hard cases shown hard for the reason the paper gives."""

from __future__ import annotations

from dataclasses import replace

import pytest

from catchup.config.case import case_path, load_case, stale_reason
from catchup.config.history import input_events, load_history
from catchup.config.scenario import load_scenario
from catchup.experiments.calibration import validate
from catchup.experiments.runs import run
from tests.conftest import CASES as CASES_DIR

pytestmark = pytest.mark.slow  # the historical cases over many seeds: in `make test`, not the quick loop

CASES = ("speech", "shield", "two_bombs", "td_scdma")


@pytest.mark.parametrize("case", CASES)
def test_calibrated_file_is_in_sync_with_its_case_and_history(case):
    calibrated = load_case(case_path(case, CASES_DIR, calibrated=True))
    assert stale_reason(calibrated, CASES_DIR / f"{case}.toml") is None, "re-run `catchup calibrate`"


# Known misses, kept visible rather than forced (docs/ODD.md, "Measured properties"; the
# closing note of the model-2 issue). Strict: the day a case fits, its test fails and the mark
# must go.
# - shield: model 2 cannot put the first home product late (2006-2008) and still reach 0.3-0.5
#   of the market by 2011; the best fit has the first product at the range's lower edge on the
#   calibration seeds and about half a year early on fresh ones, and its 2011 share spreads so
#   widely (10-90% of runs 0.13-0.66) that other sets of fresh seeds put the median above 0.5.
# - td_scdma: the history rises slowly, then faster (0.37, 0.40, 0.46); the model rises fast
#   after the 2009 licence, then slower, so its 2011.9 median lands above 0.42 on most sets of
#   fresh seeds (0.41-0.46 across seed roots).
KNOWN_MISSES = {
    "shield": "first_product_year 2005.3-2005.5 on fresh seeds (range 2006-2008)",
    "td_scdma": "home share at 2011.9 is 0.41-0.46 across fresh seed roots (range 0.38-0.42)",
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
def test_calibrated_case_fits_every_target_on_fresh_seeds(case, ex):
    calibrated = load_case(case_path(case, CASES_DIR, calibrated=True))
    report = validate(calibrated, executor=ex)
    assert report["seeds"] >= 16
    fit = report["fit"]
    missed = fit.loc[~fit["inside"], ["target", "low", "high", "median"]]
    assert missed.empty, f"{case} misses targets on fresh seeds:\n{missed}"


def _within(year: float, low: float, high: float) -> bool:
    """A whole-number bound means the whole calendar year (2002 covers 2002.0 to 2002.99)."""
    top = high + 1 if float(high).is_integer() else high
    return low <= year < top or year == high


@pytest.mark.parametrize("case", CASES)
def test_case_sets_the_dated_decisions_of_its_history(case):
    scenario = load_scenario(CASES_DIR / f"{case}.toml")
    history = load_history(scenario.calibration["history"])
    for row in input_events(history).itertuples(index=False):
        if row.value in ("program_start", "new_generation") and _within(
            scenario.start_year, row.low, row.high
        ):
            continue  # the scenario starts with it (the first programme or generation)
        if row.value == "new_generation" and float(row.high) <= scenario.start_year:
            continue  # a generation that began before the span is the span's first generation
        matching = [
            e
            for e in scenario.events
            if _within(e.year, row.low, row.high) and (row.value != "new_generation" or e.new_generation)
        ]
        assert matching, f"{case}: no event for {row.value} in [{row.low}, {row.high}]"


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
