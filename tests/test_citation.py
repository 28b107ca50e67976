"""Citable software: the citation file, the changelog and the package name one version, the one
every result folder's manifest records."""

from __future__ import annotations

import re

import yaml

import catchup
from tests.conftest import ROOT

REQUIRED = {"cff-version", "message", "title", "type", "authors", "version", "date-released", "license"}


def test_the_citation_file_the_changelog_and_the_package_give_one_version():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert set(citation) >= REQUIRED, REQUIRED - set(citation)
    assert citation["version"] == catchup.__version__
    top = re.search(r"^## (\S+) \((\d{4}-\d{2}-\d{2})\)$", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert top is not None, "CHANGELOG.md: no '## VERSION (YYYY-MM-DD)' entry"
    assert top.group(1) == catchup.__version__ and top.group(2) == str(citation["date-released"])


def test_every_cited_reference_is_complete():
    for reference in yaml.safe_load((ROOT / "CITATION.cff").read_text())["references"]:
        assert reference["title"] and reference["authors"] and reference["year"] >= 1900
        assert "doi" not in reference or re.fullmatch(r"10\.\d{4,9}/\S+", str(reference["doi"]))


def test_a_result_records_the_version_it_was_made_with(baseline_small, tmp_path):
    folder = baseline_small.save(tmp_path / "run")
    assert catchup.open_results(folder.path).manifest.versions["catchup"] == catchup.__version__
