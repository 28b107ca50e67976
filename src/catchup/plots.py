"""Figures from result tables. One style for every figure (colour-blind-safe Okabe-Ito palette)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from catchup.windows import WINDOW_TYPES

# Okabe & Ito (2008) colour-blind-safe palette.
PALETTE = {
    "relative_capability": "#0072B2",
    "home_share_home_market": "#D55E00",
    "home_share_world_market": "#009E73",
    "technological": "#56B4E9",
    "demand": "#E69F00",
    "institutional": "#CC79A7",
    "event": "#000000",
}
LABELS = {
    "relative_capability": "relative capability (best home / best foreign)",
    "home_share_home_market": "home firms' share of home market",
    "home_share_world_market": "home firms' share of world market",
}


def _band(table: pd.DataFrame, column: str) -> pd.DataFrame:
    return table.groupby("year")[column].quantile([0.05, 0.25, 0.5, 0.75, 0.95]).unstack()


def trajectory_figure(
    trajectories: pd.DataFrame,
    windows: pd.DataFrame,
    events: list[tuple[float, str]],
    title: str,
    path: Path,
) -> Path:
    """Median trajectories with 50% and 90% bands over seeds, window timeline, dated events."""
    fig, (ax, strip) = plt.subplots(
        2, 1, figsize=(8, 5.5), sharex=True, gridspec_kw={"height_ratios": [4, 1]}, layout="constrained"
    )
    for column in ("relative_capability", "home_share_home_market", "home_share_world_market"):
        q = _band(trajectories, column)
        colour = PALETTE[column]
        ax.fill_between(q.index, q[0.05], q[0.95], color=colour, alpha=0.12, linewidth=0)
        ax.fill_between(q.index, q[0.25], q[0.75], color=colour, alpha=0.25, linewidth=0)
        ax.plot(q.index, q[0.5], color=colour, linewidth=2, label=LABELS[column])
    ax.axhline(0.9, color="grey", linestyle=":", linewidth=1)
    for year, label in events:
        for a in (ax, strip):
            a.axvline(year, color=PALETTE["event"], linestyle="--", linewidth=0.8)
        ax.annotate(
            label, (year, 1.02), xycoords=("data", "axes fraction"), fontsize=8, rotation=0, ha="left"
        )
    ax.set_ylabel("share / ratio")
    ax.set_ylim(0, max(1.05, float(np.nanmax(_band(trajectories, "relative_capability")[0.95])) * 1.05))
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.set_title(textwrap.fill(title, 70), loc="left", pad=16, fontsize=11)
    n_runs = trajectories["run_id"].nunique()
    for row, kind in enumerate(WINDOW_TYPES):
        of_kind = windows[windows["type"] == kind]
        for _, w in of_kind.iterrows():
            strip.axvspan(
                w["open_year"],
                w["close_year"],
                ymin=(2 - row) / 3 + 0.03,
                ymax=(3 - row) / 3 - 0.03,
                color=PALETTE[kind],
                alpha=min(0.9, 1.5 / max(n_runs, 1) + 0.05),
                hatch="//" if w["seized"] else None,
                linewidth=0,
            )
    strip.set_yticks([5 / 6, 3 / 6, 1 / 6], list(WINDOW_TYPES), fontsize=8)
    strip.set_ylim(0, 1)
    strip.set_xlabel("year")
    strip.set_title("windows of opportunity (all runs overlaid; hatched = seized)", fontsize=8, loc="left")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path
