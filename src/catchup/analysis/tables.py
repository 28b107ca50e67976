"""Tables for readers and papers: the numeric tables of results turned into readable ones, with
the names, units and formats of the summary vocabulary (`measures.toml`) and the parameter table.
The report and `--format csv|markdown|latex` both use these, so a table reads the same in both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from catchup.analysis.measures import cell, change, measure, measures, number
from catchup.model.parameters import BY_NAME, defaults

# A sweep point's or scenario's measures in a comparison, in order.
COMPARE_MEASURES = (
    "n_runs",
    "catch_up_probability",
    "catch_up_year_median",
    "leadership_probability",
    "leadership_year_median",
    "final_home_share_home_market",
    "technological_opened",
    "demand_opened",
    "institutional_opened",
    "technological_rose",
    "demand_rose",
    "institutional_rose",
)
TABLE_FORMATS = ("csv", "markdown", "latex")
INDEX_NAMES = {
    "S1": "first-order Sobol index",
    "ST": "total-order Sobol index",
    "mu_star": "Morris mean absolute effect",
    "sigma": "Morris standard deviation of effects",
}


def words(name: str) -> str:
    """A column or factor name in words."""
    return name.replace("_", " ")


def heading(name: str) -> str:
    """The heading of a column: a measure's label and unit, a parameter's name in words and its
    unit, or the name in words."""
    if name in measures():
        return measure(name).heading()
    if name in BY_NAME:
        unit = BY_NAME[name].unit
        return f"{words(name)} ({unit})" if unit and unit != "-" else words(name)
    return words(name)


def value_text(value: Any) -> str:
    """A parameter or factor value as written in a table: numbers in full (shortest decimal that
    reads back the same, never scientific notation), a factor level in words."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        return str(value).replace("_", " ")
    if value != value:
        return "–"
    return np.format_float_positional(float(value), trim="-")


def readable_compare(table: pd.DataFrame, names: Sequence[str] = COMPARE_MEASURES) -> pd.DataFrame:
    """`compare`'s numeric table as a readable one: label columns (folder when several, the
    point or scenario, swept values) then one "value [95% interval]" cell per measure."""
    first_measure = table.columns.get_loc("n_runs")
    labels = [c for c in table.columns[:first_measure] if c != "source" or table["source"].nunique() > 1]
    if len(table) > 1:  # a value every row shares (an experiment's fixed setting) says nothing here
        labels = [
            c for c in labels if c in ("source", "group", "point_id") or table[c].nunique(dropna=False) > 1
        ]
    if "closed" in labels:  # an attribution's group is the source it closed: said once
        labels.remove("group")
    out = pd.DataFrame(index=table.index)
    for col in labels:
        title = {"source": "result folder", "group": "scenario or point", "point_id": "point"}.get(col)
        as_is = col in ("source", "group")  # folder paths and scenario names as they are
        out[title or heading(col)] = [str(v) if as_is else value_text(v) for v in table[col]]
    if "point_id" in labels and table["group"].astype(str).str.startswith("point ").all():
        out = out.drop(columns="scenario or point")  # the point column says it already
    for name in names:
        if name in table:
            out[measure(name).heading()] = [cell(name, row) for _, row in table.iterrows()]
    return out.reset_index(drop=True)


def attribution_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Window attribution in words: each window source closed (named as the figure names it),
    catch-up, its fall and the delay of catch-up, with 95% intervals."""
    rows = pd.DataFrame({"window source closed": table["closed"].str.replace("_", ", ")})
    for name in ("catch_up_probability", "probability_drop", "catch_up_delay_years", "median_catch_up_year"):
        if name in table:
            rows[measure(name).heading()] = [cell(name, r) for _, r in table.iterrows()]
    return rows


def changed_parameters(parameters: Mapping[str, Any]) -> pd.DataFrame:
    """Parameters whose value differs from the parameter table's default: name, value, default,
    unit and meaning (an empty table when the scenario changes none)."""
    base = defaults()
    rows = [
        {
            "parameter": name,
            "value": value_text(value),
            "default": value_text(base[name]),
            "unit": BY_NAME[name].unit,
            "meaning": BY_NAME[name].meaning,
        }
        for name, value in parameters.items()
        if name in base and value != base[name]
    ]
    return pd.DataFrame(rows, columns=["parameter", "value", "default", "unit", "meaning"])


def parameter_rows(parameters: Mapping[str, Any]) -> pd.DataFrame:
    """Every parameter as resolved, with a mark on those that differ from the default."""
    base = defaults()
    rows = [
        {
            "parameter": name,
            "value": value_text(value),
            "changed": "changed" if name in base and value != base[name] else "",
            "default": value_text(base.get(name)),
            "unit": BY_NAME[name].unit if name in BY_NAME else "",
            "meaning": BY_NAME[name].meaning if name in BY_NAME else "",
        }
        for name, value in parameters.items()
    ]
    return pd.DataFrame(rows)


def event_rows(events: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Dated events: year, what happens and which parameters they set."""
    rows = []
    for e in events:
        happens = [e.get("label") or ""]
        if e.get("new_generation"):
            happens.append("a new technology generation arrives")
        if e.get("home_entrants"):
            happens.append(f"{e['home_entrants']} home firm(s) enter")
        sets = ", ".join(f"{k} = {value_text(v)}" for k, v in (e.get("set") or {}).items())
        rows.append(
            {"year": number("year", e["year"]), "event": "; ".join(h for h in happens if h), "sets": sets}
        )
    return pd.DataFrame(rows, columns=["year", "event", "sets"])


def fit_rows(fit: pd.DataFrame) -> pd.DataFrame:
    """A case's fit to dated facts: the fact in words, what it was used for, history's value and
    accepted range, the model's median and 10-90% of runs, whether it is inside, the source."""
    rows = []
    for r in fit.itertuples(index=False):
        fact, kind = _outcome(str(r.target))
        model = "never" if r.median != r.median else number(kind, r.median)
        spread = "–" if r.q10 != r.q10 else f"{number(kind, r.q10)} to {number(kind, r.q90)}"
        rows.append(
            {
                "dated fact": fact,
                "used for": {"calibrate": "calibration", "validate": "validation"}.get(
                    getattr(r, "use", "calibrate"), str(getattr(r, "use", ""))
                ),
                "history (accepted range)": f"{number(kind, r.history)} "
                f"({number(kind, r.low)} to {number(kind, r.high)})",
                "model median (10-90% of runs)": f"{model} ({spread})",
                "inside the range": "yes" if r.inside else "no",
                "source": str(getattr(r, "source", "") or ""),
            }
        )
    return pd.DataFrame(rows)


def sensitivity_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Sensitivity indices of the mean over seeds: outcome, parameter, one column per index
    ("value ± 95% half-width")."""
    mean = table[table["statistic"] == "mean"]
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for r in mean.itertuples(index=False):
        row = rows.setdefault(
            (r.outcome, r.parameter),
            {
                "outcome": measure(r.outcome).label if r.outcome in measures() else words(r.outcome),
                "parameter": heading(r.parameter),
            },
        )
        text = f"{r.value:.3f}" + (f" ± {r.conf:.3f}" if r.conf == r.conf else "")
        row[INDEX_NAMES.get(r.index, words(str(r.index)))] = text
    return pd.DataFrame(list(rows.values()))


def render_table(table: pd.DataFrame, fmt: str) -> str:
    """A readable table as CSV, Markdown (tabulate) or LaTeX (booktabs, special characters escaped)."""
    if fmt == "csv":
        return table.to_csv(index=False)
    if fmt == "markdown":  # cells as written (tabulate would re-read "2003.0" as 2003), "|" escaped
        escaped = table.map(lambda v: str(v).replace("|", "\\|")).rename(
            columns=lambda c: c.replace("|", "\\|")
        )
        return escaped.to_markdown(index=False, disable_numparse=True) + "\n"
    if fmt == "latex":
        return table.to_latex(index=False, escape=True)
    raise ValueError(f"format {fmt!r}: one of {', '.join(TABLE_FORMATS)}")


def _outcome(name: str, unit: bool = False) -> tuple[str, str]:
    """An outcome's words (with its unit if asked) and kind; a dated fact ("measure@year") as
    the measure in that year."""
    base, _, year = name.partition("@")
    stem, _, number_ = base.rpartition("_")
    milestone = base not in measures() and number_.isdigit() and stem in measures()  # mission_year_2
    found = measures().get(stem if milestone else base)
    text = (found.heading() if unit else found.label) if found else words(base)
    text += f" (milestone {number_})" if milestone else ""
    words_ = text + (f" in {year}" if year else "")
    return words_, found.kind if found else "ratio"


def counterfactual_rows(table: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Counterfactual levels against `reference`: each outcome's value and its change (in
    percentage points for shares), with 95% intervals. Probabilities are shares of runs; every
    other outcome is a median over runs, and a run without the event counts at one year after
    the end, as in the numeric table (`analysis.counterfactuals`)."""
    factor = table.columns[0]
    rows = []
    for r in table.to_dict("records"):
        name, kind = _outcome(r["outcome"], unit=True)
        if not r["outcome"].endswith("probability"):
            name = "median " + name + (" (never: end year + 1)" if kind == "year" else "")
        low, high = number(kind, r["value_low"]), number(kind, r["value_high"])
        changed = (
            f"{change(kind, r['change'])} [{change(kind, r['change_low'])}, {change(kind, r['change_high'])}]"
        )
        rows.append(
            {
                words(factor): value_text(r[factor]),
                "outcome": name,
                "value [95% interval]": f"{number(kind, r['value'])} [{low}, {high}]",
                f"change from {value_text(reference)}": "–" if r[factor] == reference else changed,
            }
        )
    return pd.DataFrame(rows)
