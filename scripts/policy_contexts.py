"""The case-context policy experiment (experiments/policy/): per context, the cheapest mix on
the Pareto front that reaches P(catch-up) >= 0.8 (and, beside it, also P(leadership) >= 0.8),
its active instruments and organisation mode against the paper's, each chosen point re-run on
fresh seeds through its written scenario file.

Usage: python scripts/policy_contexts.py [--jobs N] [--check-seeds N]
(after `catchup policy experiments/policy/<context>.toml` for each context; `make policy` runs both)

Prints a markdown table and writes it to results/policy/contexts.md. Nothing is tuned here.
"""

from __future__ import annotations

import argparse
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


def interval(point, name: str) -> str:
    """`value [low, high]`: years with one decimal, the rest with two."""
    digits = ".1f" if name.endswith("_year") else ".2f"
    return f"{point[name]:{digits}} [{point[f'{name}_low']:{digits}}, {point[f'{name}_high']:{digits}}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--check-seeds", type=int, default=None, help="fresh runs per sample point")
    args = parser.parse_args()
    lines = [
        "| context | target | paper's mode | cheapest mix | mode | matches | P(catch-up) | "
        "P(leadership) | median leadership year | spending | P(catch-up) with one instrument off | "
        "fresh seeds: inside the intervals |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    with experiments.executor(args.jobs) as ex:
        for context in CONTEXTS:
            folder = ResultFolder.open(OUT / f"{context}_policy")
            problem = experiments.policy_points.problem_of(folder.manifest)
            for target, requirements in TARGETS.items():
                row = analysis.context_row(folder, context, requirements)
                if row["trial"] is None:
                    best = folder.table("pareto_front")["p_catch_up"].max()
                    lines.append(
                        f"| {context} | {target} | {row['paper_mode']} | none reaches it "
                        f"(best P(catch-up) on the front {best:.2f}) | - | - | - | - | - | - | - | - |"
                    )
                    continue
                front = folder.table("pareto_front")
                point = front[front["trial"] == row["trial"]].iloc[0]
                path = OUT / f"{context}_policy.trial{row['trial']}.toml"
                experiments.policy_points.point_file(problem, point, path, folder.manifest.details["study"])
                check = experiments.policy_points.check_point(
                    problem, point, path, seeds=args.check_seeds, executor=ex
                )
                inside = ", ".join(f"{r.objective} {'yes' if r.inside else 'no'}" for r in check.itertuples())
                levels = "; ".join(
                    f"{k} {point[k]:.2f}"
                    for k in problem.levers
                    if not k.endswith("_start") and point[k] >= 0.005
                )
                matches = "-" if row["matches"] is None else str(row["matches"])
                values = {k: float(point[k]) for k in problem.levers}
                without = []
                for instrument in str(row["instruments"]).split(", "):
                    if instrument in INSTRUMENTS:  # the same runs with this one instrument off
                        off = experiments.policy.evaluate(
                            problem, values | {INSTRUMENTS[instrument]: 0.0}, executor=ex
                        )
                        p = off.objectives["p_catch_up"][0]
                        without.append(f"{instrument} {p:.2f}")
                cells = [
                    context,
                    target,
                    row["paper_mode"],
                    f"{row['instruments']} ({levels or 'all off'}; trial {row['trial']})",
                    row["mode"],
                    matches,
                    *(interval(point, name) for name in problem.objectives),
                    "; ".join(without) or "-",
                    inside,
                ]
                lines.append("| " + " | ".join(map(str, cells)) + " |")
                print(lines[-1], flush=True)
    table = "\n".join(lines) + "\n"
    write_text(table, OUT / "contexts.md")
    print(table)


if __name__ == "__main__":
    main()
