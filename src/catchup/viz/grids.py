"""Figures over parameters: sweep heatmaps, the window map, sensitivity indices, scenario
discovery and window attribution. Pure functions from tables to matplotlib Figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from catchup.analysis.tables import INDEX_NAMES
from catchup.viz.style import OKABE_ITO, label, styled, subplots, wrapped


def sweep_heatmap(
    runs: pd.DataFrame, x: str, y: str, outcome: str = "catch_up_probability", title: str = ""
) -> Figure:
    """An outcome over two swept parameters, pooling all runs at each (x, y) cell; value in each cell.

    `runs` holds one row per run with the swept parameters as columns; other parameters
    are marginalised (pooled) unless the caller filtered them beforehand.
    """
    values = outcome_per_run(runs, outcome)
    table = runs.assign(_value=values).pivot_table(index=y, columns=x, values="_value", aggfunc="mean")
    with styled():
        fig, ax = subplots(figsize=(1.1 * len(table.columns) + 2.5, 0.8 * len(table.index) + 1.8))
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
        ax.set_title(wrapped(title or f"{label(outcome)} by {label(x)} and {label(y)}", 60), loc="left")
    return fig


def _is_share(outcome: str) -> bool:
    return outcome.endswith("probability") or "share" in outcome


PROBABILITIES = {"catch_up_probability": "catch_up_year", "leadership_probability": "leadership_year"}


def outcomes_of(runs: pd.DataFrame) -> list[str]:
    """The outcomes a heatmap can show for these runs: probabilities and numeric run columns."""
    numeric = [
        c for c in runs.columns if runs[c].dtype.kind in "iufb" and c not in ("run_id", "seed", "point_id")
    ]
    return [*PROBABILITIES, *numeric]


def outcome_per_run(runs: pd.DataFrame, outcome: str) -> pd.Series:
    """Per-run values whose mean is the outcome: probabilities as 0/1, years as they are."""
    if outcome == "catch_up_probability":
        return runs["catch_up_year"].notna().astype(float)
    if outcome == "leadership_probability":
        return runs["leadership_year"].notna().astype(float)
    if outcome.endswith("_median"):
        return runs[outcome.removesuffix("_median")]
    return runs[outcome].astype(float)


def bin_centres(values: pd.Series, bins: int) -> pd.Series:
    """Replace each value by the centre of its equal-width bin (for sampled designs)."""
    edges = np.linspace(values.min(), values.max(), bins + 1)
    index = np.clip(np.searchsorted(edges, values.to_numpy(float), side="right") - 1, 0, bins - 1)
    centres = np.round((edges[:-1] + edges[1:]) / 2, 6)
    return pd.Series(centres[index], index=values.index)


def window_map_figure(
    runs: pd.DataFrame, grid: tuple[str, str, str, str], outcome: str = "catch_up_probability"
) -> Figure:
    """The window-of-opportunity map in the paper's four dimensions, as small multiples.

    One panel per technology stage; in each, columns are market settings (niche size x
    standardisation) and rows product x institution settings (publicness x procurement):
    `grid` names those four columns in that order.
    """
    stages = list(dict.fromkeys(runs["technology_stage"]))
    values = runs.assign(_value=outcome_per_run(runs, outcome))
    niche, std, pub, proc = grid
    with styled():
        fig, axes = subplots(1, len(stages), figsize=(3.1 * len(stages) + 1, 4.2), sharey=True)
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
    with styled():
        ncols = 3
        nrows = -(-len(outcomes) // ncols)
        fig, axes = subplots(nrows, ncols, figsize=(11, 2.9 * nrows), squeeze=False)
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
                    label=INDEX_NAMES.get(kind, kind),
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
    with styled():
        fig, (drop, delay) = subplots(1, 2, figsize=(9, 0.45 * len(rows) + 1.8), sharey=True)
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
            wrapped(title or "Which window made the difference (bars: 95% intervals)", 90),
            x=0.02,
            ha="left",
            fontsize=10,
        )
    return fig


def discovery_figure(peeling: pd.DataFrame, features: pd.DataFrame) -> Figure:
    """Per discovered outcome: PRIM's peeling trajectories (coverage against density, each
    box's search in its own colour, the chosen boxes ringed) and the feature scores."""
    outcomes = list(dict.fromkeys(peeling["outcome"]))
    with styled():
        fig, axes = subplots(len(outcomes), 2, figsize=(10, 3.4 * len(outcomes)), squeeze=False)
        for (left, right), outcome in zip(axes, outcomes, strict=True):
            part = peeling[peeling["outcome"] == outcome]
            for k, (number, search) in enumerate(part.groupby("box", sort=True)):
                colour = OKABE_ITO[k % len(OKABE_ITO)]
                left.plot(
                    search["coverage"],
                    search["density"],
                    "-o",
                    color=colour,
                    markersize=3,
                    label=f"box {number}",
                )
                picked = search[search["chosen"].astype(bool)]
                left.scatter(
                    picked["coverage"], picked["density"], s=120, facecolors="none", edgecolors=colour
                )
                for row in picked.itertuples(index=False):
                    left.annotate(
                        f"{int(row.res_dim)} restricted",
                        (row.coverage, row.density),
                        fontsize=7,
                        xytext=(4, -10),
                        textcoords="offset points",
                    )
            left.set_xlabel("coverage (share of the cases of interest in the box)")
            left.set_ylabel("density (share of the box's runs that are cases)")
            left.set_xlim(0, 1.02)
            left.set_ylim(0, 1.02)
            left.set_title(f"{outcome}: PRIM peeling (ringed: chosen)", fontsize=9)
            left.legend(fontsize=7, loc="lower left")
            scores = features[features["outcome"] == outcome].sort_values("score")
            right.barh(
                [p.replace("_", " ") for p in scores["parameter"]], scores["score"], color=OKABE_ITO[0]
            )
            right.set_xlabel("feature score (extra trees; sums to 1)")
            right.set_title(f"{outcome}: which inputs matter", fontsize=9)
    return fig
