"""The Pareto front of a policy search: every candidate, the non-dominated ones with their
intervals, one panel per pair of the first objective with another."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from matplotlib.figure import Figure

from catchup.viz.style import OKABE_ITO, styled, subplots

OBJECTIVE_LABELS = {
    "p_catch_up": "P(catch-up)",
    "p_leadership": "P(home firms lead the home market)",
    "catch_up_year": "median catch-up year",
    "leadership_year": "median leadership year",
    "home_share": "mean final home share of the home market",
    "government_spending": "government spending (present value)",
}


MAX_LABELLED = 12  # front points labelled with their trial numbers, at most


def _errors(front: pd.DataFrame, name: str) -> list[pd.Series]:
    return [front[name] - front[f"{name}_low"], front[f"{name}_high"] - front[name]]


def pareto_figure(trials: pd.DataFrame, objectives: Mapping[str, str], title: str = "") -> Figure:
    """Candidates in grey, the front in colour with 95% intervals on both axes, each front point
    labelled with its trial number (the number `catchup policy-point --trial` takes) when the
    front has at most MAX_LABELLED points; each axis label says which way is better."""
    names = list(objectives)
    x = names[0]
    pairs = [(x, y) for y in names[1:]]
    front = trials[trials["pareto"].astype(bool)].sort_values(x)
    with styled():
        fig, axes = subplots(1, len(pairs), figsize=(5.2 * len(pairs), 4.2), squeeze=False)
        for ax, (a, b) in zip(axes[0], pairs, strict=True):
            ax.scatter(trials[b], trials[a], s=10, color="#BBBBBB", label="candidates")
            ax.errorbar(
                front[b],
                front[a],
                xerr=_errors(front, b),
                yerr=_errors(front, a),
                fmt="o",
                color=OKABE_ITO[0],
                ecolor=OKABE_ITO[0],
                elinewidth=0.7,
                markersize=4,
                label="Pareto front (95% intervals)",
            )
            # numbers only where they can be read: a large front's are in pareto_front.csv
            for row in front.itertuples(index=False) if len(front) <= MAX_LABELLED else ():
                ax.annotate(
                    str(int(row.trial)),
                    (getattr(row, b), getattr(row, a)),
                    fontsize=6,
                    xytext=(3, 3),
                    textcoords="offset points",
                )
            better = {"maximize": "higher is better", "minimize": "lower is better"}
            ax.set_xlabel(f"{OBJECTIVE_LABELS.get(b, b)} ({better[objectives[b]]})")
            ax.set_ylabel(f"{OBJECTIVE_LABELS.get(a, a)} ({better[objectives[a]]})")
            ax.legend(fontsize=7, loc="best")
        if title:
            fig.suptitle(title, fontsize=10)
    return fig
