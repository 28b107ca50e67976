"""The documentation site: it builds offline with warnings as errors, its reference names every
parameter, file key, measure, command and public function, and the built site, opened from disk
in Chromium, requests nothing from a network."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer

import catchup
from catchup.analysis.measures import measures
from catchup.cli import app
from catchup.config.schema import FILE_SCHEMAS, file_keys, history_columns, history_metrics
from catchup.model.parameters import PARAMETERS
from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
SPHINX = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html"]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site built from a copy of docs/ (the build writes its generated pages beside the
    sources: the checkout stays clean). The tutorials are rendered unexecuted: their execution
    is tested on its own (nbmake, `make test`)."""
    tmp = tmp_path_factory.mktemp("docs")
    ignore = shutil.ignore_patterns("_build", "_generated", "tutorial-results", ".ipynb_checkpoints")
    source = Path(shutil.copytree(ROOT / "docs", tmp / "docs", ignore=ignore))
    # what the pages show from outside docs/: the curated figures, the changelog, the citation
    shutil.copytree(ROOT / "results" / "figures", tmp / "results" / "figures")
    for name in ("CHANGELOG.md", "CITATION.cff"):
        shutil.copy(ROOT / name, tmp / name)
    out = tmp / "html"
    done = subprocess.run(
        [*SPHINX, "-D", "nb_execution_mode=off", str(source), str(out)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return out


def test_the_reference_names_every_parameter_measure_command_and_function(site):
    parameters = (site / "reference" / "parameters.html").read_text()
    assert not [
        p.name
        for p in PARAMETERS
        if f'<code class="docutils literal notranslate"><span class="pre">{p.name}</span>' not in parameters
    ]
    measures_page = (site / "reference" / "measures.html").read_text()
    assert not [m for m in measures() if f">{m}<" not in measures_page]
    cli = (site / "reference" / "cli.html").read_text()
    commands = typer.main.get_command(app).commands
    assert not [c for c in commands if f"catchup {c}<" not in cli]
    for name, command in commands.items():  # every option of every command
        missing = [
            o for p in command.params for o in getattr(p, "opts", []) if o.startswith("--") and o not in cli
        ]
        assert not missing, (name, missing)
    api = (site / "reference" / "api.html").read_text()
    public = [n for n in catchup.__all__ if not n.startswith("_") and callable(getattr(catchup, n))]
    assert not [n for n in public if f'id="catchup.{n}"' not in api]


def test_a_built_page_loads_nothing_from_a_network(site):
    for page in site.rglob("*.html"):
        text = page.read_text()
        assert not re.search(r"""<(script|img|link)[^>]+(src|href)=["']https?://""", text), page
        assert "@import url(http" not in text


def test_the_file_reference_names_every_key_column_and_fact_with_a_meaning(site):
    page = (site / "reference" / "files.html").read_text()
    for kind in FILE_SCHEMAS:
        rows = file_keys(kind)
        assert not [k.path for k in rows if f">{k.path}<" not in page], kind
        assert not [k.path for k in rows if not k.meaning.strip()], f"{kind}: keys without a meaning"
    for row in history_columns() + history_metrics():
        assert f">{row.path}<" in page and row.meaning.strip(), row.path


@pytest.mark.slow
def test_the_built_site_opens_from_disk_in_chromium_with_no_network_request(site):
    playwright_api = pytest.importorskip("playwright.sync_api", reason="needs playwright")
    requests: list[str] = []
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        for name in ("index", "reference/files", "getting-started", "search"):
            page.goto((site / f"{name}.html").as_uri(), wait_until="load")
            assert "catchup" in page.title()
        page.goto((site / "search.html").as_uri() + "?q=patent_barrier", wait_until="load")
        page.locator("#search-results li").first.wait_for(timeout=20_000)  # the local search index
        assert page.locator("#search-results li").count() > 0
        browser.close()
    assert requests and not [u for u in requests if not u.startswith(("file:", "data:", "blob:"))]


def test_the_three_tutorials_are_in_the_site_and_kept_without_outputs():
    """make test executes them (nbmake); here: none is left out of the site, and none is stored
    with outputs that could show what an older version printed."""
    notebooks = sorted((ROOT / "docs" / "tutorials").glob("*.ipynb"))
    assert len(notebooks) == 3
    index = (ROOT / "docs" / "tutorials" / "index.md").read_text()
    for path in notebooks:
        assert f"\n{path.stem}\n" in index, f"{path.name} is not in the tutorials' toctree"
        cells = json.loads(path.read_text())["cells"]
        assert not [c for c in cells if c["cell_type"] == "code" and (c["outputs"] or c["execution_count"])]


def test_the_readme_is_a_landing_page_whose_links_resolve():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) < 150
    for target in re.findall(r"\]\(((?:docs|results)/[^)#]+)", readme):
        assert (ROOT / target).exists(), target
