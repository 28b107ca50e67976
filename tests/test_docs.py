"""Docs derive from the parameter table: the ODD's table must be the generated one."""

from __future__ import annotations

from catchup.config.parameters import markdown_table
from catchup.model.parameters import PARAMETERS
from tests.conftest import ROOT

ODD = ROOT / "docs" / "ODD.md"


def test_odd_parameter_table_is_generated_from_the_code():
    text = ODD.read_text()
    start = text.index("<!-- parameters:start -->\n") + len("<!-- parameters:start -->\n")
    end = text.index("<!-- parameters:end -->")
    assert text[start:end].strip() == markdown_table().strip(), "regenerate with `catchup params --markdown`"


def test_odd_mentions_every_parameter_outside_the_table_too():
    text = ODD.read_text()
    body = text[: text.index("<!-- parameters:start -->")]
    missing = [p.name for p in PARAMETERS if f"`{p.name}`" not in body]
    assert not missing, f"parameters never explained in the ODD's submodels: {missing}"
