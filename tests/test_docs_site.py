"""The documentation site: it builds offline with warnings as errors, its reference names every
parameter, measure, command and public function, and a built page loads nothing from a network."""

from __future__ import annotations

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
from catchup.model.parameters import PARAMETERS
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site built from a copy of docs/ (the build writes its generated pages beside the
    sources: the checkout stays clean)."""
    tmp = tmp_path_factory.mktemp("docs")
    source = Path(shutil.copytree(ROOT / "docs", tmp / "docs", ignore=shutil.ignore_patterns("_build")))
    out = tmp / "html"
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(source), str(out)],
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
