"""Figures from result tables: pure functions from DataFrames to matplotlib Figures.

One style for every figure: the Okabe-Ito colour-blind-safe palette, axis labels with
units, calendar years on time axes, legends outside the data. `save` writes 300 dpi PNG
and vector formats. Reading result folders is report.py's job, not this module's.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from catchup.windows import WINDOW_TYPES

# Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
SERIES_COLOURS = {
    "relative_capability": "#0072B2",
    "home_share_home_market": "#D55E00",
    "home_share_world_market": "#009E73",
}
WINDOW_COLOURS = {"technological": "#56B4E9", "demand": "#E69F00", "institutional": "#CC79A7"}
LABELS = {
    "relative_capability": "relative capability (best home / best foreign)",
    "home_share_home_market": "home firms' share of the home market",
    "home_share_world_market": "home firms' share of the world market",
    "catch_up_probability": "catch-up probability",
    "catch_up_year_median": "median catch-up year",
    "leadership_probability": "leadership probability",
    "final_home_share_home_market": "final home share of the home market",
    "final_home_share_world_market": "final home share of the world market",
}
STYLE = {
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
FORMATS = ("png", "svg", "pdf")


def label(name: str) -> str:
    """Axis or legend label of an outcome or parameter, in words."""
    return LABELS.get(name, name.replace("_", " "))


def save(fig: Figure, folder: Path, name: str, formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Write the figure in every format (PNG at 300 dpi) and close it."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = folder / f"{name}.{fmt}"
        fig.savefig(path, dpi=300 if fmt == "png" else None, bbox_inches="tight")
        paths.append(path)
    plt.close(fig)
    return paths


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


def _time_panels() -> tuple[Figure, tuple]:
    """Two data panels over a window strip, sharing the year axis (trajectories, history)."""
    fig, axes = plt.subplots(
        3,
        1,
        figsize=(7.5, 7),
        sharex=True,
        gridspec_kw={"height_ratios": [3, 3, 1.4]},
        layout="constrained",
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
    if title:
        fig.suptitle(textwrap.fill(title, 90), x=0.02, ha="left", fontsize=10)


def trajectories_figure(
    trajectories: pd.DataFrame,
    windows: pd.DataFrame,
    events: Sequence[tuple[float, str]] = (),
    title: str = "",
    faint_runs: int = 5,
) -> Figure:
    """Median over seeds with 50% and 90% bands, a few runs faint behind, windows and events.

    Top: relative capability; middle: home shares of home and world market; bottom: a
    timeline strip with one row per window type, every run's windows overlaid, hatched
    when seized.
    """
    with plt.rc_context(STYLE):
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
        cap.axhline(0.9, color="grey", linestyle=":", linewidth=1)
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
    """One row per window type; every window a span, hatched when seized."""
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
                hatch="////" if w.seized else None,
                edgecolor="#333333" if w.seized else "none",
                linewidth=0,
                gid=f"window-{kind}",
            )
    ax.set_yticks([5 / 6, 3 / 6, 1 / 6], list(WINDOW_TYPES))
    ax.set_ylim(0, 1)
    ax.set_ylabel("windows")
    ax.set_title("windows of opportunity, all runs overlaid (hatched: seized)", fontsize=8, loc="left")


def compare_figure(
    named: Sequence[tuple[str, pd.DataFrame]], events: Sequence[tuple[float, str]] = ()
) -> Figure:
    """Several scenarios' median trajectories with 50% bands on shared axes."""
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 3, figsize=(11, 3.6), sharex=True, layout="constrained")
        for i, (name, table) in enumerate(named):
            colour = OKABE_ITO[i % len(OKABE_ITO)]
            for ax, column in zip(axes, SERIES_COLOURS, strict=True):
                q = _quantiles(table, column)
                ax.fill_between(q.index, q[0.25], q[0.75], color=colour, alpha=0.2, linewidth=0)
                ax.plot(q.index, q[0.5], color=colour, linewidth=1.8, label=name)
        for ax, column in zip(axes, SERIES_COLOURS, strict=True):
            ax.set_title(label(column), fontsize=9)
            ax.set_xlabel("year")
            ax.set_ylim(bottom=0)
        axes[0].set_ylabel("ratio (relative capability) / share of demand")
        axes[0].axhline(0.9, color="grey", linestyle=":", linewidth=1)
        _events(axes, events)
        fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=min(len(named), 4))
    return fig


def sweep_heatmap(
    runs: pd.DataFrame, x: str, y: str, outcome: str = "catch_up_probability", title: str = ""
) -> Figure:
    """An outcome over two swept parameters, pooling all runs at each (x, y) cell; value in each cell.

    `runs` holds one row per run with the swept parameters as columns; other parameters
    are marginalised (pooled) unless the caller filtered them beforehand.
    """
    values = outcome_per_run(runs, outcome)
    table = runs.assign(_value=values).pivot_table(index=y, columns=x, values="_value", aggfunc="mean")
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(
            figsize=(1.1 * len(table.columns) + 2.5, 0.8 * len(table.index) + 1.8), layout="constrained"
        )
        finite = np.isfinite(table.to_numpy(float))
        vmin, vmax = (
            (0.0, 1.0)
            if _is_share(outcome)
            else (
                float(np.nanmin(table.to_numpy(float))) if finite.any() else 0.0,
                float(np.nanmax(table.to_numpy(float))) if finite.any() else 1.0,
            )
        )
        image = ax.imshow(
            table.to_numpy(float), origin="lower", cmap="viridis", vmin=vmin, vmax=vmax, aspect="auto"
        )
        ax.set_xticks(range(len(table.columns)), [f"{v:g}" for v in table.columns])
        ax.set_yticks(range(len(table.index)), [f"{v:g}" for v in table.index])
        ax.set_xlabel(label(x))
        ax.set_ylabel(label(y))
        for (i, j), value in np.ndenumerate(table.to_numpy(float)):
            if np.isfinite(value):
                text = f"{value:.2f}" if _is_share(outcome) else f"{value:.1f}"
                ax.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if (value - vmin) < 0.55 * (vmax - vmin or 1) else "black",
                )
        fig.colorbar(image, ax=ax, label=label(outcome))
        ax.set_title(textwrap.fill(title or f"{label(outcome)} by {label(x)} and {label(y)}", 60), loc="left")
    return fig


def _is_share(outcome: str) -> bool:
    return outcome.endswith("probability") or "share" in outcome


def outcome_per_run(runs: pd.DataFrame, outcome: str) -> pd.Series:
    """Per-run values whose mean is the outcome: probabilities as 0/1, years as they are."""
    if outcome == "catch_up_probability":
        return runs["catch_up_year"].notna().astype(float)
    if outcome == "leadership_probability":
        return runs["leadership_year"].notna().astype(float)
    if outcome.endswith("_median"):
        return runs[outcome.removesuffix("_median")]
    return runs[outcome].astype(float)


WINDOW_MAP_GRID = ("niche_market_size", "standardization", "publicness", "procurement_support")


def window_map_figure(runs: pd.DataFrame, outcome: str = "catch_up_probability") -> Figure:
    """The window-of-opportunity map in the paper's four dimensions, as small multiples.

    One panel per technology stage; in each, columns are market settings (niche size x
    standardisation) and rows product x institution settings (publicness x procurement).
    """
    stages = list(dict.fromkeys(runs["technology_stage"]))
    values = runs.assign(_value=outcome_per_run(runs, outcome))
    niche, std, pub, proc = WINDOW_MAP_GRID
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            1, len(stages), figsize=(3.1 * len(stages) + 1, 4.2), sharey=True, layout="constrained"
        )
        axes = np.atleast_1d(axes)
        image = None
        for ax, stage in zip(axes, stages, strict=True):
            part = values[values["technology_stage"] == stage]
            table = part.pivot_table(index=[pub, proc], columns=[niche, std], values="_value", aggfunc="mean")
            image = ax.imshow(
                table.to_numpy(float), origin="lower", cmap="viridis", vmin=0, vmax=1, aspect="auto"
            )
            for (i, j), v in np.ndenumerate(table.to_numpy(float)):
                ax.text(
                    j,
                    i,
                    f"{v:.2f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if v < 0.55 else "black",
                )
            ax.set_xticks(
                range(len(table.columns)), [f"niche {a:g}\nstd {b:g}" for a, b in table.columns], fontsize=7
            )
            ax.set_yticks(
                range(len(table.index)), [f"public {a:g}\nprocure {b:g}" for a, b in table.index], fontsize=7
            )
            ax.set_title(stage.replace("_", " "), fontsize=9)
            ax.set_xlabel("market: niche size, standardisation")
        axes[0].set_ylabel("product: publicness\ninstitutions: procurement support")
        fig.colorbar(image, ax=list(axes), label=label(outcome), shrink=0.9)
        fig.suptitle(
            "Windows of opportunity: "
            + label(outcome)
            + " by technology stage, market, product and institutions",
            x=0.02,
            ha="left",
            fontsize=10,
        )
    return fig


def sensitivity_figure(indices: pd.DataFrame, statistic: str = "mean") -> Figure:
    """Sobol (S1, ST) or Morris (mu*, sigma) indices as grouped bars with their intervals."""
    data = indices[indices["statistic"] == statistic]
    outcomes = list(dict.fromkeys(data["outcome"]))
    kinds = list(dict.fromkeys(data["index"]))
    with plt.rc_context(STYLE):
        ncols = 3
        nrows = -(-len(outcomes) // ncols)
        fig, axes = plt.subplots(nrows, ncols, figsize=(11, 2.9 * nrows), squeeze=False, layout="constrained")
        for ax, outcome in zip(axes.flat, outcomes, strict=False):
            part = data[data["outcome"] == outcome]
            params = list(dict.fromkeys(part["parameter"]))
            width = 0.8 / len(kinds)
            for k, kind in enumerate(kinds):
                rows = part[part["index"] == kind].set_index("parameter").reindex(params)
                err = rows["conf"].to_numpy(float)
                ax.barh(
                    np.arange(len(params)) + k * width,
                    rows["value"],
                    height=width,
                    xerr=None if np.isnan(err).all() else err,
                    color=OKABE_ITO[k],
                    label=kind,
                    error_kw={"linewidth": 0.8},
                )
            ax.set_yticks(
                np.arange(len(params)) + width * (len(kinds) - 1) / 2, [p.replace("_", " ") for p in params]
            )
            ax.set_title(label(outcome), fontsize=9)
            ax.axvline(0, color="black", linewidth=0.6)
            ax.set_xlabel("index (share of variance)" if "S1" in kinds else "elementary effect")
        for ax in list(axes.flat)[len(outcomes) :]:
            ax.set_visible(False)
        handles, names = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, names, loc="outside lower center", ncols=len(kinds))
        fig.suptitle(f"Sensitivity of the {statistic} over seeds (bars: 95% intervals)", x=0.02, ha="left")
    return fig


def attribution_figure(table: pd.DataFrame, title: str = "") -> Figure:
    """Drop in catch-up probability (and delay) when each window source is closed, with intervals."""
    rows = table[table["closed"] != "(none: as given)"]
    names = [n.replace("_", ", ") for n in rows["closed"]]
    with plt.rc_context(STYLE):
        fig, (drop, delay) = plt.subplots(
            1, 2, figsize=(9, 0.45 * len(rows) + 1.8), sharey=True, layout="constrained"
        )
        y = np.arange(len(rows))
        for ax, key, colour, xlabel in (
            (drop, "probability_drop", "#D55E00", "drop in catch-up probability"),
            (delay, "catch_up_delay_years", "#0072B2", "delay of catch-up (years)"),
        ):
            value = rows[key].to_numpy(float)
            low = value - rows[f"{key}_low"].to_numpy(float)
            high = rows[f"{key}_high"].to_numpy(float) - value
            ax.barh(y, value, xerr=np.vstack([low, high]), color=colour, error_kw={"linewidth": 0.8})
            ax.axvline(0, color="black", linewidth=0.6)
            ax.set_xlabel(xlabel)
        drop.set_yticks(y, names)
        drop.invert_yaxis()
        drop.set_ylabel("window source closed")
        fig.suptitle(
            textwrap.fill(title or "Which window made the difference (bars: 95% intervals)", 90),
            x=0.02,
            ha="left",
            fontsize=10,
        )
    return fig


def _dated_share(ax, target) -> None:
    """A dated share fact: its value (diamond) and the range the sources allow (bar)."""
    ax.errorbar(
        target.year,
        target.value,
        yerr=[[target.value - target.low], [target.high - target.value]],
        fmt="D",
        color="#000000",
        markersize=4,
        capsize=3,
        gid="history",
    )


def _dated_event(ax, target, label_height: float) -> None:
    """A dated outcome: the year range the sources allow, shaded and labelled."""
    ax.axvspan(target.low, target.high, color="#000000", alpha=0.12, linewidth=0, gid="history")
    ax.annotate(
        target.measure.replace("_year", "").replace("_", " "),
        ((target.low + target.high) / 2, label_height),
        xycoords=("data", "axes fraction"),
        ha="center",
        va="top",
        fontsize=7,
    )


def history_figure(
    trajectories: pd.DataFrame,
    windows: pd.DataFrame,
    runs: pd.DataFrame,
    targets: Sequence,
    events: Sequence[tuple[float, str]] = (),
    title: str = "",
    mission_target: float | None = None,
) -> Figure:
    """A calibrated case against its dated facts.

    Top: home share of the home market (median, 50% and 90% of runs) with each dated share
    fact as its range (bar) and value (diamond). Middle: relative capability, and the
    mission's progress when there is a mission. Dated outcomes (first home product, mission
    target) appear as the historical year range (shaded) with the simulated median and
    10-90% interval of runs (dot and line). Bottom: the windows every run detected.
    """
    share_targets = [t for t in targets if not t.is_event]
    event_targets = [t for t in targets if t.is_event]
    mission = bool(trajectories["mission_active"].any())
    with plt.rc_context(STYLE):
        fig, (share, cap, strip) = _time_panels()
        _band(
            share, trajectories, "home_share_home_market", SERIES_COLOURS["home_share_home_market"], "model"
        )
        for t in share_targets:
            _dated_share(share if t.measure == "home_share_home_market" else cap, t)
        share.set_ylabel("home firms' share of the\nhome market (share of demand)")
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
            axis = cap if t.measure == "mission_year" else share
            _dated_event(axis, t, 0.86)
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
            matplotlib.lines.Line2D([], [], color="#444444", linewidth=2, label="model median"),
            matplotlib.patches.Patch(color="#444444", alpha=0.28, label="50% of runs"),
            matplotlib.patches.Patch(color="#444444", alpha=0.12, label="90% of runs"),
            matplotlib.lines.Line2D(
                [], [], color="#000000", marker="D", markersize=4, linestyle="none", label="history (range)"
            ),
            matplotlib.patches.Patch(color="#000000", alpha=0.12, label="dated fact (year range)"),
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
    targets: Sequence = (),
    events: Sequence[tuple[float, str]] = (),
    title: str = "",
    mission_target: float | None = None,
) -> Figure:
    """Each counterfactual's median path (50% band) against the dated facts.

    Left: home share of the home market with each dated share fact as a range bar. Right:
    mission progress when the case is a mission, else relative capability; dated outcomes
    appear as shaded year ranges.
    """
    mission = "mission_active" in trajectories and bool(trajectories["mission_active"].any())
    right_column = "mission_progress" if mission else "relative_capability"
    with plt.rc_context(STYLE):
        fig, (share, right) = plt.subplots(1, 2, figsize=(10, 3.8), sharex=True, layout="constrained")
        for i, (level, part) in enumerate(trajectories.groupby(level_column, sort=False)):
            colour = OKABE_ITO[i % len(OKABE_ITO)]
            for ax, column in ((share, "home_share_home_market"), (right, right_column)):
                q = _quantiles(part, column)
                ax.fill_between(q.index, q[0.25], q[0.75], color=colour, alpha=0.2, linewidth=0)
                ax.plot(q.index, q[0.5], color=colour, linewidth=1.8, label=str(level).replace("_", " "))
        for t in targets:
            if t.is_event:
                _dated_event(right if t.measure == "mission_year" else share, t, 0.99)
            elif t.measure == "home_share_home_market":
                _dated_share(share, t)
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
        _events((share, right), events)
        handles, labels_ = share.get_legend_handles_labels()
        if any(not t.is_event for t in targets):
            handles.append(
                matplotlib.lines.Line2D([], [], color="#000000", marker="D", markersize=4, linestyle="none")
            )
            labels_.append("history (range)")
        fig.legend(handles, labels_, loc="outside lower center", ncols=min(len(labels_), 5))
        if title:
            fig.suptitle(textwrap.fill(title, 110), x=0.02, ha="left", fontsize=10)
    return fig
