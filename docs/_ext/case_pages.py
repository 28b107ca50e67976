"""Generated parts of the case pages (docs/cases/): written when the site builds, so that no fact,
parameter value or result is ever copied into a page by hand.

For each of the paper's four cases, Markdown snippets under docs/cases/_generated/ that the pages
`{include}`:

- `<case>_facts.md`: every row of the case's history file (`calibration.history`), read with
  catchup's own loader: year, use (calibration, validation, input), value and range, what it is
  (with the file's note) and its source;
- `<case>_parameters.md`: the free parameters with their bounds, priors, starting and calibrated
  values and identification, from the case file and its calibrated file;
- `<case>_setup.md`: the values the case file sets and its dated events;
- `<case>_levels.md`: the counterfactual levels of `experiments/counterfactuals/<case>.toml`;
- `<case>_fit.md` and `<case>_counterfactuals.md`: the fit and the counterfactual results, from
  the curated snapshots committed in results/figures/ (`scripts/curate_case_figures.py`), with
  their figures, copied beside the snippets (Sphinx then finds them in any copy of docs/);
- `summary.md`: the four cases side by side, for the index page.
"""

from __future__ import annotations

import ast
import json
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd
from reference_tables import table
from sphinx.application import Sphinx
from sphinx.config import Config

import catchup
from catchup.analysis.measures import measure, number
from catchup.analysis.tables import (
    changed_parameters,
    counterfactual_rows,
    event_rows,
    fit_rows,
    render_table,
    value_text,
)
from catchup.config.builtin import EXPERIMENTS, SCENARIOS
from catchup.config.case import PAPER_CASES, base_case_file, case_path, load_case
from catchup.config.experiment import load_experiment
from catchup.config.history import OUTCOME_EVENTS, SHARE_METRICS, load_history
from catchup.config.scenario import load_scenario
from catchup.model.parameters import BY_NAME

CASES = PAPER_CASES
# In a checkout the built-in scenarios link to the repository's scenarios/: its parent is the
# repository, whatever folder the documentation is built from (the tests build a copy of docs/).
ROOT = SCENARIOS.resolve().parent
FIGURES = ROOT / "results" / "figures"
CASE_TESTS = ROOT / "tests" / "cases" / "test_cases.py"  # its KNOWN_MISSES: fits the tests expect to fail
GENERATED = "_generated"  # under docs/cases/
REFERENCE = "as_calibrated"  # the counterfactual experiments' historical level
EVENT_WORDS = {
    "program_start": "programme start",
    "embargo": "embargo",
    "mobilisation": "mobilisation",
    "policy": "policy",
    "new_generation": "new technology generation",
}
USE_WORDS = {"calibrate": "calibration", "validate": "validation", "input": "input"}
PRODUCED_BY = "`make run`, `make counterfactuals`, then `python scripts/curate_case_figures.py`"


def _year(value: Any) -> str:
    """A dated year as the history file gives it (2012.75 stays 2012.75)."""
    return f"{float(value):g}"


def history_file(case: str) -> Path:
    """The case's history file, as its case file names it (`calibration.history`)."""
    scenario = load_scenario(case_path(case))
    assert scenario.calibration is not None, f"{case}: not a case file"
    return Path(scenario.calibration["history"])


def _repo_path(path: Path) -> str:
    """A file's path in the repository (as a reader finds it), else its name."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return path.name


# (a) the dated facts ---------------------------------------------------------------------------


def fact_rows(case: str) -> list[list[str]]:
    """One row per row of the history file: year, use, value (range), and what it is with its
    note and source."""
    history = load_history(history_file(case))
    rows = []
    milestone = 0
    for row in history.sort_values("year", kind="stable").itertuples(index=False):
        metric, value = str(row.metric), str(row.value)
        low, high = float(row.low), float(row.high)
        if metric in SHARE_METRICS:
            found = measure(metric)
            what = found.label
            kind = found.kind
            shown = f"{number(kind, float(value))} ({number(kind, low)} to {number(kind, high)})"
        elif value in OUTCOME_EVENTS:
            found = measure(OUTCOME_EVENTS[value])
            what = found.label
            if value == "mission_target":
                milestone += 1
                what += f" (milestone {milestone})"
            shown = f"{_year(row.year)} ({_year(low)} to {_year(high)})"
        else:  # an input: a dated decision the case file sets as an event
            what = EVENT_WORDS.get(value, value.replace("_", " "))
            shown = f"dated {_year(low)} to {_year(high)}"
        note = str(row.note) if isinstance(row.note, str) and row.note.strip() else ""
        rows.append(
            [
                _year(row.year),
                USE_WORDS.get(str(row.use), str(row.use)),
                shown,
                f"**{what}**" + (f": {note}" if note else "") + f" *(source: {row.source})*",
            ]
        )
    return rows


def facts_markdown(case: str) -> str:
    path = history_file(case)
    rows = fact_rows(case)
    uses = [r[1] for r in rows]
    counts = ", ".join(f"{uses.count(u)} {u}" for u in ("calibration", "validation", "input") if u in uses)
    intro = (
        f"Every row of `{_repo_path(path)}` ({len(rows)} rows: {counts}), read with catchup's own "
        "loader (`catchup.config.history.load_history`). Shares are read from the step whose period "
        "contains the year; an outcome's value is its year.\n\n"
    )
    return intro + table(["year", "use", "value (accepted range)", "what, and its source"], rows)


# (b) the free parameters and the case file ---------------------------------------------------


def parameter_rows(case: str) -> list[list[str]]:
    """One row per free parameter: meaning, bounds, prior, starting and calibrated value, and the
    objective's rise when it moves 20% down and up."""
    calibrated = load_case(case_path(case, calibrated=True))
    start = load_scenario(base_case_file(case_path(case, calibrated=True))).parameters
    info = calibrated.scenario.calibrated or {}
    rises = {r["parameter"]: r for r in info.get("identification", [])}
    rows = []
    for name, (low, high) in calibrated.free.items():
        prior = calibrated.prior.get(name)
        rise = rises.get(name)
        rows.append(
            [
                f"`{name}`",
                BY_NAME[name].meaning,
                f"{value_text(low)} to {value_text(high)}",
                f"{value_text(prior[0])} ± {value_text(prior[1])}" if prior else "none",
                value_text(start[name]),
                value_text(calibrated.scenario.parameters[name]),
                f"{rise['rise_minus']:+.3f} / {rise['rise_plus']:+.3f}" if rise else "–",
            ]
        )
    return rows


def parameters_markdown(case: str) -> str:
    calibrated_path = case_path(case, calibrated=True)
    calibrated = load_case(calibrated_path)
    cal, info = calibrated.calibration, calibrated.scenario.calibrated or {}
    intro = (
        f"Free parameters of `{_repo_path(case_path(case))}` (`[calibration.free]`, with "
        f"`[calibration.prior]`) and their values in `{_repo_path(calibrated_path)}`, found by "
        f"`catchup calibrate {case}` over {info.get('trials', cal.get('trials'))} trials on "
        f"{cal['seeds']} seeds from base seed {cal['base_seed']} (objective "
        f"{value_text(info.get('objective'))}, of which range distance {value_text(info.get('distance'))}; "
        f"calibrated {str(info.get('date', ''))[:10]}). The last column is the objective's rise when "
        "the parameter moves 20% down / up, the others held (clipped to the bounds): a flat row is a "
        "value the facts do not pin down.\n\n"
    )
    header = [
        "parameter",
        "meaning",
        "bounds",
        "prior (mean ± sd)",
        "case file",
        "calibrated",
        "rise at -20% / +20%",
    ]
    return intro + table(header, parameter_rows(case))


def setup_markdown(case: str) -> str:
    """The values the calibrated case sets (where they differ from the model's defaults) and its
    dated events."""
    calibrated = load_case(case_path(case, calibrated=True))
    scenario = calibrated.scenario
    changed = changed_parameters(scenario.parameters)
    free = set(calibrated.free)
    changed = changed.drop(columns="meaning")
    changed["parameter"] = [
        f"`{p}`" + (" (free, calibrated)" if p in free else "") for p in changed["parameter"]
    ]
    events = event_rows([asdict(e) for e in scenario.events])
    return (
        f"Span {value_text(scenario.start_year)} to {value_text(scenario.end_year)} "
        f"({scenario.steps_per_year} steps a year). Values that differ from the model's defaults "
        "(every one is set in the case file with the table row or source that gives it; their meanings "
        "are in the [parameter reference](../reference/parameters.md)):\n\n"
        + render_table(changed, "markdown")
        + "\nDated events (each one matches an input row of the history file):\n\n"
        + render_table(events, "markdown")
    )


# (c) the counterfactual levels ------------------------------------------------------------------


def experiment_file(case: str) -> Path:
    return EXPERIMENTS / "counterfactuals" / f"{case}.toml"


def level_rows(case: str) -> list[list[str]]:
    """One row per level of the experiment's factor: its name and what it changes."""
    experiment = load_experiment(experiment_file(case))
    events = {e.label: e for e in experiment.scenario.events}
    rows = []
    for point in experiment.points:
        changes = []
        if point.values:
            changes.append("sets " + ", ".join(f"`{k} = {value_text(v)}`" for k, v in point.values.items()))
        for label in point.dropped:
            event = events.get(label)
            what = f"removes the event {label!r}"
            if event is not None:
                sets = ", ".join(f"{k} = {value_text(v)}" for k, v in event.set.items())
                what += f" ({value_text(event.year)}" + (f": {sets})" if sets else ")")
            changes.append(what)
        changes += [f"adds an event in {value_text(e.year)} ({e.label})" for e in point.events]
        level = " / ".join(str(v) for v in point.labels.values())
        rows.append([f"`{level}`", "; ".join(changes) or "nothing: the calibrated case as it is"])
    return rows


def levels_markdown(case: str) -> str:
    experiment = load_experiment(experiment_file(case))
    return (
        f"`{_repo_path(experiment_file(case))}`: {experiment.description} "
        f"{experiment.replications} seeds a level from base seed {experiment.base_seed}, against "
        f"the calibrated file.\n\n" + table(["level", "what it changes"], level_rows(case))
    )


# (d) the fit and the counterfactual results, from the curated snapshots ------------------------


def _snapshots(figures: Path) -> dict[str, Any]:
    path = figures / "case_snapshots.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _provenance(entry: dict[str, Any] | None, what: str) -> str:
    if not entry:
        return f"{what}: provenance not recorded."
    text = (
        f"{what}: produced by catchup {entry.get('catchup')} on {str(entry.get('started', ''))[:10]} "
        f"({entry.get('runs')} runs)"
    )
    if entry.get("catchup") != catchup.__version__:
        text += f", as its run's manifest records (this site documents catchup {catchup.__version__})"
    return text + "."


def known_misses(tests: Path = CASE_TESTS) -> dict[str, str]:
    """The cases whose fit the tests keep as a known miss (`KNOWN_MISSES` in the case tests), with
    the reason they give; none when the tests are not there (an installed package)."""
    if not tests.is_file():
        return {}
    for node in ast.parse(tests.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            getattr(t, "id", None) == "KNOWN_MISSES" for t in node.targets
        ):
            return dict(ast.literal_eval(node.value))
    return {}


def known_miss_note(case: str, tests: Path = CASE_TESTS) -> str:
    reason = known_misses(tests).get(case)
    if reason is None:
        return ""
    return (
        f"**A known miss.** `tests/cases/test_cases.py` keeps this case's fit on three fresh seed roots "
        f"as a strict expected failure (`KNOWN_MISSES`: {reason}); the day it fits, the test fails and "
        "the mark must go.\n\n"
    )


def _figure(case: str, kind: str, figures: Path, out: Path, alt: str) -> str:
    """Copy a curated figure beside the snippets (only when it changed) and show it."""
    name = f"case_{case}_{kind}.png"
    source = figures / name
    if not source.is_file():
        return f"*(figure `results/figures/{name}` not found: run {PRODUCED_BY})*\n"
    target = out / name
    if not target.is_file() or target.read_bytes() != source.read_bytes():
        shutil.copyfile(source, target)
    return f"![{alt}]({GENERATED}/{name})\n"


def fit_verdicts(fit: pd.DataFrame) -> str:
    """How many calibration and validation facts are inside their ranges, and which are not."""
    lines = []
    for use, words in (("calibrate", "calibration"), ("validate", "validation")):
        part = fit[fit["use"] == use]
        if part.empty:
            continue
        rows = fit_rows(part)
        outside = [
            f"{r['dated fact']}: model {r['model median (10-90% of runs)'].split(' (')[0]}, "
            f"history {r['history (accepted range)'].replace(' (', ', range ').rstrip(')')}"
            for _, r in rows.iterrows()
            if r["inside the range"] == "no"
        ]
        inside = int(part["inside"].sum())
        text = f"- **{words.capitalize()} facts inside their range: {inside} of {len(part)}.**"
        if outside:
            text += " Outside: " + "; ".join(outside) + "."
        lines.append(text)
    return "\n".join(lines) + "\n"


def _summary_sentence(summary: dict[str, Any] | None) -> str:
    if not summary:
        return ""
    parts = [
        f"catch-up in {number('share_of_runs', summary.get('catch_up_share'))} of runs "
        f"(median year {number('year', summary.get('median_catch_up_year'))})",
        f"leadership in {number('share_of_runs', summary.get('leadership_share'))}",
    ]
    if summary.get("median_first_product_year") is not None:
        parts.append(f"first home product in {number('year', summary['median_first_product_year'])} (median)")
    if summary.get("median_mission_year") is not None:
        parts.append(f"mission target reached in {number('year', summary['median_mission_year'])} (median)")
    share = summary.get("median_final_home_share_home_market")
    parts.append(f"home firms' share of the home market at the end {number('market_share', share)} (median)")
    return "Over the same runs: " + "; ".join(parts) + ".\n\n"


def fit_markdown(case: str, figures: Path, out: Path) -> str:
    path = figures / f"case_{case}_fit.csv"
    if not path.is_file():
        return f"*(no fit snapshot `results/figures/{path.name}`: run {PRODUCED_BY})*\n"
    fit = pd.read_csv(path)
    entry = _snapshots(figures).get(case, {})
    summary = entry.get("summary") or {}
    seeds = (
        f"{summary['seeds']} fresh seeds from base seed {summary['base_seed']}" if summary else "fresh seeds"
    )
    return (
        f"The calibrated case replicated on {seeds} (the first validation root: seeds the search "
        f"never used). {_provenance(entry.get('fit'), 'Snapshot `results/figures/' + path.name + '`')} "
        f"Made by {PRODUCED_BY}. Each fact's source is in the table of dated facts.\n\n"
        + fit_verdicts(fit)
        + "\n"
        + known_miss_note(case)
        + _summary_sentence(summary)
        + render_table(fit_rows(fit).drop(columns="source"), "markdown")
        + "\n"
        + _figure(case, "history", figures, out, f"{case}: the model against its history")
    )


def _rounds_to_zero(text: str) -> bool:
    """A written change such as "0.0 pp" or "-0.0 years": too small to show."""
    number_ = text.split(" ")[0].lstrip("+-")
    return number_.replace("0", "").replace(".", "") == ""


def counterfactual_readings(changes: pd.DataFrame) -> str:
    """Per counterfactual level, the outcomes whose change from history has a 95% interval that
    excludes zero (and does not round to zero), or that no outcome changes."""
    rows = counterfactual_rows(changes, REFERENCE)
    factor, change_col = changes.columns[0], rows.columns[-1]
    lines = []
    for level in dict.fromkeys(changes[factor]):
        if level == REFERENCE:
            continue
        mask = (changes[factor] == level).to_numpy()
        part, numbers = rows[mask], changes[mask]
        excludes_zero = ((numbers["change_low"] > 0) | (numbers["change_high"] < 0)).to_numpy()
        moved = [
            f"  - {outcome}: {text}"
            for outcome, text, sure in zip(part["outcome"], part[change_col], excludes_zero, strict=True)
            if sure and not _rounds_to_zero(text)
        ]
        if moved:
            lines += [f"- `{level}` changes measurably:", *moved]
        else:
            lines.append(f"- `{level}` changes no outcome measurably.")
    return "\n".join(lines) + "\n"


def counterfactual_table(changes: pd.DataFrame) -> pd.DataFrame:
    """`counterfactual_rows` with one row per outcome and one column per level: the value, and
    for a counterfactual its change from history."""
    rows = counterfactual_rows(changes, REFERENCE)
    level_col, change_col = rows.columns[0], rows.columns[-1]
    levels = list(dict.fromkeys(rows[level_col]))
    out = pd.DataFrame({"outcome": list(dict.fromkeys(rows["outcome"]))})
    for level in levels:
        part = rows[rows[level_col] == level].set_index("outcome")
        cells = part["value [95% interval]"]
        if level != value_text(REFERENCE):
            cells = cells + "; change " + part[change_col]
        out[level] = out["outcome"].map(cells).fillna("–")
    return out


def counterfactuals_markdown(case: str, figures: Path, out: Path) -> str:
    path = figures / f"case_{case}_counterfactuals.csv"
    if not path.is_file():
        return f"*(no counterfactual snapshot `results/figures/{path.name}`: run {PRODUCED_BY})*\n"
    changes = pd.read_csv(path)
    entry = _snapshots(figures).get(case, {})
    return (
        f"{_provenance(entry.get('counterfactuals'), 'Snapshot `results/figures/' + path.name + '`')} "
        f"Made by {PRODUCED_BY}. Each cell is a value with its 95% bootstrap interval and, for a "
        f"counterfactual, its change from `{REFERENCE}`; probabilities are shares of runs, every other "
        "outcome a median over runs, and a year for an event that never happens counts as one year "
        "after the span.\n\n"
        "What changes measurably (the 95% interval of the change excludes 0):\n\n"
        + counterfactual_readings(changes)
        + "\n"
        + render_table(counterfactual_table(changes), "markdown")
        + "\n"
        + _figure(case, "counterfactuals", figures, out, f"{case}: counterfactual histories")
    )


def summary_markdown(figures: Path) -> str:
    """The four cases side by side: facts inside their ranges and the main outcomes."""
    snapshots = _snapshots(figures)
    misses = known_misses()
    rows = []
    for case in CASES:
        path = figures / f"case_{case}_fit.csv"
        if not path.is_file():
            rows.append([f"[{case}]({case}.md)", "–", "–", "–", "–", "–"])
            continue
        fit = pd.read_csv(path)
        summary = (snapshots.get(case) or {}).get("summary") or {}
        inside = {
            u: f"{int(fit[fit['use'] == u]['inside'].sum())} of {int((fit['use'] == u).sum())}"
            for u in ("calibrate", "validate")
        }
        if case in misses:
            inside["calibrate"] += " (a known miss of the tests)"
        rows.append(
            [
                f"[{case}]({case}.md)",
                inside["calibrate"],
                inside["validate"],
                number("share_of_runs", summary.get("catch_up_share")),
                number("year", summary.get("median_catch_up_year")),
                number("market_share", summary.get("median_final_home_share_home_market")),
            ]
        )
    header = [
        "case",
        "calibration facts inside",
        "validation facts inside",
        "catch-up (% of runs)",
        "median catch-up year",
        "median home share of the home market at the end",
    ]
    return (
        f"From the curated snapshots in results/figures/ (made by {PRODUCED_BY}), each case on "
        "fresh seeds:\n\n" + table(header, rows)
    )


# writing ---------------------------------------------------------------------------------------


def _write(path: Path, text: str) -> None:
    """Write only when the text changed, so that an unchanged page is not re-read."""
    if not path.is_file() or path.read_text() != text:
        path.write_text(text)


def write_case_snippets(out: Path, figures: Path = FIGURES) -> list[Path]:
    """Every snippet of every case (and the summary) into `out`; the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for case in CASES:
        for kind, text in (
            ("facts", facts_markdown(case)),
            ("parameters", parameters_markdown(case)),
            ("setup", setup_markdown(case)),
            ("levels", levels_markdown(case)),
            ("fit", fit_markdown(case, figures, out)),
            ("counterfactuals", counterfactuals_markdown(case, figures, out)),
        ):
            path = out / f"{case}_{kind}.md"
            _write(path, text)
            written.append(path)
    path = out / "summary.md"
    _write(path, summary_markdown(figures))
    written.append(path)
    return written


def _exclude_snippets(app_: Sphinx, config: Config) -> None:
    """The snippets are parts of pages, not pages: Sphinx reads them only through `{include}`."""
    pattern = f"cases/{GENERATED}"
    if pattern not in config.exclude_patterns:
        config.exclude_patterns.append(pattern)


def _build(app_: Sphinx) -> None:
    write_case_snippets(Path(app_.srcdir) / "cases" / GENERATED)


def setup(app_: Sphinx) -> dict[str, bool]:
    app_.connect("config-inited", _exclude_snippets)
    app_.connect("builder-inited", _build)
    return {"parallel_read_safe": True}
