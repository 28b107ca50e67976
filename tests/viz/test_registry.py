"""The figure registry and the report on small result folders, and on results in memory."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import catchup
from catchup.config.experiment import load_experiment
from catchup.errors import FigureError, ResultsError
from catchup.experiments.attribution import attribute
from catchup.experiments.sweep import sweep
from catchup.viz.registry import KINDS, available_kinds, draw, figure, figure_kinds, why_not
from catchup.viz.report import report
from tests.conftest import SHORT


@pytest.fixture(scope="module")
def folders(tmp_path_factory, ex) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("folders")
    scenario = catchup.with_overrides(catchup.load_scenario(SHORT), {}, seeds=3)
    run_dir = catchup.run(scenario, executor=ex).save(tmp / "run").path
    other = catchup.run(catchup.with_overrides(scenario, {"niche_market_size": 0.0}), executor=ex).save(
        tmp / "other"
    )
    attributed = attribute(scenario, executor=ex).save(tmp / "attribution").path
    grid = tmp / "grid.toml"
    grid.write_text(
        f'name = "g"\nscenario = "{SHORT}"\nreplications = 1\n'
        "[factors.technology_stage.emerging]\nset = { technology_maturity = 0.05 }\n"
        "[factors.technology_stage.mature]\nset = { technology_maturity = 0.9 }\n"
        "[grid]\nniche_market_size = [0.0, 0.3]\nstandardization = [0.2, 0.9]\n"
        "publicness = [0.0, 0.5]\nprocurement_support = [0.0, 0.8]\n"
    )
    sample = tmp / "sample.toml"
    sample.write_text(
        f'name = "s"\nscenario = "{SHORT}"\nreplications = 1\n[sample]\nmethod = "morris"\nsize = 4\n'
        "[sample.ranges]\nniche_market_size = [0.0, 0.5]\npatent_barrier = [0.0, 1.0]\n"
    )
    return {
        "run": run_dir,
        "other": other.path,
        "attribution": attributed,
        "grid": sweep(load_experiment(grid), tmp / "grid", executor=ex).path,
        "sample": sweep(load_experiment(sample), tmp / "sample").path,
        "empty": tmp,
    }


def test_each_folder_allows_the_figures_its_contents_support(folders):
    assert available_kinds(folders["run"]) == ["trajectories"]
    assert available_kinds(folders["run"], others=[folders["other"]]) == ["trajectories", "compare"]
    assert available_kinds(folders["attribution"]) == ["attribution"]
    assert available_kinds(folders["grid"]) == ["sweep", "window-map"]
    assert available_kinds(folders["sample"]) == ["sweep", "sensitivity"]


def test_the_registry_names_every_kind_once_with_what_it_needs():
    assert figure_kinds() == list(KINDS) and len(set(KINDS)) == len(KINDS)
    assert all(kind.shows and kind.needs for kind in KINDS.values())


@pytest.mark.parametrize(
    "folder, kinds",
    [
        ("run", ["trajectories", "compare"]),
        ("attribution", ["attribution"]),
        ("grid", ["sweep", "window-map"]),
        ("sample", ["sweep", "sensitivity"]),
    ],
)
def test_every_kind_draws_a_non_empty_image(folders, folder, kinds):
    written = draw(folders[folder], kinds, formats=("png", "pdf"), others=[folders["other"]])
    assert list(written) == kinds
    for paths in written.values():
        assert [p.suffix for p in paths] == [".png", ".pdf"]
        assert all(p.stat().st_size > 5_000 for p in paths)
        assert paths[0].parent == folders[folder] / "figures"
    assert not list((folders[folder] / "figures").glob(".*.tmp"))


def test_attribute_then_plot_then_report_works_on_a_new_folder(tmp_path, ex):
    """The sequence that used to fail with "no manifest.json"."""
    scenario = catchup.with_overrides(catchup.load_scenario(SHORT), {}, seeds=2)
    folder = attribute(scenario, executor=ex).save(tmp_path / "new")
    written = draw(folder.path, ["attribution"], ("png",))
    assert written["attribution"][0].stat().st_size > 5_000
    assert "Window attribution" in report(folder.path).read_text()


def test_a_result_in_memory_draws_like_its_folder(tmp_path, ex):
    result = catchup.run(catchup.load_scenario(SHORT), seeds=2, executor=ex)
    in_memory = figure("trajectories", result)
    on_disk = figure("trajectories", result.save(tmp_path / "r"))
    assert [ax.get_ylabel() for ax in in_memory.axes] == [ax.get_ylabel() for ax in on_disk.axes]
    assert len(in_memory.axes[0].lines) == len(on_disk.axes[0].lines)
    with pytest.raises(FigureError, match="give `out`"):
        draw(result, ["trajectories"])
    assert draw(result, ["trajectories"], ("png",), out=tmp_path / "figs")["trajectories"][0].exists()


def test_sweep_heatmap_options(folders):
    draw(
        folders["grid"],
        ["sweep"],
        ("png",),
        x="publicness",
        y="procurement_support",
        fix={"standardization": 0.2},
    )
    with pytest.raises(FigureError, match=r"not a swept parameter.*allowed: niche_market_size"):
        draw(folders["grid"], ["sweep"], ("png",), x="mission")
    with pytest.raises(FigureError, match="no point has that value"):
        draw(folders["grid"], ["sweep"], ("png",), fix={"standardization": 0.5})


@pytest.mark.parametrize(
    "folder, kind, message",
    [
        ("run", "sweep", "needs a sweep"),
        ("run", "window-map", "window_map.toml"),
        ("run", "compare", "--with"),
        ("run", "attribution", "catchup attribute"),
        ("grid", "sensitivity", "sobol or morris"),
        ("grid", "trajectories", "a run or case result"),
        ("run", "pie", "unknown figure kind"),
    ],
)
def test_a_folder_lacking_what_a_kind_needs_gets_a_clear_message(folders, folder, kind, message):
    with pytest.raises(FigureError, match=re.escape(message)):
        draw(folders[folder], [kind])
    assert message in why_not(kind, catchup.open_results(folders[folder]))


def test_unknown_formats_and_non_result_folders_are_refused(folders):
    with pytest.raises(FigureError, match="allowed: png, svg, pdf"):
        draw(folders["run"], ["trajectories"], ("gif",))
    with pytest.raises(ResultsError, match=r"manifest\.json"):
        draw(folders["empty"])


@pytest.mark.parametrize("folder", ["run", "grid", "attribution"])
def test_report_is_one_self_contained_offline_html_file(folders, folder):
    path = report(folders[folder])
    text = path.read_text()
    assert path.name == "report.html" and text.startswith("<!doctype html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)  # no external resources
    assert "http://" not in text and "https://" not in text
    assert "@import" not in text and "<script" not in text
    images = re.findall(r'<img[^>]+src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    assert len(images) == len(available_kinds(folders[folder]))
    assert all(len(i) > 10_000 for i in images)
    assert "All parameters as resolved" in text and "<code>patent_barrier</code>" in text


def test_a_discovered_sweep_gives_the_discovery_figure_and_a_report_section(folders, tmp_path):
    import shutil

    from catchup.analysis.discovery import DISCOVERY_TABLES, discover, merged_discovery
    from catchup.results.folder import ResultFolder

    grid = Path(shutil.copytree(folders["grid"], tmp_path / "grid"))
    assert "discovery" not in available_kinds(grid)
    folder = ResultFolder.open(grid)
    middle = float(folder.table("runs")["final_relative_capability"].median())
    found = discover(folder, "final_relative_capability", threshold=middle)
    for name, table in zip(DISCOVERY_TABLES, (found.peeling, found.boxes, found.features), strict=True):
        folder.add_table(name, merged_discovery(None, table))
    assert available_kinds(grid) == ["sweep", "window-map", "discovery"]
    assert draw(grid, "discovery")
    html = report(grid).read_text()
    assert "Scenario discovery: PRIM boxes" in html and found.boxes["parameter"].iloc[0] in html
