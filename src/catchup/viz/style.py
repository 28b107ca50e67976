"""One style for every figure: the Okabe-Ito colour-blind-safe palette, axis labels with
units, calendar years on time axes, legends outside the data, PNG at 300 dpi and vector formats.

Figures are built on `matplotlib.figure.Figure`, never through pyplot, so drawing one
neither changes a notebook's backend nor keeps figures alive in pyplot's registry.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

from catchup.files import atomic_path

# Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
SERIES_COLOURS = {
    "relative_capability": "#0072B2",
    "home_share_home_market": "#D55E00",
    "home_share_world_market": "#009E73",
}
# Every share a dated fact can measure (the history figure): the series above and two more.
MEASURE_COLOURS = {**SERIES_COLOURS, "largest_home_firm_share": "#CC79A7", "home_standard_share": "#E69F00"}
WINDOW_COLOURS = {"technological": "#56B4E9", "demand": "#E69F00", "institutional": "#CC79A7"}
LABELS = {
    "relative_capability": "relative capability (best home / best foreign)",
    "home_share_home_market": "home firms' share of the home market",
    "home_share_world_market": "home firms' share of the world market",
    "largest_home_firm_share": "largest home firm's share of the home market",
    "home_standard_share": "home standard's share of its generation (e.g. of 3G users)",
    "catch_up_probability": "catch-up probability",
    "catch_up_year_median": "median catch-up year",
    "leadership_probability": "leadership probability",
    "final_home_share_home_market": "final home share of the home market",
    "final_home_share_world_market": "final home share of the world market",
}
STYLE = {
    "text.parse_math": False,  # titles and labels hold users' text: a `$` is a dollar, not math
    "figure.dpi": 100,
    "savefig.dpi": 300,
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO),
    "legend.frameon": False,
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
}


def label(name: str) -> str:
    """Axis or legend label of an outcome or parameter, in words."""
    return LABELS.get(name, name.replace("_", " "))


def subplots(
    nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float], **kwargs: Any
) -> tuple[Figure, Any]:
    """A new figure (constrained layout) and its axes; call inside `styled()`."""
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots(nrows, ncols, **kwargs)


def styled() -> Any:
    """The rc context every figure is built and saved in."""
    return matplotlib.rc_context(STYLE)


def render_figure(fig: Figure, fmt: str, target: Any) -> None:
    """Write the figure in one format (PNG at 300 dpi) to a path or a binary buffer."""
    with styled():
        fig.savefig(target, format=fmt, dpi=300 if fmt == "png" else None, bbox_inches="tight")


def save(fig: Figure, folder: Path, name: str, formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Write the figure in every format, each file atomically."""
    paths = []
    for fmt in formats:
        path = folder / f"{name}.{fmt}"
        with atomic_path(path) as tmp:
            render_figure(fig, fmt, tmp)
        paths.append(path)
    return paths


def wrapped(title: str, width: int, max_lines: int = 3) -> str:
    """A title in at most `max_lines` lines of `width` characters (a long description is cut,
    with an ellipsis)."""
    text = " ".join(title[: 2 * width * max_lines].split())
    lines = textwrap.wrap(text, width, max_lines=max_lines, placeholder=" …")
    return "\n".join(lines)


def _quantiles(table: pd.DataFrame, column: str) -> pd.DataFrame:
    return table.groupby("year")[column].quantile([0.05, 0.25, 0.5, 0.75, 0.95]).unstack()


def _band(ax, table: pd.DataFrame, column: str, colour: str, name: str) -> None:
    q = _quantiles(table, column)
    ax.fill_between(q.index, q[0.05], q[0.95], color=colour, alpha=0.12, linewidth=0)
    ax.fill_between(q.index, q[0.25], q[0.75], color=colour, alpha=0.28, linewidth=0)
    ax.plot(q.index, q[0.5], color=colour, linewidth=2, label=name)


def _events(axes, events: Sequence[tuple[float, str]]) -> None:
    """Dated events as labelled vertical markers (label on the first axes only; events in the
    same year share one marker and one label)."""
    merged: dict[float, list[str]] = {}
    for year, text in events:
        merged.setdefault(year, []).append(text)
    for year, texts in merged.items():
        text = " / ".join(texts)
        for i, ax in enumerate(axes):
            ax.axvline(year, color="#000000", linestyle="--", linewidth=0.8, gid="event")
            if i == 0:
                ax.annotate(
                    text,
                    (year, 1.0),
                    xycoords=("data", "axes fraction"),
                    xytext=(2, 2),
                    textcoords="offset points",
                    fontsize=7,
                    rotation=90,
                    va="top",
                    ha="left",
                )
