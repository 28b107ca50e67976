"""Sphinx configuration of catchup's documentation site (`make docs`).

Sphinx with MyST, as Mesa and EMA Workbench use: pages are Markdown, the references are generated
from the code (parameter table, command line, docstrings) when the site builds, never copied.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "_ext"))

import catchup  # noqa: E402

project = "catchup"
author = "The catchup developers"
release = version = catchup.__version__
extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.napoleon", "reference_tables", "case_pages"]
exclude_patterns = ["_build", "_ext", "**/tutorial-results", "**/.ipynb_checkpoints"]
# The tutorials run when the site builds (as Mesa's and EMA Workbench's do), on small seeds;
# `-D nb_execution_mode=off` renders them unexecuted (the tests run them with nbmake instead).
nb_execution_mode = "force"
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_merge_streams = True
myst_heading_anchors = 4
suppress_warnings = ["myst.header"]  # the ODD numbers its sections, some levels skip
smartquotes = False  # option names keep their two hyphens (--out, not –out)
html_theme = "furo"
html_title = f"catchup {release}"
autodoc_member_order = "bysource"
autodoc_typehints = "description"
