"""One style for every figure: the Okabe-Ito colour-blind-safe palette, axis labels with
units, calendar years on time axes, legends outside the data, PNG at 300 dpi and vector formats.

Figures are built on `matplotlib.figure.Figure`, never through pyplot, so drawing one
neither changes a notebook's backend nor keeps figures alive in pyplot's registry.
"""

from __future__ import annotations

import math
import textwrap
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.patches
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from catchup.analysis.measures import label as measure_label
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
# Axis labels that word a measure differently from the summary vocabulary (a figure's axis
# says "probability" where a table's column says "% of runs"); every other name is labelled
# from the vocabulary (`analysis.measures`).
LABELS = {
    "catch_up_probability": "catch-up probability",
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
    """Axis or legend label of an outcome or parameter, in words (the summary vocabulary's)."""
    return LABELS.get(name) or measure_label(name)


def subplots(
    nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float], **kwargs: Any
) -> tuple[Figure, Any]:
    """A new figure (constrained layout) and its axes; call inside `styled()`."""
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots(nrows, ncols, **kwargs)


def styled() -> Any:
    """The rc context every figure is built and saved in."""
    return matplotlib.rc_context(STYLE)


def laid_out(fig: Figure) -> None:
    """Lay the figure out now, to measure it. An intermediate layout may not fit (a key not yet
    made room for): matplotlib's warning about it is not the reader's concern; the saved figure's
    is, and `sizes.collisions` reports it."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="constrained_layout not applied")
        fig.draw_without_rendering()


def render_figure(fig: Figure, fmt: str, target: Any, tight: bool = True) -> None:
    """Write the figure in one format (PNG at 300 dpi) to a path or a binary buffer; `tight`
    crops it to what it holds (a figure sized for a journal column keeps its exact size)."""
    with styled():
        fig.savefig(
            target, format=fmt, dpi=300 if fmt == "png" else None, bbox_inches="tight" if tight else None
        )


def save(
    fig: Figure, folder: Path, name: str, formats: Sequence[str] = ("png", "svg"), tight: bool = True
) -> list[Path]:
    """Write the figure in every format, each file atomically."""
    paths = []
    for fmt in formats:
        path = folder / f"{name}.{fmt}"
        with atomic_path(path) as tmp:
            render_figure(fig, fmt, tmp, tight)
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


# Dated events are numbered markers above the top panel, with a key beside the panels: labels
# written along the lines ran into each other, the data and the axes when events were close.
EVENT_FONT = 7  # points
EVENT_KEY_WIDTH = 44  # characters per line of an event's text in the key


def spread(positions: Sequence[float], width: float, extent: float) -> list[float]:
    """Label centres as close as possible (least squares) to `positions`, each at least `width`
    from the next and inside [width / 2, extent - width / 2]: labels in a row never overlap.

    With x_i' - x_{i-1}' >= width, y_i = x_i - i * width must not decrease: the closest such y is
    the isotonic regression of the positions less i * width (scipy)."""
    from scipy.optimize import isotonic_regression  # only when events are drawn

    x = np.asarray(positions, dtype=float)
    steps = np.arange(len(x)) * width
    placed = isotonic_regression(x - steps).x + steps
    if len(placed):
        placed += max(0.0, width / 2 - placed[0])  # pushed off the left edge: move the row right
        placed -= max(0.0, placed[-1] - (extent - width / 2))  # and off the right edge: left
    return placed.tolist()


def event_text(event: Mapping[str, Any]) -> str:
    """What an unlabelled dated event does, as its key entry: "new generation, rd_subsidy = 0.3"."""
    done = ["new generation"] * bool(event.get("new_generation"))
    return ", ".join(done + [f"{n} = {v:g}" for n, v in (event.get("set") or {}).items()]) or "event"


def _events(axes, events: Sequence[tuple[float, str]], key_axes=None) -> None:
    """Dated events as dashed lines on every panel, numbered above the first panel (numbers of
    close events moved apart, with a leader line, so they never overlap) and listed in a key:
    below the figure, or beside `key_axes` for a figure whose bottom holds its legend. Events
    in the same year share one line, number and key entry."""
    merged: dict[float, list[str]] = {}
    for year, text in events:
        merged.setdefault(year, []).append(text)
    if not merged:
        return
    top = axes[0]
    fig = top.figure
    years = sorted(merged)
    for ax in axes:
        for year in years:
            ax.axvline(year, color="#000000", linestyle="--", linewidth=0.8, gid="event")
    entries = [
        textwrap.fill(
            f"{i + 1}  {year:g}: {' / '.join(merged[year])}", EVENT_KEY_WIDTH, subsequent_indent="    "
        )
        for i, year in enumerate(years)
    ]
    handles = [matplotlib.patches.Patch(visible=False) for _ in entries]
    style = {
        "title": "dated events",
        "title_fontsize": EVENT_FONT,
        "fontsize": EVENT_FONT,
        "handlelength": 0,
        "handletextpad": 0,
        "alignment": "left",
    }
    if key_axes is None:  # below the panels, in columns: the figure grows by it, the panels keep their size
        key = fig.legend(handles, entries, loc="outside lower center", ncols=min(2, len(entries)), **style)
        laid_out(fig)
        width, height = fig.get_size_inches()
        fig.set_size_inches(width, height + key.get_window_extent().height / fig.dpi)
    else:
        key = key_axes.legend(handles, entries, loc="upper left", bbox_to_anchor=(1.01, 1.0), **style)
    key.set_gid("event-key")
    for i, year in enumerate(years):
        top.annotate(
            str(i + 1),
            (year, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 6),
            textcoords="offset points",
            fontsize=EVENT_FONT,
            ha="center",
            va="bottom",
            bbox={
                "boxstyle": "round,pad=0.2",
                "facecolor": "white",
                "edgecolor": "#000000",
                "linewidth": 0.6,
            },
            arrowprops={"arrowstyle": "-", "linewidth": 0.5, "shrinkA": 0, "shrinkB": 0},
            gid="event-label",
            annotation_clip=False,
        )
    place_event_labels(top)


def panel_titles(ax) -> dict[str, Any]:
    """A panel's three title texts by location (matplotlib keeps the left and right ones private)."""
    return {"center": ax.title, "left": ax._left_title, "right": ax._right_title}


def _spread_row(ax, labels: list, width: float, step: float, base: float) -> int:
    """Offset `labels` (annotations at data x, offsets in points) so that none overlaps another:
    moved apart along x as little as possible, in rows `step` points apart from `base` when one
    row cannot hold them; returns the number of rows."""
    fig = ax.figure
    extent = ax.get_window_extent().width * 72 / fig.dpi  # points
    low, high = ax.get_xlim()
    at = [(t.xy[0] - low) / (high - low) * extent for t in labels]
    rows = max(1, math.ceil(len(labels) * width / extent))  # more labels than one row holds
    for row in range(rows):
        mine = list(range(row, len(labels), rows))
        for i, x in zip(mine, spread([at[i] for i in mine], width, extent), strict=True):
            labels[i].xyann = (x - at[i], base + row * step)
    return rows


def place_fact_labels(ax) -> None:
    """Move the names of dated facts inside `ax` (e.g. three mission milestones a few years
    apart) apart for its width as laid out now, stacked downwards if need be."""
    labels = [t for t in ax.texts if t.get_gid() == "fact-label"]
    if labels:
        fig = ax.figure
        laid_out(fig)
        width = max(t.get_window_extent().width for t in labels) * 72 / fig.dpi + 4
        _spread_row(ax, labels, width, -(labels[0].get_fontsize() + 3), 0.0)


def place_event_labels(ax) -> None:
    """Move the event numbers above `ax` apart (in rows when one row cannot hold them) for its
    width as laid out now; called again when a figure is resized (`sizes.at_size`)."""
    labels = [t for t in ax.texts if t.get_gid() == "event-label"]
    if not labels:
        return
    # The key is in place first: it takes width from the panels, and the panels' final width
    # decides how far apart the numbers must be moved.
    laid_out(ax.figure)
    base = 6.0
    width = 0.62 * EVENT_FONT * len(str(len(labels))) + 9  # the widest number, its box and a gap
    rows = _spread_row(ax, labels, width, EVENT_FONT + 7, base)
    for loc, title in panel_titles(ax).items():  # a panel's title goes above the numbers
        if title.get_text():
            pad = base + rows * (EVENT_FONT + 7) + 4
            ax.set_title(title.get_text(), loc=loc, pad=pad, fontsize=title.get_fontsize())
