"""Figures over calendar years: trajectories, a case against its history, scenarios
compared, counterfactual paths. Pure functions from tables to matplotlib Figures.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.lines
import matplotlib.patches
import matplotlib.ticker
import pandas as pd
from matplotlib.figure import Figure

from catchup.config.history import Target
from catchup.model.windows import WINDOW_TYPES
from catchup.viz.facts import dated_event, dated_share
from catchup.viz.style import (
    MEASURE_COLOURS,
    OKABE_ITO,
    SERIES_COLOURS,
    WINDOW_COLOURS,
    _band,
    _events,
    _quantiles,
    label,
    place_fact_labels,
    styled,
    subplots,
    wrapped,
)


def _time_panels() -> tuple[Figure, tuple]:
    """Two data panels over a window strip, sharing the year axis (trajectories, history)."""
    fig, axes = subplots(
        3,
        1,
        figsize=(7.5, 7),
        sharex=True,
        gridspec_kw={"height_ratios": [3, 3, 1.4]},
    )
    return fig, tuple(axes)


def _finish_time_panels(
    fig: Figure,
    axes: tuple,
    windows: pd.DataFrame,
    n_runs: int,
    events: Sequence[tuple[float, str]],
    title: str,
) -> None:
    """The windows strip, event markers on every panel, the year label and the title."""
    strip = axes[-1]
    _window_strip(strip, windows, n_runs)
    _events(axes, events)
    strip.set_xlabel("year")
    strip.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(nbins="auto", integer=True))  # years
    if title:
        fig.suptitle(wrapped(title, 90), x=0.02, ha="left", fontsize=10)
    for ax in axes:
        place_fact_labels(ax)


def trajectories_figure(
    trajectories: pd.DataFrame,
    windows: pd.DataFrame,
    events: Sequence[tuple[float, str]] = (),
    title: str = "",
    threshold: float = 0.9,
    faint_runs: int = 5,
) -> Figure:
    """Median over seeds with 50% and 90% bands, a few runs faint behind, windows and events.

    Top: relative capability; middle: home shares of home and world market; bottom: a
    timeline strip with one row per window type, every run's windows overlaid, hatched
    when the home side rose while it was open.
    """
    with styled():
        fig, (cap, share, strip) = _time_panels()
        runs = list(dict.fromkeys(trajectories["run_id"]))[:faint_runs]
        for run_id in runs:
            one = trajectories[trajectories["run_id"] == run_id]
            cap.plot(
                one["year"], one["relative_capability"], color="#0072B2", alpha=0.25, linewidth=0.6, gid="run"
            )
            for column in ("home_share_home_market", "home_share_world_market"):
                share.plot(
                    one["year"],
                    one[column],
                    color=SERIES_COLOURS[column],
                    alpha=0.25,
                    linewidth=0.6,
                    gid="run",
                )
        _band(cap, trajectories, "relative_capability", SERIES_COLOURS["relative_capability"], "median")
        cap.axhline(threshold, color="grey", linestyle=":", linewidth=1)  # the scenario's catch_up_threshold
        cap.set_ylabel("relative capability\n(best home / best foreign, ratio)")
        cap.set_ylim(bottom=0)
        for column in ("home_share_home_market", "home_share_world_market"):
            _band(share, trajectories, column, SERIES_COLOURS[column], label(column))
        share.set_ylabel("home firms' market share\n(share of demand)")
        share.set_ylim(0, 1)
        cap.legend(
            handles=[
                matplotlib.lines.Line2D([], [], color="#0072B2", linewidth=2, label="median over runs"),
                matplotlib.patches.Patch(color="#0072B2", alpha=0.28, label="50% of runs"),
                matplotlib.patches.Patch(color="#0072B2", alpha=0.12, label="90% of runs"),
                matplotlib.lines.Line2D(
                    [], [], color="#0072B2", alpha=0.4, linewidth=0.6, label="single runs"
                ),
                matplotlib.lines.Line2D([], [], color="grey", linestyle=":", label="catch-up threshold"),
            ],
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            fontsize=7,
        )
        share.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7)
        _finish_time_panels(
            fig, (cap, share, strip), windows, trajectories["run_id"].nunique(), events, title
        )
    return fig


def _window_strip(ax, windows: pd.DataFrame, n_runs: int) -> None:
    """One row per window type; every window a span, hatched when the home side rose while it was open."""
    alpha = min(0.9, 1.5 / max(n_runs, 1) + 0.05)
    for row, kind in enumerate(WINDOW_TYPES):
        low, high = (2 - row) / 3 + 0.04, (3 - row) / 3 - 0.04
        for w in windows[windows["type"] == kind].itertuples():
            ax.axvspan(
                w.open_year,
                w.close_year,
                ymin=low,
                ymax=high,
                facecolor=WINDOW_COLOURS[kind],
                alpha=alpha,
                hatch="////" if w.rose else None,
                edgecolor="#333333" if w.rose else "none",
                linewidth=0,
                gid=f"window-{kind}",
            )
    ax.set_yticks([5 / 6, 3 / 6, 1 / 6], list(WINDOW_TYPES))
    ax.set_ylim(0, 1)
    ax.set_ylabel("windows")
    ax.set_title(
        "windows of opportunity, all runs overlaid (hatched: home side rose while open)",
        fontsize=8,
        loc="left",
    )


def compare_figure(
    named: Sequence[tuple[str, pd.DataFrame]], events: Sequence[tuple[float, str]] = ()
) -> Figure:
    """Several scenarios' median trajectories with 50% bands on shared axes."""
    with styled():
        fig, axes = subplots(1, 3, figsize=(11, 3.6), sharex=True)
        for i, (name, table) in enumerate(named):
            colour = OKABE_ITO[i % len(OKABE_ITO)]
            for ax, column in zip(axes, SERIES_COLOURS, strict=True):
                q = _quantiles(table, column)
                ax.fill_between(q.index, q[0.25], q[0.75], color=colour, alpha=0.2, linewidth=0)
                ax.plot(q.index, q[0.5], color=colour, linewidth=1.8, label=name)
        for ax, column in zip(axes, SERIES_COLOURS, strict=True):
            ax.set_title(label(column), fontsize=9)
            ax.set_xlabel("year")
            ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(nbins="auto", integer=True))  # years
            ax.set_ylim(bottom=0)
        axes[0].set_ylabel("ratio (relative capability) / share of demand")
        axes[0].axhline(0.9, color="grey", linestyle=":", linewidth=1)
        _events(axes, events, key_axes=axes[-1])
        fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=min(len(named), 4))
    return fig


def history_figure(
    trajectories: pd.DataFrame,
    windows: pd.DataFrame,
    runs: pd.DataFrame,
    targets: Sequence[Target],
    events: Sequence[tuple[float, str]] = (),
    title: str = "",
    mission_target: float | None = None,
) -> Figure:
    """A calibrated case against its dated facts, calibration and validation facts apart.

    Top: home share of the home market and every other share a fact measures (median, 50%
    and 90% of runs), each dated share fact as its range (bar) and value (diamond: filled
    for a calibration fact, open for a validation fact); a dashed line at the last
    calibration fact, after which the bands are the model's prediction. Middle: relative capability, and the
    mission's progress when there is a mission. Dated outcomes (first home product, mission
    target) appear as the historical year range (shaded) with the simulated median and
    10-90% interval of runs (dot and line). Bottom: the windows every run detected.
    """
    share_targets = [t for t in targets if not t.is_event]
    event_targets = [t for t in targets if t.is_event]
    mission = bool(trajectories["mission_active"].any())
    others = {t.measure for t in share_targets if t.measure in trajectories} - {"home_share_home_market"}
    measures = ["home_share_home_market", *sorted(others)]
    with styled():
        fig, (share, cap, strip) = _time_panels()
        for measure in measures:
            colour = MEASURE_COLOURS.get(measure, "#444444")
            _band(share, trajectories, measure, colour, label(measure))
        for t in share_targets:
            dated_share(share, t, MEASURE_COLOURS.get(t.measure, "#000000"))
        calibration_years = [t.high if t.is_event else t.year for t in targets if t.use == "calibrate"]
        if calibration_years:  # everything to the right is the model's prediction
            last = max(calibration_years)
            for ax in (share, cap):
                ax.axvline(last, color="#555555", linestyle="-.", linewidth=1.2)
            share.annotate(
                " prediction →",
                (last, 0.04),
                xycoords=("data", "axes fraction"),
                fontsize=7,
                va="bottom",
            )
        share.set_ylabel("share of demand")
        share.set_ylim(0, 1)
        _band(
            cap,
            trajectories,
            "relative_capability",
            SERIES_COLOURS["relative_capability"],
            "relative capability",
        )
        if mission:
            _band(cap, trajectories, "mission_progress", "#CC79A7", "mission progress")
            if mission_target is not None:
                cap.axhline(mission_target, color="grey", linestyle=":", linewidth=1, label="mission target")
        cap.set_ylabel("relative capability (ratio)" + ("\nand mission progress (share)" if mission else ""))
        cap.set_ylim(bottom=0)
        for t in event_targets:
            axis = cap if t.measure.startswith("mission_year") else share
            dated_event(axis, t, 0.86)
            years = runs[t.measure].dropna()
            if len(years):
                y = 0.92
                axis.plot(
                    [years.quantile(0.1), years.quantile(0.9)],
                    [y, y],
                    transform=axis.get_xaxis_transform(),
                    color="#000000",
                    linewidth=1.2,
                )
                axis.plot(
                    [years.median()],
                    [y],
                    "o",
                    transform=axis.get_xaxis_transform(),
                    color="#000000",
                    markersize=4,
                    gid="simulated",
                )
        handles = [
            *(
                matplotlib.lines.Line2D(
                    [], [], color=MEASURE_COLOURS.get(m, "#444444"), linewidth=2, label=label(m)
                )
                for m in measures
            ),
            matplotlib.lines.Line2D([], [], color="#444444", linewidth=2, label="model median"),
            matplotlib.patches.Patch(color="#444444", alpha=0.28, label="50% of runs"),
            matplotlib.patches.Patch(color="#444444", alpha=0.12, label="90% of runs"),
            matplotlib.lines.Line2D(
                [],
                [],
                color="#000000",
                marker="D",
                markersize=4,
                linestyle="none",
                label="calibration fact (range)",
            ),
            matplotlib.lines.Line2D(
                [],
                [],
                color="#000000",
                marker="D",
                markerfacecolor="white",
                markersize=4,
                linestyle="none",
                label="validation fact (range)",
            ),
            matplotlib.patches.Patch(color="#000000", alpha=0.12, label="dated calibration fact (years)"),
            matplotlib.patches.Patch(
                facecolor="none", edgecolor="#000000", hatch="////", label="dated validation fact (years)"
            ),
            matplotlib.lines.Line2D(
                [], [], color="#555555", linestyle="-.", linewidth=1.2, label="last calibration fact"
            ),
            matplotlib.lines.Line2D(
                [], [], color="#000000", marker="o", markersize=4, label="model median year (10-90%)"
            ),
        ]
        share.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7)
        cap.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7)
        _finish_time_panels(
            fig, (share, cap, strip), windows, trajectories["run_id"].nunique(), events, title
        )
        strip.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    return fig


def counterfactual_figure(
    trajectories: pd.DataFrame,
    level_column: str,
    targets: Sequence[Target] = (),
    events: Sequence[tuple[float, str]] = (),
    title: str = "",
    mission_target: float | None = None,
) -> Figure:
    """Each counterfactual's median path (50% band) against the dated facts.

    Left: home share of the home market with each dated share fact as a range bar. Right:
    mission progress when the case is a mission, else relative capability; dated outcomes
    appear as shaded year ranges.
    """
    mission = "mission_progress" in trajectories and (
        "relative_capability" not in trajectories
        or ("mission_active" in trajectories and bool(trajectories["mission_active"].any()))
    )
    right_column = "mission_progress" if mission else "relative_capability"
    with styled():
        fig, (share, right) = subplots(1, 2, figsize=(10, 3.8), sharex=True)
        for i, (level, part) in enumerate(trajectories.groupby(level_column, sort=False)):
            colour = OKABE_ITO[i % len(OKABE_ITO)]
            for ax, column in ((share, "home_share_home_market"), (right, right_column)):
                q = _quantiles(part, column)
                ax.fill_between(q.index, q[0.25], q[0.75], color=colour, alpha=0.2, linewidth=0)
                ax.plot(q.index, q[0.5], color=colour, linewidth=1.8, label=str(level).replace("_", " "))
        for t in targets:
            if t.is_event:
                dated_event(right if t.measure.startswith("mission_year") else share, t, 0.99)
            elif t.measure == "home_share_home_market":
                dated_share(share, t)
        if mission and mission_target is not None:
            right.axhline(mission_target, color="grey", linestyle=":", linewidth=1)
            right.annotate(
                "mission target", (0.01, mission_target), xycoords=("axes fraction", "data"), fontsize=7
            )
        share.set_title(label("home_share_home_market"), fontsize=9)
        share.set_ylabel("share of demand")
        share.set_ylim(0, 1)
        right.set_title(
            "mission progress (best home / frontier)" if mission else label(right_column), fontsize=9
        )
        right.set_ylabel("share of frontier" if mission else "ratio")
        right.set_ylim(bottom=0)
        for ax in (share, right):
            ax.set_xlabel("year")
            ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(nbins="auto", integer=True))  # years
        _events((share, right), events, key_axes=right)
        handles, labels_ = share.get_legend_handles_labels()
        if any(not t.is_event for t in targets):
            handles.append(
                matplotlib.lines.Line2D([], [], color="#000000", marker="D", markersize=4, linestyle="none")
            )
            labels_.append("history (range)")
        fig.legend(handles, labels_, loc="outside lower center", ncols=min(len(labels_), 5))
        if title:
            fig.suptitle(wrapped(title, 110), x=0.02, ha="left", fontsize=10)
        for ax in (share, right):
            place_fact_labels(ax)
    return fig
