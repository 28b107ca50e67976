"""Figures and HTML reports of result folders (`catchup plot`, `catchup report`).

Reads what a folder holds, decides which figures it allows, draws them with plots.py,
and renders one self-contained HTML file with Jinja2 (figures embedded, no network).
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from catchup import plots
from catchup.analysis import AnalysisError, compare, load_runs

MAX_LEVELS = 12  # more distinct values than this on a heatmap axis are binned
BINS = 5

KINDS = (
    "trajectories",
    "history",
    "compare",
    "counterfactual",
    "sweep",
    "window-map",
    "sensitivity",
    "attribution",
)


class ReportError(ValueError):
    """A figure or report the folder cannot give; the message says what is missing."""


def manifest_of(folder: Path) -> dict[str, Any]:
    path = folder / "manifest.json"
    if not path.exists():
        raise ReportError(
            f"{folder}: no manifest.json (not a result folder of `catchup run` or `catchup sweep`)"
        )
    return json.loads(path.read_text())


def is_sweep(manifest: dict[str, Any]) -> bool:
    return manifest.get("kind") == "sweep"


def scenario_events(manifest: dict[str, Any]) -> list[tuple[float, str]]:
    scenario = manifest["experiment"]["scenario"] if is_sweep(manifest) else manifest["scenario"]
    return [
        (e["year"], e["label"] or ("new generation" if e["new_generation"] else "event"))
        for e in scenario["events"]
    ]


def history_file(manifest: dict[str, Any]) -> Path | None:
    """The history CSV of a run of a case scenario (one with a [calibration] table), if it exists."""
    calibration = manifest.get("scenario", {}).get("calibration") if not is_sweep(manifest) else None
    if not calibration:
        return None
    path = Path(calibration["history"])
    return path if path.exists() else None


def swept_parameters(folder: Path) -> list[str]:
    """Numeric columns of points.parquet that take more than one value."""
    points = pd.read_parquet(folder / "points.parquet")
    swept = [
        c
        for c in points.columns
        if c != "point_id" and pd.api.types.is_numeric_dtype(points[c]) and points[c].nunique() > 1
    ]
    design = manifest_of(folder)["experiment"]["design"]
    first = [c for c in [*design.get("grid", {}), *design.get("ranges", {})] if c in swept]
    return first + [c for c in swept if c not in first]


def bin_centres(values: pd.Series, bins: int) -> pd.Series:
    """Replace each value by the centre of its equal-width bin (for sampled designs)."""
    edges = np.linspace(values.min(), values.max(), bins + 1)
    index = np.clip(np.searchsorted(edges, values.to_numpy(float), side="right") - 1, 0, bins - 1)
    centres = np.round((edges[:-1] + edges[1:]) / 2, 6)
    return pd.Series(centres[index], index=values.index)


def available_kinds(folder: Path, others: Sequence[Path] = ()) -> list[str]:
    """The figures this folder's contents allow."""
    manifest = manifest_of(folder)
    kinds = []
    if (folder / "trajectories.parquet").exists():
        kinds.append("trajectories")
        if history_file(manifest) is not None:
            kinds.append("history")
        if any((o / "trajectories.parquet").exists() for o in others):
            kinds.append("compare")
    if is_sweep(manifest):
        if len(swept_parameters(folder)) >= 2:
            kinds.append("sweep")
        points = pd.read_parquet(folder / "points.parquet")
        if {"technology_stage", *plots.WINDOW_MAP_GRID} <= set(points.columns):
            kinds.append("window-map")
        if manifest["experiment"]["design"].get("method") in ("sobol", "morris"):
            kinds.append("sensitivity")
        design = manifest["experiment"]["design"]
        if design.get("factors") and "home_share_home_market" in manifest["experiment"].get(
            "trajectories", []
        ):
            kinds.append("counterfactual")
    if (folder / "attribution.csv").exists():
        kinds.append("attribution")
    return kinds


def _why_not(kind: str, folder: Path) -> str:
    return {
        "trajectories": "needs trajectories.parquet (a folder written by `catchup run`)",
        "history": "needs a `catchup run` folder of a case scenario whose history file exists",
        "compare": "needs this folder and at least one more `catchup run` folder given with --with",
        "sweep": "needs a sweep folder (`catchup sweep`) with at least two swept parameters",
        "window-map": "needs a sweep of experiments/window_map.toml (factor technology_stage and grid "
        + ", ".join(plots.WINDOW_MAP_GRID)
        + ")",
        "counterfactual": "needs a sweep with [factors] that kept the home_share_home_market trajectory",
        "sensitivity": "needs a sweep with a [sample] design of method sobol or morris",
        "attribution": "needs attribution.csv (run `catchup attribute SCENARIO --out DIR` first)",
    }[kind] + f"; {folder} does not have it"


def draw(
    folder: str | Path,
    kinds: Sequence[str] | None = None,
    formats: Sequence[str] = ("png", "svg"),
    others: Sequence[str | Path] = (),
    x: str | None = None,
    y: str | None = None,
    outcome: str = "catch_up_probability",
    fix: dict[str, float] | None = None,
) -> dict[str, list[Path]]:
    """Draw the asked figures (default: every one the folder allows) into FOLDER/figures/."""
    folder = Path(folder)
    others = [Path(o) for o in others]
    possible = available_kinds(folder, others)
    wanted = list(kinds) if kinds else possible
    for kind in wanted:
        if kind not in KINDS:
            raise ReportError(f"unknown figure kind {kind!r} (allowed: {', '.join(KINDS)})")
        if kind not in possible:
            raise ReportError(f"--kind {kind}: {_why_not(kind, folder)}")
    bad = [f for f in formats if f not in plots.FORMATS]
    if bad:
        raise ReportError(f"--format {','.join(bad)}: unknown (allowed: {', '.join(plots.FORMATS)})")
    manifest = manifest_of(folder)
    # a sweep's runs table is read once, for every figure that needs it
    runs = load_runs(folder)[0] if {"sweep", "window-map"} & set(wanted) else None
    out = folder / "figures"
    written: dict[str, list[Path]] = {}
    for kind in wanted:
        fig = _figure(kind, folder, manifest, runs, others, x, y, outcome, fix or {})
        written[kind] = plots.save(fig, out, kind, formats)
    return written


def _figure(kind, folder, manifest, runs, others, x, y, outcome, fix):
    if kind == "trajectories":
        name = manifest["scenario"]["name"]
        title = f"{name}: {manifest['scenario']['description']}".rstrip(": ")
        return plots.trajectories_figure(
            pd.read_parquet(folder / "trajectories.parquet"),
            pd.read_parquet(folder / "windows.parquet"),
            scenario_events(manifest),
            title,
        )
    if kind == "history":
        from catchup.history import load_history, targets

        name = manifest["scenario"]["name"]
        return plots.history_figure(
            pd.read_parquet(folder / "trajectories.parquet"),
            pd.read_parquet(folder / "windows.parquet"),
            pd.read_parquet(folder / "runs.parquet"),
            targets(load_history(history_file(manifest))),
            scenario_events(manifest),
            f"{name}: {manifest['scenario']['description']}".rstrip(": "),
            mission_target=manifest["scenario"]["parameters"]["mission_target"],
        )
    if kind == "counterfactual":
        from catchup.analysis import case_targets
        from catchup.sweep import read_table

        factor = next(iter(manifest["experiment"]["design"]["factors"]))
        points = pd.read_parquet(folder / "points.parquet")[["point_id", factor]]
        runs = read_table(folder, "runs")[["run_id", "point_id"]].merge(points, on="point_id")
        trajectories = read_table(folder, "trajectories").merge(runs, on="run_id")
        name = manifest["experiment"]["name"]
        return plots.counterfactual_figure(
            trajectories,
            factor,
            case_targets(manifest),
            scenario_events(manifest),
            f"{name}: {manifest['experiment']['description']}".rstrip(": "),
            mission_target=manifest["experiment"]["scenario"]["parameters"]["mission_target"],
        )
    if kind == "compare":
        named = [(manifest["scenario"]["name"], pd.read_parquet(folder / "trajectories.parquet"))]
        for other in others:
            named.append(
                (manifest_of(other)["scenario"]["name"], pd.read_parquet(other / "trajectories.parquet"))
            )
        return plots.compare_figure(named, scenario_events(manifest))
    if kind == "sweep":
        swept = swept_parameters(folder)
        x, y = x or swept[0], y or swept[1]
        for name in (x, y, *fix):
            if name not in swept:
                raise ReportError(
                    f"{name!r} is not a swept parameter of {folder} (allowed: {', '.join(swept)})"
                )
        for name, value in fix.items():
            runs = runs[runs[name] == value]
            if runs.empty:
                raise ReportError(f"--fix {name}={value:g}: no point has that value in {folder}")
        binned = []
        for name in (x, y):
            if runs[name].nunique() > MAX_LEVELS:  # a sampled design: bin into equal-width classes
                runs = runs.assign(**{name: bin_centres(runs[name], BINS)})
                binned.append(name)
        fixed = ", ".join(f"{k} = {v:g}" for k, v in fix.items())
        rest = [p for p in swept if p not in (x, y, *fix)]
        pooled = ", ".join(plots.label(r) for r in rest)
        note = (f"fixed {fixed}; " if fixed else "") + (f"pooled over {pooled}" if rest else "")
        if binned:
            note += f"; {' and '.join(binned)} in {BINS} bins (centres shown)"
        return plots.sweep_heatmap(
            runs, x, y, outcome, title=f"{plots.label(outcome)} ({note})" if note else ""
        )
    if kind == "window-map":
        return plots.window_map_figure(runs, outcome)
    if kind == "sensitivity":
        from catchup.analysis import sensitivity

        path = folder / "sensitivity.csv"
        table = pd.read_csv(path) if path.exists() else sensitivity(folder)
        return plots.sensitivity_figure(table)
    if kind == "attribution":
        return plots.attribution_figure(pd.read_csv(folder / "attribution.csv"))
    raise ReportError(kind)


# -- HTML report ---------------------------------------------------------------------


def _table_html(table: pd.DataFrame, floatfmt: str = "{:.3g}") -> str:
    return table.to_html(
        index=False, border=0, classes="data", na_rep="-", float_format=floatfmt.format, escape=True
    )


def report(folder: str | Path) -> Path:
    """Write FOLDER/report.html: the scenario or experiment, summary tables and every figure."""
    from importlib.metadata import version

    import jinja2

    from catchup import __version__

    folder = Path(folder)
    manifest = manifest_of(folder)
    figures = draw(folder, formats=("png",))
    embedded = [
        {"kind": kind, "data": base64.b64encode(paths[0].read_bytes()).decode("ascii")}
        for kind, paths in figures.items()
    ]
    sections: list[dict[str, str]] = []
    try:
        comparison = compare([folder])
    except AnalysisError as exc:
        raise ReportError(str(exc)) from None
    if is_sweep(manifest):
        exp = manifest["experiment"]
        scenario = exp["scenario"]
        title = f"Sweep: {exp['name']}"
        description = exp["description"]
        facts = {
            "experiment file": exp["source"],
            "base scenario": scenario["name"],
            "design": json.dumps(exp["design"], default=str),
            "points x replications": f"{exp['n_points']} x {exp['replications']} = {exp['n_runs']} runs",
            "status": manifest.get("status", ""),
        }
        keep = [c for c in comparison.columns if c not in ("source", "group")]
        sections.append(
            {"title": "Per point (95% bootstrap intervals)", "html": _table_html(comparison[keep])}
        )
    else:
        scenario = manifest["scenario"]
        title = f"Scenario: {scenario['name']}"
        description = scenario["description"]
        facts = {
            "scenario file": scenario["source"],
            "years": f"{scenario['start_year']:g} to {scenario['end_year']:g}, "
            f"{scenario['steps_per_year']} steps a year",
            "runs": f"{manifest['n_runs']} (base seed {scenario['base_seed']})",
            "overrides (--set)": json.dumps(scenario["overrides"]) if scenario["overrides"] else "none",
            "started / finished": f"{manifest['started']} / {manifest['finished']}",
        }
        summary = comparison.drop(columns=["source"]).T.reset_index()
        summary.columns = ["measure", "value"]
        sections.append({"title": "Summary (95% bootstrap intervals)", "html": _table_html(summary)})
        windows = pd.read_parquet(folder / "windows.parquet")
        if not windows.empty:
            by_type = (
                windows.groupby("type")
                .agg(
                    windows=("run_id", "size"),
                    runs=("run_id", "nunique"),
                    seized=("seized", "mean"),
                    median_open_year=("open_year", "median"),
                    median_close_year=("close_year", "median"),
                )
                .reset_index()
            )
            sections.append({"title": "Windows of opportunity", "html": _table_html(by_type)})
    if (folder / "attribution.csv").exists():
        sections.append(
            {"title": "Window attribution", "html": _table_html(pd.read_csv(folder / "attribution.csv"))}
        )
    params = pd.DataFrame([{"parameter": k, "value": v} for k, v in scenario["parameters"].items()])
    events = pd.DataFrame(scenario["events"]) if scenario["events"] else pd.DataFrame()
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("catchup", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
    )
    text = env.get_template("report.html.j2").render(
        title=title,
        description=description,
        facts=facts,
        sections=sections,
        figures=embedded,
        parameters=_table_html(params, "{:g}"),
        events=_table_html(events) if not events.empty else "",
        catchup_version=__version__,
        mesa_version=version("mesa"),
        escape=html.escape,
    )
    from catchup.run import atomic_path

    path = folder / "report.html"
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path
