"""The HTML report of a result (`catchup report`): one self-contained file, figures embedded,
no network. Which figures it holds comes from the figure registry; its tables from analysis.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from catchup.analysis.attribution import attribution_table
from catchup.analysis.compare import compare
from catchup.errors import FigureError
from catchup.experiments.policy_points import policy_table, problem_of
from catchup.files import write_text
from catchup.results.folder import Results, open_results
from catchup.viz.registry import KINDS, Options, available_kinds
from catchup.viz.style import render_figure

TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("catchup.viz", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
)


# What the report shows of each PRIM box (all of it is in DIR/discovery_boxes.csv).
DISCOVERY_COLUMNS = [
    "outcome",
    "box",
    "coverage",
    "density",
    "n",
    "parameter",
    "low",
    "high",
    "levels",
    "qp_low",
    "qp_high",
]


def _table_html(table: pd.DataFrame, floatfmt: str = "{:.3g}") -> str:
    return table.to_html(
        index=False, border=0, classes="data", na_rep="-", float_format=floatfmt.format, escape=True
    )


def _png(results: Results, kind: str) -> str:
    fig = KINDS[kind].draw(results, Options())
    buffer = io.BytesIO()
    render_figure(fig, "png", buffer)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _windows_table(windows: pd.DataFrame) -> pd.DataFrame:
    return (
        windows.groupby("type")
        .agg(
            windows=("run_id", "size"),
            runs=("run_id", "nunique"),
            rose=("rose", "mean"),
            median_open_year=("open_year", "median"),
            median_close_year=("close_year", "median"),
        )
        .reset_index()
    )


def _sections(results: Results) -> tuple[str, dict[str, str], list[dict[str, str]]]:
    """The report's title, its facts table and its sections of tables."""
    m = results.manifest
    scenario = m.scenario
    sections: list[dict[str, str]] = []
    if m.kind == "sweep":
        exp = m.experiment or {}
        facts = {
            "experiment file": str(exp.get("source")),
            "base scenario": scenario["name"],
            "design": json.dumps(exp.get("design"), default=str),
            "points x replications": f"{exp['n_points']} x {exp['replications']} = {exp['n_runs']} runs",
            "status": _status(results),
        }
        table = compare([results])
        keep = [c for c in table.columns if c not in ("source", "group")]
        sections.append({"title": "Per point (95% bootstrap intervals)", "html": _table_html(table[keep])})
        if results.has_table("discovery_boxes"):
            boxes = results.table("discovery_boxes")
            sections.append(
                {
                    "title": "Scenario discovery: PRIM boxes (later boxes in the runs earlier ones left)",
                    "html": _table_html(boxes[DISCOVERY_COLUMNS]),
                }
            )
        return f"Sweep: {m.name}", facts, sections
    facts = {
        "scenario file": str(scenario.get("source")),
        "years": f"{scenario['start_year']:g} to {scenario['end_year']:g}, "
        f"{scenario['steps_per_year']} steps a year",
        "runs": f"{m.n_runs} (base seed {scenario['base_seed']})",
        "overrides (--set)": json.dumps(scenario["overrides"]) if scenario.get("overrides") else "none",
        "started / finished": f"{m.started} / {m.finished}",
    }
    if m.kind == "policy":
        problem = problem_of(results)
        facts["levers (bounds)"] = json.dumps(problem.levers)
        facts["objectives"] = json.dumps(dict(zip(problem.objectives, problem.directions, strict=True)))
        facts["runs per candidate"] = f"{problem.seeds} seeds x {problem.samples} sample point(s)"
        if problem.uncertain:
            facts["uncertain (robustness)"] = json.dumps(problem.uncertain)
        facts["study"] = f"{m.details.get('study')} in {m.details.get('storage')}"
        front = policy_table(results, "pareto_front", problem).drop(columns=["pareto"])
        sections.append(
            {
                "title": "Pareto front (95% intervals in the _low and _high columns)",
                "html": _table_html(front),
            }
        )
        return f"Policy search: {m.name}", facts, sections
    if m.kind == "attribution":
        sections.append({"title": "Window attribution", "html": _table_html(attribution_table(results))})
        return f"Window attribution: {m.name}", facts, sections
    summary = compare([results]).drop(columns=["source"]).T.reset_index()
    summary.columns = ["measure", "value"]
    sections.append({"title": "Summary (95% bootstrap intervals)", "html": _table_html(summary)})
    windows = results.table("windows")
    if not windows.empty:
        sections.append({"title": "Windows of opportunity", "html": _table_html(_windows_table(windows))})
    if results.has_table("fit"):
        sections.append({"title": "Fit to the dated facts", "html": _table_html(results.table("fit"))})
    title = "Case" if m.kind == "case" else "Scenario"
    return f"{title}: {m.name}", facts, sections


def _status(results: Results) -> str:
    """A sweep's status as a reader needs it: running or partial, with how far, if so."""
    partial = getattr(results, "partial", None)
    if partial is None:
        return results.manifest.status
    return f"{'running' if results.manifest.status == 'running' else 'partial'}: {partial}"


def render(source: str | Path | Results) -> str:
    """The report of a result as one HTML document."""
    results = open_results(source)
    title, facts, sections = _sections(results)
    scenario = results.manifest.scenario
    params = pd.DataFrame([{"parameter": k, "value": v} for k, v in scenario["parameters"].items()])
    events = pd.DataFrame(scenario["events"]) if scenario["events"] else pd.DataFrame()
    figures = [{"kind": kind, "data": _png(results, kind)} for kind in available_kinds(results)]
    versions: dict[str, Any] = results.manifest.versions
    return TEMPLATES.get_template("report.html.j2").render(
        title=title,
        description=results.manifest.description,
        facts=facts,
        sections=sections,
        figures=figures,
        parameters=_table_html(params, "{:g}"),
        events=_table_html(events) if not events.empty else "",
        catchup_version=versions.get("catchup", ""),
        mesa_version=versions.get("mesa", ""),
    )


def report(source: str | Path | Results, out: str | Path | None = None) -> Path:
    """Write the report to `out`, by default the folder's `report.html` (atomically)."""
    results = open_results(source)
    if out is None:
        if results.location is None:
            raise FigureError("a result in memory has no folder: give `out`")
        out = results.location / "report.html"
    return write_text(render(results), Path(out))
