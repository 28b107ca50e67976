"""`catchup plot` and `catchup report` on small result folders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import catchup
from catchup.analysis import attribute
from catchup.experiment import load_experiment
from catchup.report import ReportError, available_kinds, draw, report
from catchup.sweep import sweep

SHORT = Path(__file__).parent / "data" / "short.toml"


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("folders")
    scenario = catchup.with_overrides(catchup.load_scenario(SHORT), {}, seeds=3)
    run_dir = catchup.write_results(catchup.run(scenario), tmp / "run")
    other = catchup.write_results(
        catchup.run(catchup.with_overrides(scenario, {"niche_market_size": 0.0})), tmp / "other"
    )
    attribute(scenario).to_csv(run_dir / "attribution.csv", index=False)
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
        "other": other,
        "grid": sweep(load_experiment(grid), tmp / "grid", jobs=2),
        "sample": sweep(load_experiment(sample), tmp / "sample"),
        "empty": tmp,
    }


def test_each_folder_allows_the_figures_its_contents_support(folders):
    assert available_kinds(folders["run"]) == ["trajectories", "attribution"]
    assert available_kinds(folders["run"], [folders["other"]]) == ["trajectories", "compare", "attribution"]
    assert available_kinds(folders["grid"]) == ["sweep", "window-map"]
    assert available_kinds(folders["sample"]) == ["sweep", "sensitivity"]


@pytest.mark.parametrize(
    "folder, kinds",
    [
        ("run", ["trajectories", "compare", "attribution"]),
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


def test_sweep_heatmap_options(folders):
    draw(
        folders["grid"],
        ["sweep"],
        ("png",),
        x="publicness",
        y="procurement_support",
        fix={"standardization": 0.2},
    )
    with pytest.raises(ReportError, match=r"not a swept parameter.*allowed: niche_market_size"):
        draw(folders["grid"], ["sweep"], ("png",), x="mission")
    with pytest.raises(ReportError, match="no point has that value"):
        draw(folders["grid"], ["sweep"], ("png",), fix={"standardization": 0.5})


@pytest.mark.parametrize(
    "folder, kind, message",
    [
        ("run", "sweep", "needs a sweep folder"),
        ("run", "window-map", "window_map.toml"),
        ("run", "compare", "--with"),
        ("grid", "sensitivity", "sobol or morris"),
        ("grid", "trajectories", "trajectories.parquet"),
        ("grid", "attribution", "catchup attribute"),
        ("run", "pie", "unknown figure kind"),
    ],
)
def test_a_folder_lacking_what_a_kind_needs_gets_a_clear_message(folders, folder, kind, message):
    with pytest.raises(ReportError, match=re.escape(message)):
        draw(folders[folder], [kind])


def test_not_a_result_folder(folders):
    with pytest.raises(ReportError, match=r"manifest\.json"):
        draw(folders["empty"])


@pytest.mark.parametrize("folder", ["run", "grid"])
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
    assert "Parameters as resolved" in text and "patent_barrier" in text
