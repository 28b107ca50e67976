"""The docking figure: catchup's mean paths under a reference's set-up, with the values the
reference reports marked where they apply, so a reader sees at a glance which hold."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.figure import Figure

from catchup.analysis.docking import reference_cell
from catchup.viz.style import OKABE_ITO, styled, subplots

if TYPE_CHECKING:
    from catchup.analysis.docking import DockingResult
    from catchup.config.docking import Docking


def series(column: str) -> str:
    """What a column's colour follows: its cohort for a share (`share_B`, `pcs_share_B`: B),
    else the column itself (an HHI), so a cohort has one colour in every panel."""
    return column.split("_share_")[-1] if "_share_" in column else column.removeprefix("share_")


def panels(docking: Docking, paths: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """(title, columns) per panel: world shares, then one panel per buyer class."""
    world = [c for c in paths.columns if c.startswith("share_") and not c.endswith(("_q10", "_q90"))]
    out = [("world market", world)]
    for b in docking.baseline.buyers:
        cols = [c for c in paths.columns if c.startswith(f"{b.name}_") and not c.endswith(("_q10", "_q90"))]
        out.append((b.name, cols))
    return out


def docking_figure(docking: Docking, paths: pd.DataFrame, statements: pd.DataFrame) -> Figure:
    """Mean paths (10-90% of runs shaded) per panel; each statement on a drawn column marked
    by its reference value over its periods (filled if it holds, hollow if not)."""
    groups = panels(docking, paths)
    with styled():
        fig, axes = subplots(1, len(groups), figsize=(4.0 * len(groups) + 0.6, 4.2), squeeze=False)
        colour: dict[str, str] = {}
        for ax, (title, columns) in zip(axes[0], groups, strict=True):
            for column in columns:
                c = colour.setdefault(series(column), OKABE_ITO[len(colour) % len(OKABE_ITO)])
                style = "--" if column.endswith("_hhi") else "-"
                ax.plot(
                    paths["step"], paths[column], style, color=c, lw=1.4, label=docking.column_label(column)
                )
                ax.fill_between(
                    paths["step"], paths[f"{column}_q10"], paths[f"{column}_q90"], color=c, alpha=0.15, lw=0
                )
            _mark_statements(ax, docking, statements, columns, colour)
            ax.set_title(title)
            per = docking.steps_per_period
            ax.set_xlabel("reference period t" + (f" ({per} steps each)" if per > 1 else ""))
            ax.set_ylim(-0.02, 1.02)
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), fontsize=7, ncol=1)
        axes[0][0].set_ylabel("share (HHI dashed)" if docking.baseline.buyers else "share of world demand")
        fig.suptitle(
            f"{docking.name}: catchup under the reference's set-up (mean of runs, 10-90% of runs shaded)\n"
            "the reference's values as bars over their periods, dot filled where catchup matches"
        )
    return fig


def _mark_statements(ax, docking: Docking, statements: pd.DataFrame, columns: list[str], colour) -> None:
    for st, row in zip(docking.statements, statements.itertuples(index=False), strict=True):
        if st.measure != "mean" or st.column not in columns:
            continue
        c = colour.get(series(st.column), "black")
        face = c if row.holds else "white"
        if st.end > st.start:
            ax.hlines(st.reference, st.start, st.end, colors=c, lw=3, alpha=0.6)
        ax.plot([0.5 * (st.start + st.end)], [st.reference], "o", mfc=face, mec=c, ms=6)


def docking_markdown(docking: Docking, result: DockingResult, overrides: dict | None = None) -> str:
    """Both docking tables as Markdown: statement, reference, catchup's mean [95%], verdict;
    counterfactual, what it moves, the paired change [95%], verdict. (The time taken is in the
    manifest, so the same seeds give the same file, serial or parallel.)"""
    changed = ", ".join(f"`{k} = {v}`" for k, v in (overrides or {}).items())
    lines = [
        f"# Docking: {docking.name}",
        "",
        f"Reference: {docking.reference}. Scenario: `{docking.scenario_file}` (from the docking file "
        f"`{Path(docking.source).name}`); {result.seeds} seeds per "
        f"variant (base seed {docking.base_seed}).",
        *(
            ["", f"Changed on every variant with --set (not the docking as its file defines it): {changed}."]
            if changed
            else []
        ),
        "",
        "| reference statement | measured as | reference | catchup [95%] | verdict |",
        "|---|---|---|---|---|",
    ]
    for r in result.statements.itertuples(index=False):
        value = "never" if r.catchup != r.catchup else f"{r.catchup:.3f} [{r.low:.3f}, {r.high:.3f}]"
        reference = reference_cell(r.relation, r.reference, r.tolerance)
        verdict = "holds" if r.holds else "**misses**"
        lines.append(f"| {r.statement} | {r.measure} | {reference} | {value} | {verdict} |")
    held = int(result.statements["holds"].sum())
    lines += ["", f"{held} of {len(result.statements)} statements hold.", ""]
    if len(result.counterfactuals):
        lines += [
            "| counterfactual | reference says | measured as | baseline | variant | change [95%] | verdict |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in result.counterfactuals.itertuples(index=False):
            lines.append(
                f"| {r.counterfactual} | {r.reference} | {r.measure} ({r.direction}) | {r.baseline:.3f} | "
                f"{r.variant:.3f} | {r.change:+.3f} [{r.low:+.3f}, {r.high:+.3f}] | "
                f"{'moves as reported' if r.holds else '**does not**'} |"
            )
        moved = int(result.counterfactuals["holds"].sum())
        lines += ["", f"{moved} of {len(result.counterfactuals)} counterfactual checks move as reported."]
    return "\n".join(lines) + "\n"
