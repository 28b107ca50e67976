"""Figures, checked through matplotlib objects (not pixels)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import catchup
from catchup.config.history import Target
from catchup.viz import grids, style, timelines
from catchup.viz.registry import FORMATS, WINDOW_MAP_GRID
from tests.conftest import make_scenario


@pytest.fixture(scope="module")
def result(ex) -> catchup.RunResult:
    events = [{"year": 2000, "new_generation": True, "label": "new generation"}]
    scenario = make_scenario({"technology_maturity": 0.8, "knowledge_cumulativeness": 0.1}, events, seeds=6)
    return catchup.run(scenario, executor=ex)


def _gids(ax, prefix):
    return [a for a in ax.get_children() if (a.get_gid() or "").startswith(prefix)]


def test_trajectories_figure_has_bands_runs_windows_and_events(result):
    fig = timelines.trajectories_figure(
        result.trajectories, result.windows, [(2000.0, "new generation")], "t", faint_runs=3
    )
    cap, share, strip = fig.axes[:3]
    assert len(_gids(cap, "run")) == 3 and len(_gids(share, "run")) == 6  # faint single runs
    assert len([line for line in cap.get_lines() if line.get_label() == "median"]) == 1
    assert len(cap.collections) >= 2  # 50% and 90% bands
    assert "ratio" in cap.get_ylabel() and "share of demand" in share.get_ylabel()
    assert strip.get_xlabel() == "year"
    spans = _gids(strip, "window-")
    assert len(spans) == len(result.windows)
    kinds = {s.get_gid() for s in spans}
    assert "window-technological" in kinds
    seized = [s for s in spans if s.get_hatch()]
    assert len(seized) == int(result.windows["rose"].sum())
    for ax in (cap, share, strip):
        assert len([a for a in ax.get_children() if a.get_gid() == "event"]) == 1  # the dashed line
    assert [t.get_text() for t in cap.texts if t.get_gid() == "event-label"] == ["1"]
    key = next(lg for lg in fig.legends if lg.get_gid() == "event-key")
    assert [t.get_text() for t in key.get_texts()] == ["1  2000: new generation"]


def test_compare_figure_has_one_median_per_scenario_per_panel(result):
    other = result.trajectories.assign(relative_capability=result.trajectories["relative_capability"] * 0.5)
    fig = timelines.compare_figure([("a", result.trajectories), ("b", other)])
    assert len(fig.axes) == 3
    for ax in fig.axes:
        assert len(ax.get_lines()) >= 2 and ax.get_xlabel() == "year"


def test_sweep_heatmap_writes_the_value_in_each_cell():
    runs = pd.DataFrame(
        {
            "patent_barrier": np.repeat([0.1, 0.5, 0.9], 4),
            "niche_market_size": np.tile([0.0, 0.4], 6),
            "catch_up_year": [2010.0, np.nan] * 6,
        }
    )
    fig = grids.sweep_heatmap(runs, "patent_barrier", "niche_market_size")
    ax = fig.axes[0]
    assert len(ax.texts) == 6
    assert {t.get_text() for t in ax.texts} == {"1.00", "0.00"}
    assert ax.get_xlabel() == "patent barrier" and ax.get_ylabel() == "niche market size"
    assert fig.axes[1].get_ylabel() == "catch-up probability"  # the colour bar


def test_window_map_has_a_panel_per_technology_stage():
    grid = pd.MultiIndex.from_product([["emerging", "mature"], [0, 0.3], [0.2, 0.9], [0, 0.5], [0, 0.8]])
    runs = grid.to_frame(index=False, name=["technology_stage", *WINDOW_MAP_GRID])
    runs["catch_up_year"] = np.where(runs["niche_market_size"] > 0, 2010.0, np.nan)
    fig = grids.window_map_figure(runs, WINDOW_MAP_GRID)
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["emerging", "mature"]
    assert all(len(ax.texts) == 16 for ax in panels)


def test_sensitivity_and_attribution_bars_have_intervals():
    indices = pd.DataFrame(
        {
            "outcome": ["catch_up"] * 4,
            "statistic": ["mean"] * 4,
            "parameter": ["a", "a", "b", "b"],
            "index": ["S1", "ST", "S1", "ST"],
            "value": [0.5, 0.6, 0.1, 0.2],
            "conf": [0.05, 0.05, 0.02, 0.02],
        }
    )
    fig = grids.sensitivity_figure(indices)
    assert len(fig.axes[0].patches) == 4 and fig.axes[0].get_title() == "catch-up (1 if a run caught up)"
    assert fig.axes[0].get_legend_handles_labels()[1] == [
        "first-order Sobol index",
        "total-order Sobol index",
    ]
    table = pd.DataFrame(
        {
            "closed": ["(none: as given)", "niche", "all"],
            "probability_drop": [np.nan, 0.3, 0.6],
            "probability_drop_low": [np.nan, 0.1, 0.4],
            "probability_drop_high": [np.nan, 0.5, 0.8],
            "catch_up_delay_years": [np.nan, 2.0, 5.0],
            "catch_up_delay_years_low": [np.nan, 1.0, 4.0],
            "catch_up_delay_years_high": [np.nan, 3.0, 6.0],
        }
    )
    fig = grids.attribution_figure(table)
    drop, delay = fig.axes[:2]
    assert [p.get_width() for p in drop.patches] == [0.3, 0.6]
    assert [t.get_text() for t in drop.get_yticklabels()] == ["niche", "all"]
    assert "years" in delay.get_xlabel()


@pytest.mark.parametrize("fmt", FORMATS)
def test_save_writes_every_format(tmp_path, result, fmt):
    fig = timelines.trajectories_figure(result.trajectories, result.windows)
    (path,) = style.save(fig, tmp_path, "t", [fmt])
    assert path.suffix == f".{fmt}" and path.stat().st_size > 5_000


def _targets() -> list[Target]:
    return [
        Target("home_share_home_market@1995", "home_share_home_market", 1995.0, 0.1, 0.3, 0.2, "s", False),
        Target("first_product_year", "first_product_year", 1994.0, 1993.0, 1995.0, 1994.0, "s", True),
    ]


def _assert_facts(ax) -> None:
    """One range bar for the dated share and one shaded year range for the dated event."""
    from matplotlib.container import ErrorbarContainer
    from matplotlib.patches import Rectangle

    bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert len(bars) == 1 and bars[0].lines[0].get_xdata()[0] == 1995.0
    spans = [a for a in _gids(ax, "history") if isinstance(a, Rectangle)]
    assert len(spans) == 1


def test_history_figure_draws_every_dated_fact_and_the_simulated_year(result):
    runs = result.runs.assign(first_product_year=1994.0 + np.arange(len(result.runs)) * 0.25)
    fig = timelines.history_figure(
        result.trajectories, result.windows, runs, _targets(), [(2000.0, "gen")], "t"
    )
    share, cap, strip = fig.axes[:3]
    _assert_facts(share)
    simulated = _gids(share, "simulated")[0]
    assert simulated.get_xdata()[0] == pytest.approx(runs["first_product_year"].median())
    assert share.get_ylabel() == "share of demand" and strip.get_xlabel() == "year"
    assert len(_gids(cap, "event")) == 1


def test_history_figure_tells_validation_facts_and_the_prediction_apart(result):
    validation = Target(
        "largest_home_firm_share@1998",
        "largest_home_firm_share",
        1998.0,
        0.2,
        0.4,
        0.3,
        "s",
        False,
        "validate",
    )
    fig = timelines.history_figure(
        result.trajectories, result.windows, result.runs, [*_targets(), validation], [], "t"
    )
    share = fig.axes[0]
    diamonds = [a for a in _gids(share, "validation") if hasattr(a, "get_marker") and a.get_marker() == "D"]
    assert len(diamonds) == 1 and diamonds[0].get_markerfacecolor() == "white"  # open: never fitted
    labels = [line.get_label() for line in share.get_lines()]
    assert "largest home firm's share of the home market" in labels  # its band is drawn too
    # the last calibration fact (the first product's latest year, 1995) starts the prediction
    cuts = [
        line for line in share.get_lines() if line.get_linestyle() == "-." and line.get_xdata()[0] == 1995.0
    ]
    assert len(cuts) == 1


def test_counterfactual_figure_has_one_median_per_level(result):
    table = pd.concat(
        [result.trajectories.assign(level="as_calibrated"), result.trajectories.assign(level="no_niche")]
    )
    fig = timelines.counterfactual_figure(table, "level", _targets(), [(2000.0, "gen")], "t")
    share, right = fig.axes[:2]
    medians = [line.get_label() for line in share.get_lines() if not line.get_label().startswith("_")]
    assert medians == ["as calibrated", "no niche"]
    _assert_facts(share)
    assert right.get_title().startswith("relative capability")  # no mission in this scenario


def test_drawing_never_touches_pyplot_or_the_backend(result):
    """A notebook keeps its backend and pyplot registry: figures are plain Figure objects."""
    import sys

    import matplotlib

    backend = matplotlib.get_backend()
    figure = catchup.figure("trajectories", result)
    assert matplotlib.get_backend() == backend
    assert "matplotlib.pyplot" not in sys.modules or not sys.modules["matplotlib.pyplot"].get_fignums()
    assert figure.axes and figure.canvas is not None
