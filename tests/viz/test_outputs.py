"""Outputs a researcher puts in a paper: the report reads without raw column names, scientific
notation or unitless statistics; the command line, the report and the JSON give the same
numbers; dated events' labels never overlap; readable tables export as CSV, Markdown, LaTeX."""

from __future__ import annotations

import html
import itertools
import json
import re
from pathlib import Path

import numpy as np
import PIL.Image
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from typer.testing import CliRunner

import catchup
from catchup.analysis.compare import compare
from catchup.analysis.measures import measures, with_interval
from catchup.analysis.summary import HEADLINE, WINDOW_MEASURES
from catchup.cli import app
from catchup.config.case import case_path
from catchup.config.experiment import load_experiment
from catchup.experiments.attribution import attribute
from catchup.experiments.cases import replicate
from catchup.experiments.sweep import sweep
from catchup.model.outcomes import TRAJECTORY_TABLE_COLUMNS
from catchup.viz import sizes, style, timelines
from catchup.viz.registry import available_kinds, figure
from catchup.viz.report import render
from tests.conftest import CASES, SHORT, make_scenario

SHIPPED_CASES = ("speech", "shield", "two_bombs", "td_scdma")
runner = CliRunner()


@pytest.fixture(scope="module")
def folders(tmp_path_factory, ex) -> dict[str, Path]:
    """A run, a sweep and the four shipped cases, each on a few seeds."""
    tmp = tmp_path_factory.mktemp("outputs")
    scenario = catchup.with_overrides(catchup.load_scenario(SHORT), {"niche_market_size": 0.3}, seeds=6)
    found = {"run": catchup.run(scenario, executor=ex).save(tmp / "run").path}
    grid = tmp / "grid.toml"
    grid.write_text(
        f'name = "g"\nscenario = "{SHORT}"\nreplications = 3\nset = {{ technology_maturity = 0.3 }}\n'
        "[grid]\nniche_market_size = [0.0, 0.3]\npatent_barrier = [0.0, 1.0]\n"
    )
    found["sweep"] = sweep(load_experiment(grid), tmp / "grid", executor=ex).path
    found["attribution"] = attribute(scenario, executor=ex).save(tmp / "attribution").path
    for case in SHIPPED_CASES:
        found[case] = replicate(
            case_path(case, CASES, calibrated=True), tmp / "cases", seeds=3, executor=ex
        ).path
    return found


def visible_text(page: str) -> str:
    """What a reader sees of the report as text, without code spans (parameter names a reader
    types into --set), styles and embedded images."""
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    page = re.sub(r"<code>.*?</code>", " ", page, flags=re.S)
    page = re.sub(r"<img[^>]*>", " ", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def raw_names(folder: Path) -> set[str]:
    """Every column name a reader could meet raw: the folder's tables, compare's columns, the
    trajectory columns and the measure table's names (those with an underscore: single words
    such as "year" are words)."""
    results = catchup.open_results(folder)
    names = set(TRAJECTORY_TABLE_COLUMNS) | set(measures()) | set(compare([results]).columns)
    for table in ("runs", "windows", "points", "fit"):
        if results.has_table(table):
            names |= set(results.table(table).columns)
    return {n for n in names if "_" in n}


@pytest.mark.parametrize("kind", ["run", "sweep", "td_scdma", "speech"])
def test_the_report_has_no_raw_column_name_scientific_notation_or_unitless_statistic(folders, kind):
    page = render(folders[kind])
    text = visible_text(page)
    raw = sorted(
        n for n in raw_names(folders[kind]) if re.search(rf"(?<![\w/.-]){re.escape(n)}(?![\w])", text)
    )
    assert not raw, f"raw column names in the report: {raw}"
    assert not re.search(r"\d(\.\d+)?[eE][+-]?\d", text), re.search(r".{30}\d[eE][+-]?\d.{30}", text)
    headings = [html.unescape(h) for h in re.findall(r"<th>(.*?)</th>", page)]
    for m in measures().values():  # a measure heading never drops its unit
        if m.unit not in m.label.split():
            assert m.label not in headings, f"{m.label!r} without its unit {m.unit!r}"
    summary = re.search(r"<h2>Summary</h2>.*?<tbody>(.*?)</tbody>", page, flags=re.S)
    if kind != "sweep":
        rows = re.findall(r"<tr>(.*?)</tr>", summary.group(1), flags=re.S)
        assert len(rows) == len(HEADLINE)
        for row in rows:
            measure, value, unit, _ = (html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row))
            assert unit.strip(), f"{measure} has no unit"
            if unit == "year" and value != "–":  # a year as a year: 2022.5 [2017.5, 2027.5]
                assert re.fullmatch(r"\d{4}\.\d( \[\d{4}\.\d, \d{4}\.\d\])?", value), value
            if unit.startswith("%"):
                assert re.fullmatch(r"[\d.]+%( \[[\d.]+%, [\d.]+%\])?", value), value


def test_the_report_reads_like_a_results_section(folders):
    page = render(folders["td_scdma"])
    sections = ("What was run", "Headline", "Summary", "Windows of opportunity", "Catch-up cycles")
    order = [page.index(h) for h in (*sections, "Fit to the dated facts", "Figures", "<details>")]
    assert order == sorted(order)
    changed = re.search(r"changes from the defaults</h3>.*?<tbody>(.*?)</tbody>", page, flags=re.S).group(1)
    assert "<code>niche_market_size</code>" in changed and "share of home demand" in changed
    folded = page[page.index("<details>") :]
    assert folded.count('class="changed"') == changed.count("<tr>") > 0  # non-defaults marked
    assert "Home firms caught up in" in page and "Most frequent catch-up cycle" in page


def test_the_command_line_the_report_and_the_json_give_the_same_numbers(folders):
    folder = folders["run"]
    as_json = runner.invoke(app, ["summary", str(folder), "--json"])
    assert as_json.exit_code == 0, as_json.output
    info = json.loads(as_json.stdout)
    text = runner.invoke(app, ["summary", str(folder)], terminal_width=250).stdout
    page = visible_text(render(folder))
    numbers = compare([folder]).iloc[0]
    for name in HEADLINE:
        rec = info["measures"][name]
        if rec["value"] is not None:  # the JSON holds compare's numbers, not a second computation
            assert rec["value"] == pytest.approx(numbers[name])
        cell = with_interval(name, rec["value"], rec.get("low"), rec.get("high"))
        assert cell in text and cell in page, (name, cell)
    for kind, rec in info["windows"].items():
        runs_with = str(rec["window_runs"]["value"])
        assert re.search(rf"{kind}\s+│\s+{runs_with}\s", text)
        assert re.search(rf"<td>{kind}</td><td[^>]*>{runs_with}</td>", render(folder))
        assert set(rec) == set(WINDOW_MEASURES)


def _label_boxes(fig) -> list:
    canvas = FigureCanvasAgg(fig)
    with style.styled():
        canvas.draw()  # laid out and drawn as when saved
    renderer = canvas.get_renderer()
    labels = [t for t in fig.axes[0].texts if t.get_gid() == "event-label"]
    return [t.get_bbox_patch().get_window_extent(renderer) for t in labels]


def _assert_apart(fig, n_events: int) -> None:
    boxes = _label_boxes(fig)
    assert len(boxes) == n_events
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), (a, b)
    top = fig.axes[0].get_window_extent()
    assert all(box.y0 >= top.y1 for box in boxes)  # above the panel, never over the data or axes
    legends = [lg.get_window_extent() for ax in fig.axes if (lg := ax.get_legend()) is not None]
    legends += [lg.get_window_extent() for lg in fig.legends]
    for a, b in itertools.combinations(legends, 2):
        assert not a.overlaps(b)


@pytest.mark.parametrize("case", SHIPPED_CASES)
@pytest.mark.parametrize("kind", ["history", "trajectories"])
def test_no_two_event_labels_overlap_in_a_shipped_cases_figures(folders, case, kind):
    results = catchup.open_results(folders[case])
    years = {e["year"] for e in results.manifest.scenario["events"]}
    fig = figure(kind, results)
    _assert_apart(fig, len(years))
    assert sizes.collisions(fig) == []  # nor any other text: tick labels, legends, milestone names


def test_crowded_events_are_stacked_not_overlapped(ex):
    """Twelve events within three years (closer than a label is wide) and long texts."""
    result = catchup.run(make_scenario({}, [], seeds=2), executor=ex)
    events = [(2000 + i / 4, f"event number {i} with a long description of what happened") for i in range(12)]
    fig = timelines.trajectories_figure(result.trajectories, result.windows, events, "t")
    _assert_apart(fig, 12)
    key = next(lg for lg in fig.legends if lg.get_gid() == "event-key")
    assert [t.get_text().split()[0] for t in key.get_texts()] == [str(i + 1) for i in range(12)]


def test_spread_moves_labels_apart_as_little_as_it_can():
    assert style.spread([10, 30, 50], 4, 100) == [10, 30, 50]  # far enough apart: kept
    assert style.spread([10, 11, 12], 4, 100) == pytest.approx([7, 11, 15])  # centred on the cluster
    assert style.spread([0, 1], 4, 100) == pytest.approx([2, 6])  # kept inside the left edge
    assert style.spread([99, 99, 99], 4, 100) == pytest.approx([90, 94, 98])  # and the right
    placed = style.spread(np.random.default_rng(1).uniform(0, 100, 20).round().tolist(), 4.5, 100)
    assert all(b - a >= 4.5 - 1e-9 for a, b in itertools.pairwise(sorted(placed)))


@pytest.mark.parametrize("fmt", ["csv", "markdown", "latex"])
def test_compare_writes_a_readable_table_in_each_format(folders, fmt):
    result = runner.invoke(app, ["compare", str(folders["sweep"]), "--format", fmt])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "catch-up (% of runs)" in out.replace("\\%", "%")
    assert "niche market size (share of home demand)" in out and "catch_up_probability" not in out
    assert re.search(r"\d+% \[\d+%, \d+%\]", out.replace("\\%", "%"))
    if fmt == "latex":
        assert out.startswith("\\begin{tabular}") and "\\%" in out
    if fmt == "markdown":
        assert out.splitlines()[1].startswith("|--") or out.splitlines()[1].startswith("|:")


def test_case_fit_and_sensitivity_tables_export_too(folders, tmp_path):
    fit = runner.invoke(app, ["summary", str(folders["td_scdma"]), "--fit", "--format", "markdown"])
    assert fit.exit_code == 0, fit.output
    assert "home standard's share of its generation" in fit.stdout and "@" not in fit.stdout
    bad = runner.invoke(app, ["compare", str(folders["run"]), "--format", "docx"])
    assert bad.exit_code == 2 and "csv, markdown, latex" in bad.output


@pytest.mark.parametrize("size", sorted(sizes.SIZES))
@pytest.mark.parametrize("kind", ["run", "sweep", "attribution", "td_scdma", "two_bombs"])
def test_every_figure_fits_a_journal_column_without_collisions(folders, kind, size, tmp_path):
    """Each figure the folder supports, at the column's exact width, in PNG, SVG and PDF."""
    results = catchup.open_results(folders[kind])
    width_mm = sizes.SIZES[size]
    for name in available_kinds(results):
        fig = sizes.at_size(figure(name, results), size)
        assert sizes.collisions(fig) == [], (name, size)
        png, svg, pdf = style.save(fig, tmp_path, f"{name}-{size}", ("png", "svg", "pdf"), tight=False)
        assert PIL.Image.open(png).size[0] == pytest.approx(width_mm / 25.4 * 300, abs=1)
        svg_width = re.search(r'<svg[^>]*width="([\d.]+)pt"', svg.read_text()).group(1)
        assert float(svg_width) == pytest.approx(width_mm / 25.4 * 72, abs=0.5)
        media_box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf.read_bytes())
        assert float(media_box.group(1)) == pytest.approx(width_mm / 25.4 * 72, abs=0.5)


def test_the_collision_check_finds_overlapping_labels():
    """The check itself can fail: two texts drawn on top of each other, and one off the page."""
    fig, ax = style.subplots(figsize=(3, 2))
    ax.text(0.5, 0.5, "one label")
    ax.text(0.5, 0.5, "another label")
    ax.text(3.0, 0.5, "off the page", in_layout=False)
    found = sizes.collisions(fig)
    assert any("overlaps" in p and "one label" in p for p in found)
    assert any("off the page" in p and "leaves the figure" in p for p in found)


def test_plot_writes_journal_sizes_and_refuses_unknown_ones(folders):
    result = runner.invoke(app, ["plot", str(folders["run"]), "--size", "single", "--format", "png,pdf"])
    assert result.exit_code == 0, result.output
    assert (folders["run"] / "figures" / "trajectories-single.pdf").exists()
    bad = runner.invoke(app, ["plot", str(folders["run"]), "--size", "a4"])
    assert bad.exit_code == 2 and "single, double" in bad.output
