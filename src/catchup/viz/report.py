"""The HTML report of a result (`catchup report`): one self-contained file, figures embedded,
no network, written like a results section: what was run (and what it changed), the headline,
the tables, every figure the folder supports (from the figure registry), and the full parameter
table folded away. Names, units and formats come from the summary vocabulary (analysis).
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
import pandas as pd
import PIL.Image

from catchup.analysis.attribution import attribution_table
from catchup.analysis.compare import compare
from catchup.analysis.measures import cell, measure, measures
from catchup.analysis.summary import cycle_rows, headline, summary, summary_rows, window_rows
from catchup.analysis.tables import (
    attribution_rows,
    changed_parameters,
    event_rows,
    fit_rows,
    heading,
    parameter_rows,
    readable_compare,
    value_text,
    words,
)
from catchup.errors import FigureError
from catchup.experiments.policy_points import policy_table, problem_of
from catchup.files import write_text
from catchup.model.parameters import BY_NAME
from catchup.results.folder import Results, open_results
from catchup.viz.registry import KINDS, Options, available_kinds
from catchup.viz.style import render_figure

TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("catchup.viz", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
)


# A parameter's name in running text (meanings name other parameters), set as code like one
# in backticks: it is what a reader types into --set. Names that are words ("alliance",
# "mission") stay words, and so does anything in a file path.
PARAMETER_NAME = re.compile(
    r"(?<![`\w/.])("
    + "|".join(sorted((re.escape(n) for n in BY_NAME if "_" in n), key=len, reverse=True))
    + r")(?![`\w/]|\.\w)"
)


def _ticks(text: str) -> markupsafe.Markup:
    """Text with `names` in backticks (parameters, commands, as the parameter table writes
    them) and bare parameter names set as code, everything else escaped."""
    escaped = str(markupsafe.escape(PARAMETER_NAME.sub(r"`\1`", str(text))))
    return markupsafe.Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped))


TEMPLATES.filters["ticks"] = _ticks
Section = dict[str, Any]


def _table(
    frame: pd.DataFrame | list[dict[str, Any]],
    code: Sequence[str] = ("parameter",),
    numbers: Sequence[str] | None = None,
    mark: str | None = None,
) -> dict[str, Any]:
    """A table for the template: columns, rows of text, which columns are code (parameter names
    a reader types into --set) and which are numbers (right-aligned)."""
    frame = pd.DataFrame(frame)
    if numbers is None:
        numbers = [c for c in frame.columns if c not in code and c not in ("meaning", "unit", "source")][1:]
    rows = [{c: "" if v is None else str(v) for c, v in row.items()} for row in frame.to_dict("records")]
    return {
        "columns": list(frame.columns),
        "rows": rows,
        "code": set(code),
        "numbers": set(numbers),
        "mark": mark,
    }


def _png(results: Results, kind: str) -> dict[str, Any]:
    """A figure as an embedded PNG and its width on screen: the figure's own size (a 300 dpi
    image shown at its pixel width would blow a small heatmap up to page width)."""
    fig = KINDS[kind].draw(results, Options())
    buffer = io.BytesIO()
    render_figure(fig, "png", buffer)
    width = PIL.Image.open(io.BytesIO(buffer.getvalue())).size[0]
    return {"data": base64.b64encode(buffer.getvalue()).decode("ascii"), "width": round(width * 96 / 300)}


def _scenario_facts(results: Results) -> dict[str, str]:
    m = results.manifest
    scenario = m.scenario
    overrides = scenario.get("overrides") or {}
    return {
        "scenario": f"{scenario['name']}: {scenario.get('description', '')}".rstrip(": "),
        "scenario file": str(scenario.get("source")),
        "years": f"{scenario['start_year']:.0f} to {scenario['end_year']:.0f}, "
        f"{scenario['steps_per_year']} steps a year",
        "runs": f"{m.n_runs} (seeds drawn from base seed {scenario['base_seed']})",
        "changed on the command line (--set)": ", ".join(
            f"{k} = {value_text(v)}" for k, v in overrides.items()
        )
        or "nothing",
        "started / finished": f"{m.started} / {m.finished}",
    }


def _what_changed(scenario: dict[str, Any], whose: str = "this scenario") -> list[Section]:
    changed = changed_parameters(scenario["parameters"])
    out: list[Section] = [
        {
            "title": f"Parameters {whose} changes from the defaults",
            "note": "" if len(changed) else "None: every parameter at its default (docs/ODD.md section 8).",
            "table": _table(changed, numbers=["value", "default"]) if len(changed) else None,
        }
    ]
    if scenario["events"]:
        events = event_rows(scenario["events"])
        out.append({"title": "Dated events", "table": _table(events, code=("sets",), numbers=["year"])})
    return out


def _one_scenario(results: Results) -> tuple[list[str], list[Section]]:
    """Headline and sections of a run or case folder."""
    info = summary(results)
    sections: list[Section] = [
        {
            "title": "Summary",
            "note": "95% bootstrap intervals over runs in brackets.",
            "table": _table(summary_rows(info), code=(), numbers=["value"]),
        },
    ]
    if info["runs"]:
        sections.append(
            {
                "title": "Windows of opportunity",
                "note": "A window is read from each run's state (docs/ODD.md 4.11.2); the home side "
                "'rose' in it when its relative capability or home-market share rose by the margin "
                "while it was open (an association: `catchup seizure` tests cause).",
                "table": _table(window_rows(info), code=()),
            }
        )
        sections.append(
            {"title": "Catch-up cycles", "table": _table(cycle_rows(info), code=(), numbers=["runs"])}
        )
    if results.has_table("fit"):
        fit = fit_rows(results.table("fit"))
        inside = (fit["inside the range"] == "yes").sum()
        sections.append(
            {
                "title": "Fit to the dated facts",
                "note": f"{inside} of {len(fit)} facts inside their accepted range.",
                "table": _table(fit, code=(), numbers=[]),
            }
        )
    return headline(info), sections


def _sweep(results: Results) -> tuple[dict[str, str], list[str], list[Section]]:
    m = results.manifest
    exp = m.experiment or {}
    design = exp.get("design") or {}
    facts = {
        "experiment file": str(exp.get("source")),
        "base scenario": m.scenario["name"],
        "design": str(design.get("type", "")),
        "points x replications": f"{exp['n_points']} x {exp['replications']} = {exp['n_runs']} runs",
        "status": _status(results),
    }
    table = compare([results])
    base = m.scenario["parameters"]
    for column in table.columns:  # a parameter a factor level leaves alone is at the base's value
        if column in base:
            table[column] = table[column].fillna(base[column])
    best, worst = table["catch_up_probability"].idxmax(), table["catch_up_probability"].idxmin()
    led = table["leadership_probability"].idxmax()
    points = results.table("points")  # the whole design, also of a sweep not yet finished
    swept = [c for c in points.columns if c != "point_id"]
    varied = [c for c in swept if c in table and table[c].nunique() > 1]

    def where(i: int) -> str:
        return (
            ", ".join(f"{words(c)} {value_text(table.at[i, c])}" for c in varied)
            or f"point {table.at[i, 'point_id']}"
        )

    same = table.at[best, "catch_up_probability"] == table.at[worst, "catch_up_probability"]
    lowest, highest = (cell("catch_up_probability", table.loc[i]) for i in (worst, best))
    lines = [
        f"Catch-up was {highest} of runs at every one of the {len(table)} points."
        if same
        else f"Catch-up ranged from {lowest} of runs ({where(worst)}) to {highest} ({where(best)}), "
        f"over {len(table)} points.",
        f"Home firms led the home market in {cell('leadership_probability', table.loc[led])} of runs "
        f"at the point where they did most often ({where(led)})."
        if table.at[led, "leadership_probability"] > 0
        else "Home firms led the home market in no run at any point.",
    ]
    sections: list[Section] = [
        {
            "title": "Swept values",
            "table": _table(_design_rows(design, points, base), code=("parameter",), numbers=[]),
        },
        {
            "title": "Per point",
            "note": "95% bootstrap intervals over the point's runs in brackets.",
            "table": _table(readable_compare(table), code=(), numbers=None),
        },
    ]
    cycles = [c for c in table.columns if c.startswith("cycle_")]
    if cycles:
        sections.append(
            {
                "title": "Catch-up cycles per point",
                "note": "Runs of each point in each cycle. "
                + " ".join(f"{measure(c).label.capitalize()}: {measure(c).meaning}" for c in cycles),
                "table": _table(readable_compare(table, cycles), code=(), numbers=None),
            }
        )
    if results.has_table("discovery_boxes"):
        sections.append(
            {
                "title": "Scenario discovery: PRIM boxes",
                "note": "Later boxes are found in the runs earlier ones left.",
                "table": _table(_boxes(results.table("discovery_boxes")), code=("parameter",)),
            }
        )
    return facts, lines, sections


def _design_rows(design: dict[str, Any], points: pd.DataFrame, base: dict[str, Any]) -> list[dict[str, str]]:
    """Each column of the design: its values over the points (a parameter a factor level leaves
    alone at the base scenario's value), its unit, and how the design sets it."""
    swept = {*design.get("grid", {}), *design.get("ranges", {})}
    rows = []
    for name in (c for c in points.columns if c != "point_id"):
        column = points[name].fillna(base[name]) if name in base else points[name]
        values = sorted(column.dropna().unique().tolist(), key=lambda v: (isinstance(v, str), v))
        how = (
            str(design.get("type", "swept"))
            if name in swept
            else "factor"
            if name in design.get("factors", {})
            else "fixed by the experiment"
            if len(values) == 1
            else "set by a factor's levels"
        )
        rows.append(
            {
                "parameter": name,
                "values": ", ".join(value_text(v) for v in values)
                if len(values) <= 8
                else f"{value_text(min(values))} to {value_text(max(values))} ({len(values)} values)",
                "unit": heading(name).partition("(")[2].rstrip(")"),
                "how": how,
            }
        )
    return rows


def _boxes(boxes: pd.DataFrame) -> pd.DataFrame:
    def quasi_p(row: Any) -> str:
        sides = [q for q in (row.qp_low, row.qp_high) if q == q]
        return "–" if not sides else ("< 0.001" if min(sides) < 0.001 else f"{min(sides):.3f}")

    return pd.DataFrame(
        {
            "outcome": boxes["outcome"].map(words),
            "box": boxes["box"],
            "coverage (share of the cases)": boxes["coverage"].map("{:.2f}".format),
            "density (share of the box's runs that are cases)": boxes["density"].map("{:.2f}".format),
            "runs in box": boxes["n"].map("{:.0f}".format),
            "parameter": boxes["parameter"],
            "restriction": [
                r.levels
                if isinstance(r.levels, str) and r.levels
                else f"{value_text(r.low)} to {value_text(r.high)}"
                for r in boxes.itertuples(index=False)
            ],
            "quasi-p": [quasi_p(r) for r in boxes.itertuples(index=False)],
        }
    )


def _policy(results: Results, facts: dict[str, str]) -> list[Section]:
    problem = problem_of(results)
    facts["levers searched"] = ", ".join(
        f"`{k}` {value_text(lo)} to {value_text(hi)}" for k, (lo, hi) in problem.levers.items()
    )
    facts["objectives"] = ", ".join(
        f"{d} {measure(o).label if o in measures() else words(o)}"
        for o, d in zip(problem.objectives, problem.directions, strict=True)
    )
    facts["runs per candidate"] = f"{problem.seeds} seeds x {problem.samples} sample point(s)"
    front = policy_table(results, "pareto_front", problem)
    rows = pd.DataFrame({"candidate": front["trial"].map("{:.0f}".format)})
    for lever in problem.levers:
        timing = lever.rpartition("_")[2] in ("start", "duration")  # a year, or a number of years
        unit = {"start": "year", "duration": "years"}.get(lever.rpartition("_")[2])
        title = f"{words(lever)} ({unit})" if timing else heading(lever)
        rows[title] = front[lever].map(lambda v, t=timing: f"{v:.1f}" if t else f"{v:.2f}")
    for objective in problem.objectives:
        rows[measure(objective).heading()] = [cell(objective, r) for _, r in front.iterrows()]
    return [{"title": "Pareto front", "note": "95% intervals in brackets.", "table": _table(rows, code=())}]


def _attribution(results: Results) -> list[Section]:
    rows = attribution_rows(attribution_table(results))
    return [
        {
            "title": "Window attribution",
            "note": "Paired over the same seeds; 95% bootstrap intervals.",
            "table": _table(rows, code=()),
        }
    ]


def _status(results: Results) -> str:
    """A sweep's status as a reader needs it: running or partial, with how far, if so."""
    partial = getattr(results, "partial", None)
    if partial is None:
        return results.manifest.status
    return f"{'running' if results.manifest.status == 'running' else 'partial'}: {partial}"


def render(source: str | Path | Results) -> str:
    """The report of a result as one HTML document."""
    results = open_results(source)
    m = results.manifest
    if m.kind not in ("run", "case", "sweep", "policy", "attribution"):
        where = results.location or "this result"
        raise FigureError(
            f"{where}: no report for a {m.kind} folder (its tables and figures are in the folder)"
        )
    scenario = m.scenario
    before = _what_changed(scenario, "the base scenario" if m.kind == "sweep" else "this scenario")
    lines: list[str] = []
    if m.kind == "sweep":
        facts, lines, sections = _sweep(results)
        title = f"Sweep: {m.name}"
    else:
        facts = _scenario_facts(results)
        if m.kind == "policy":
            sections, title = _policy(results, facts), f"Policy search: {m.name}"
        elif m.kind == "attribution":
            sections, title = _attribution(results), f"Window attribution: {m.name}"
        else:
            lines, sections = _one_scenario(results)
            title = f"{'Case' if m.kind == 'case' else 'Scenario'}: {m.name}"
    params = parameter_rows(scenario["parameters"])
    figures = [
        {"kind": kind, "caption": KINDS[kind].shows, **_png(results, kind)}
        for kind in available_kinds(results)
    ]
    versions: dict[str, Any] = m.versions
    return TEMPLATES.get_template("report.html.j2").render(
        title=title,
        description=m.description,
        facts=facts,
        before=before,
        headline=lines,
        sections=sections,
        figures=figures,
        parameters=_table(params, numbers=["value", "default"], mark="changed"),
        n_changed=int((params["changed"] != "").sum()),
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
