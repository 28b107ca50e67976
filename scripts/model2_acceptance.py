"""Measure the acceptance figures of the model-2 issue (windows that really emerge).

Usage: python scripts/model2_acceptance.py [SEEDS] [--jobs N]

Prints each figure with its seeds, base seed and a 95% bootstrap interval where it is a
difference. Every figure is computed from the shipped scenario files; nothing is tuned here.
"""

from __future__ import annotations

import argparse
import glob
from dataclasses import replace
from pathlib import Path

import numpy as np

import catchup
from catchup.experiments.seizure import seizure

BASE_SEED = 777
# No home actor until 2005 where every window would otherwise open at once (shared with the tests).
LATE_HOME = Path(__file__).parents[1] / "tests" / "data" / "late_home.toml"


def with_params(scenario, seeds, **params):
    return replace(scenario, seeds=seeds, base_seed=BASE_SEED, parameters={**scenario.parameters, **params})


def at(result, year, column="home_share_home_market"):
    """One value per run (in run order) of a trajectory column at the step starting at `year`."""
    t = result.trajectories
    rows = t[np.isclose(t["year"], year)].sort_values("run_id")
    return rows[column].to_numpy(float)


def interval(values, draws=4000):
    """Mean and 95% bootstrap interval of the mean (seeded: the same numbers every time)."""
    rng = np.random.default_rng(0)
    values = np.asarray(values, float)
    means = [rng.choice(values, len(values)).mean() for _ in range(draws)]
    return values.mean(), *np.percentile(means, [2.5, 97.5])


def show(label, values):
    mean, low, high = interval(values)
    print(f"  {label}: {mean:+.3f} [95% {low:+.3f}, {high:+.3f}]")


def clearly_lost(trajectories) -> float:
    """Share of runs in which home firms held more than 0.55 of the home market and later fell
    below 0.45: a loss of leadership that is not a wobble around one half."""
    lost = []
    for _, run_rows in trajectories.groupby("run_id"):
        share = run_rows["home_share_home_market"].to_numpy(float)
        peak = int(share.argmax())
        lost.append(share[peak] > 0.55 and share[peak:].min() < 0.45)
    return float(np.mean(lost))


def main(seeds: int, jobs: int) -> None:
    with catchup.executor(jobs=jobs) as ex:
        run = lambda s: catchup.run(s, executor=ex)  # noqa: E731

        print(f"1. paradigm change (scenarios/paradigm_change.toml, {seeds} seeds, base seed {BASE_SEED})")
        para = catchup.load_scenario("paradigm_change")
        for cumulativeness in (0.9, 0.1):
            runs = run(with_params(para, seeds, knowledge_cumulativeness=cumulativeness)).runs
            share = (runs["catch_up_year"] <= 2030).mean()
            print(f"  cumulativeness {cumulativeness}: P(catch-up by 2030) = {share:.3f}")

        print(f"2. 3 against 9 identical foreign firms ({seeds} seeds each; same base seed)")
        for case, year in (("speech", 2013.0), ("shield", 2011.0)):
            scenario = catchup.load_scenario(case)
            three = at(run(with_params(scenario, seeds, n_foreign_firms=3)), year)
            nine = at(run(with_params(scenario, seeds, n_foreign_firms=9)), year)
            print(f"  {case} home share {year:g}: 3 firms {three.mean():.3f}, 9 firms {nine.mean():.3f}")
            show(f"{case} difference (9 - 3; runs are not paired: different firm counts)", nine - three)

        print("3. no window before a home actor exists")
        late = replace(catchup.load_scenario(LATE_HOME), seeds=seeds, base_seed=BASE_SEED)
        windows = run(late).windows
        earliest = windows["open_year"].min()
        print(
            f"  home firms founded 2005 (no institute): {len(windows)} windows, earliest opening {earliest:g}"
        )

        print(f"4. speech: does the 2011 generation's window count as seized? ({seeds} seeds)")
        speech = replace(catchup.load_scenario("speech"), seeds=seeds, base_seed=BASE_SEED)
        _, table = seizure(speech, executor=ex)
        later = table[(table["type"] == "technological") & (table["open_year"] >= 2010)]
        runs_with = later["run_id"].nunique()
        seized = later.groupby("run_id")["seized"].any().sum() if runs_with else 0
        print(f"  runs with a technological window from 2010: {runs_with} of {seeds}; seized in {seized}")
        if runs_with:
            show(
                "effect of that generation on the final home share (run - paired run)",
                later["effect_final_home_share_home_market"],
            )
        rose = later.groupby("run_id")["rose"].any().sum() if runs_with else 0
        print(f"  (the cheap rule: the home side rose while it was open in {rose} runs)")

        print(f"5. TD-SCDMA: which window is credited ({seeds} seeds)")
        td = replace(catchup.load_scenario("td_scdma"), seeds=seeds, base_seed=BASE_SEED)
        _, table = seizure(td, executor=ex)
        for kind, group in table.groupby("type"):
            n = group["run_id"].nunique()
            seized_runs = group.groupby("run_id")["seized"].any().sum()
            effect = group["effect_final_home_share_home_market"].mean()
            print(f"  {kind}: in {n} runs, seized in {seized_runs}, mean effect on final share {effect:+.3f}")

        print(f"6. TD-SCDMA without the patent pool ({seeds} paired runs)")
        base = run(td)
        no_pool = run(
            replace(td, events=tuple(e for e in td.events if e.label != "industry alliance (patent pool)"))
        )
        for year in (2009.75, 2011.75, 2013.75):
            with_pool, without = at(base, year).mean(), at(no_pool, year).mean()
            print(f"  home share {year:g}: {with_pool:.3f} with pool, {without:.3f} without")
        show("loss of the 2013.75 share without the pool", at(base, 2013.75) - at(no_pool, 2013.75))
        for column in ("complementors_home", "home_firms_alive"):
            with_pool, without = at(base, 2013.75, column).mean(), at(no_pool, 2013.75, column).mean()
            print(f"  {column} 2013.75: {with_pool:.3f} with, {without:.3f} without")
        print(f"  dated home entrants in the case: {sum(e.home_entrants for e in td.events)} (Datang, 1998)")

        print(f"7. TD-SCDMA with 4G arriving at the end of 2013 (the case runs to 2025, {seeds} seeds)")
        g4 = run(
            replace(catchup.load_scenario("cases/td_scdma.calibrated"), seeds=seeds, base_seed=BASE_SEED)
        )
        for year in (2014.0, 2016.0, 2018.0, 2020.0):
            old = at(g4, year, "home_standard_share")
            print(
                f"  {year:g}: TD-SCDMA standard's share {old.mean():.3f} (all home {at(g4, year).mean():.3f})"
            )

        print(f"8. home leadership reached and later lost, shipped scenarios ({seeds} seeds)")
        for path in sorted(glob.glob("scenarios/*.toml") + glob.glob("scenarios/cases/*.calibrated.toml")):
            scenario = replace(catchup.load_scenario(path), seeds=seeds, base_seed=BASE_SEED)
            result = run(scenario)
            runs = result.runs
            led, lost = runs["leadership_year"].notna().mean(), runs["leadership_lost_year"].notna().mean()
            clear = clearly_lost(result.trajectories)
            print(
                f"  {scenario.name:22s} led {led:.2f}  led and lost {lost:.2f} (clearly: {clear:.2f})  "
                f"largest home firm (median of run maxima) {runs['max_largest_home_firm_share'].median():.2f}"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seeds", nargs="?", type=int, default=64)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    main(args.seeds, args.jobs)
