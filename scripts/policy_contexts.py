"""The case-context policy experiment (experiments/policy/): per context, the cheapest mix on
the Pareto front that reaches P(catch-up) >= 0.8 (and, beside it, also P(leadership) >= 0.8) on
the search's seeds and again on fresh ones (`confirmed`), its active instruments and organisation
mode against the paper's, P(catch-up) with each instrument off, and its written scenario file
re-run on fresh seeds against the search's intervals.

Usage: python scripts/policy_contexts.py [--jobs N] [--check-seeds N]
(after `catchup policy experiments/policy/<context>.toml` for each context; `make policy` runs both)

Prints a markdown table and writes it to results/policy/contexts.md. Nothing is tuned here.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import catchup.analysis as analysis
import catchup.experiments as experiments
from catchup.config.levers import INSTRUMENTS
from catchup.files import write_text
from catchup.results import ResultFolder

CONTEXTS = ("speech", "shield", "td_scdma", "semiconductors")
TARGETS = {
    "catch-up": {"p_catch_up": 0.8},
    "catch-up and leadership": {"p_catch_up": 0.8, "p_leadership": 0.8},
}
OUT = Path("results/policy")
# The instruments a mix cannot do without are measured on more seeds than the search used, from
# a root of their own (search: base seed; confirmation: +1; check: +2).
ABLATION_FACTOR = 4
ABLATION_SEED_OFFSET = 3


def interval(point, name: str) -> str:
    """`value [low, high]`: years with one decimal, the rest with two."""
    digits = ".1f" if name.endswith("_year") else ".2f"
    return f"{point[name]:{digits}} [{point[f'{name}_low']:{digits}}, {point[f'{name}_high']:{digits}}]"


def without(problem, point, instruments: str, ex) -> str:
    """P(catch-up) of the mix and of the mix with each active instrument off, on the same
    ABLATION_FACTOR x seeds from a root neither the search nor the checks used."""
    values = {k: float(point[k]) for k in problem.levers}
    fresh = replace(problem, seeds=ABLATION_FACTOR * problem.seeds)
    root = problem.base_seed + ABLATION_SEED_OFFSET

    def p_catch_up(changed: dict[str, float]) -> float:
        measured = experiments.policy.evaluate(fresh, values | changed, executor=ex, base_seed=root)
        return measured.objectives["p_catch_up"][0]

    parts = [f"all on {p_catch_up({}):.2f}"]
    parts += [
        f"{i} off {p_catch_up({INSTRUMENTS[i]: 0.0}):.2f}"
        for i in instruments.split(", ")
        if i in INSTRUMENTS
    ]
    return "; ".join(parts)


def convergence() -> list[str]:
    """Whether the search had settled: the cheapest candidate reaching P(catch-up) >= 0.8 (on the
    search's seeds) among the first n candidates, for growing n."""
    lines = [
        "| context | candidates | cheapest reaching P(catch-up) >= 0.8: trial, spending, mode |",
        "|---|---|---|",
    ]
    for context in CONTEXTS:
        folder = ResultFolder.open(OUT / f"{context}_policy")
        problem = experiments.policy_points.problem_of(folder)
        trials = experiments.policy_points.policy_table(folder, "policy_trials", problem)
        span = folder.manifest.scenario["start_year"], folder.manifest.scenario["end_year"]
        for n in range(160, len(trials) + 1, 160):
            first = trials[(trials["trial"] < n) & (trials["p_catch_up"] >= 0.8)]
            if first.empty:
                lines.append(f"| {context} | {n} | none |")
                continue
            best = first.loc[first["government_spending"].idxmin()]
            mode = analysis.organisation_mode(analysis.active_instruments(best.to_dict(), *span))
            lines.append(
                f"| {context} | {n} | {int(best['trial'])}, {best['government_spending']:.2f}, {mode} |"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--check-seeds", type=int, default=None, help="fresh runs per sample point")
    args = parser.parse_args()
    lines = [
        "| context | target | paper's mode | cheapest mix | mode | matches | P(catch-up) | "
        "P(leadership) | median leadership year | spending | P(catch-up): the mix, and each instrument off | "
        "fresh seeds: value, inside the search's interval |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    with experiments.executor(args.jobs) as ex:
        for context in CONTEXTS:
            folder = ResultFolder.open(OUT / f"{context}_policy")
            problem = experiments.policy_points.problem_of(folder)
            front = experiments.policy_points.policy_table(folder, "pareto_front", problem)
            span = folder.manifest.scenario["start_year"], folder.manifest.scenario["end_year"]
            for target, requirements in TARGETS.items():
                wanted = [(name, ">=", least) for name, least in requirements.items()]
                point, tried = experiments.policy_points.confirmed(
                    problem, front, wanted, "government_spending", executor=ex
                )
                row = analysis.context_row(context, None if point is None else point.to_dict(), *span)
                if point is None:
                    best = front["p_catch_up"].max()
                    lines.append(
                        f"| {context} | {target} | {row['paper_mode']} | none reaches it (best P(catch-up) "
                        f"on the front {best:.2f}; {tried} tried) | - | - | - | - | - | - | - | - |"
                    )
                    continue
                path = OUT / f"{context}_policy.trial{row['trial']}.toml"
                experiments.policy_points.point_file(problem, point, path, folder.manifest.details["study"])
                check = experiments.policy_points.check_point(
                    problem, point, path, seeds=args.check_seeds, executor=ex
                )
                inside = "; ".join(
                    f"{r.objective} {r.fresh:.4g} {'yes' if r.inside else 'no'}" for r in check.itertuples()
                )
                levels = "; ".join(
                    f"{k} {point[k]:.2f}"
                    for k in problem.levers
                    if not k.endswith("_start") and point[k] >= 0.005
                )
                lines.append(
                    "| "
                    + " | ".join(
                        map(
                            str,
                            [
                                context,
                                target,
                                row["paper_mode"],
                                f"{row['instruments']} ({levels or 'all off'}; trial {row['trial']}, "
                                f"{tried} tried)",
                                row["mode"],
                                "-" if row["matches"] is None else row["matches"],
                                *(interval(point, name) for name in problem.objectives),
                                without(problem, point, str(row["instruments"]), ex),
                                inside,
                            ],
                        )
                    )
                    + " |"
                )
                print(lines[-1], flush=True)
    lines += ["", *convergence()]
    table = "\n".join(lines) + "\n"
    write_text(table, OUT / "contexts.md")
    print(table)


if __name__ == "__main__":
    main()
