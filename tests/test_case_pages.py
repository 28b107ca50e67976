"""The case pages' generated snippets (docs/_ext/case_pages.py), without building the site: every
row of every case's history file and every free parameter appears, the counterfactual levels are
those of the experiment files, and the fit and counterfactual snapshots are shown when they are
there (and said to be missing when they are not)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from catchup.analysis.tables import value_text
from catchup.config.case import case_path, load_case
from catchup.config.experiment import load_experiment
from catchup.config.history import load_history
from tests.conftest import ROOT

CASES = ("speech", "shield", "two_bombs", "td_scdma")
PAGES = ROOT / "docs" / "cases"


@pytest.fixture(scope="module")
def case_pages():
    """The extension module, imported from docs/_ext as Sphinx imports it (docs/conf.py puts the
    folder on the path, so the extensions can import each other)."""
    path = ROOT / "docs" / "_ext" / "case_pages.py"
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location("case_pages", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["case_pages"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(case_pages, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    case_pages.write_case_snippets(out)
    return out


def _cell(text: str) -> str:
    """A value as a Markdown table cell shows it (whitespace collapsed, pipes escaped)."""
    return " ".join(str(text).split()).replace("|", "\\|").replace("<", "&lt;")


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line.startswith("| ")]


@pytest.mark.parametrize("case", CASES)
def test_every_fact_of_the_history_file_is_in_the_facts_snippet(generated, case):
    scenario = load_case(case_path(case)).scenario
    history = load_history(scenario.calibration["history"])
    lines = _lines(generated / f"{case}_facts.md")[1:]  # the header
    assert len(lines) == len(history)
    uses = {"calibrate": "calibration", "validate": "validation", "input": "input"}
    for row in history.itertuples(index=False):
        year = f"| {float(row.year):g} | {uses[row.use]} |"
        found = [
            line
            for line in lines
            if line.startswith(year) and _cell(row.source) in line and _cell(row.note) in line
        ]
        assert found, f"{case}: history row {row.year} {row.metric} {row.value} is missing"


@pytest.mark.parametrize("case", CASES)
def test_every_free_parameter_is_in_the_parameters_snippet(generated, case):
    calibrated = load_case(case_path(case, calibrated=True))
    text = (generated / f"{case}_parameters.md").read_text()
    lines = _lines(generated / f"{case}_parameters.md")[1:]
    assert len(lines) == len(calibrated.free)
    for name, (low, high) in calibrated.free.items():
        (line,) = [line for line in lines if line.startswith(f"| `{name}` |")]
        value = calibrated.scenario.parameters[name]
        assert f"| {value_text(value)} |" in line, (name, value)
        assert f"{value_text(low)} to {value_text(high)}" in line
        prior = calibrated.prior.get(name)
        assert (f"{value_text(prior[0])} ± {value_text(prior[1])}" if prior else "| none |") in line
    assert f"catchup calibrate {case}" in text
    # the setup snippet marks the free parameters among the case file's values
    setup = (generated / f"{case}_setup.md").read_text()
    assert all(f"`{name}` (free, calibrated)" in setup for name in calibrated.free)


@pytest.mark.parametrize("case", CASES)
def test_every_counterfactual_level_is_in_the_levels_snippet(generated, case):
    experiment = load_experiment(ROOT / "experiments" / "counterfactuals" / f"{case}.toml")
    text = (generated / f"{case}_levels.md").read_text()
    for point in experiment.points:
        (level,) = point.labels.values()
        assert f"| `{level}` |" in text
        assert all(repr(label) in text for label in point.dropped)
        assert all(f"`{name} = " in text for name in point.values)


@pytest.mark.parametrize("case", CASES)
def test_fit_and_counterfactuals_come_from_the_curated_snapshots(generated, case):
    figures = ROOT / "results" / "figures"
    if not (figures / f"case_{case}_fit.csv").is_file():
        pytest.skip("no curated snapshot (run scripts/curate_case_figures.py)")
    fit = (generated / f"{case}_fit.md").read_text()
    assert "make run" in fit and "curate_case_figures.py" in fit
    assert f"![{case}: the model against its history](_generated/case_{case}_history.png)" in fit
    assert (generated / f"case_{case}_history.png").read_bytes() == (
        figures / f"case_{case}_history.png"
    ).read_bytes()
    inside = re.search(r"Calibration facts inside their range: (\d+) of (\d+)", fit)
    assert inside and int(inside[2]) == len(load_case(case_path(case)).targets)
    changes = (generated / f"{case}_counterfactuals.md").read_text()
    assert "make counterfactuals" in changes and f"case_{case}_counterfactuals.png" in changes


def test_missing_snapshots_are_said_to_be_missing(case_pages, tmp_path):
    out = tmp_path / "generated"
    case_pages.write_case_snippets(out, figures=tmp_path / "no-figures")
    fit = (out / "speech_fit.md").read_text()
    assert "no fit snapshot" in fit and "curate_case_figures.py" in fit
    assert "no counterfactual snapshot" in (out / "speech_counterfactuals.md").read_text()
    assert "Every row of" in (out / "speech_facts.md").read_text()  # the files need no snapshot


def test_a_known_miss_of_the_case_tests_is_said_on_its_page(case_pages, tmp_path):
    tests = tmp_path / "test_cases.py"
    tests.write_text('KNOWN_MISSES = {\n    "td_scdma": "a reason",\n}\n')
    assert case_pages.known_misses(tests) == {"td_scdma": "a reason"}
    assert "a reason" in case_pages.known_miss_note("td_scdma", tests)
    assert case_pages.known_miss_note("speech", tests) == ""


def test_every_case_page_includes_its_snippets_and_the_index_lists_them():
    index = (PAGES / "index.md").read_text()
    assert "_generated/summary.md" in index
    for case in CASES:
        page = (PAGES / f"{case}.md").read_text()
        for kind in ("facts", "parameters", "setup", "levels", "fit", "counterfactuals"):
            assert f"{{include}} _generated/{case}_{kind}.md" in page, (case, kind)
        assert re.search(rf"^{case}$", index, re.MULTILINE), f"{case} not in the index's toctree"


def test_the_snippets_are_written_only_when_they_change(case_pages, tmp_path):
    out = tmp_path / "generated"
    written = case_pages.write_case_snippets(out)
    before = {p: p.stat().st_mtime_ns for p in written}
    case_pages.write_case_snippets(out)
    assert {p: p.stat().st_mtime_ns for p in written} == before
