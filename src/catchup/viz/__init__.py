"""The viz layer: figures as a registry of kinds, the HTML report, case summaries.

Figures take a result folder or a result in memory alike, and are built on matplotlib's
`Figure` without pyplot, so importing or drawing never switches a notebook's backend.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submodules=["grids", "policy", "sizes", "style", "timelines"],
    submod_attrs={
        "docking": ["docking_figure", "docking_markdown"],
        "cases": ["fit_markdown", "summary_markdown", "write_summary"],
        "registry": [
            "FORMATS",
            "KINDS",
            "FigureKind",
            "available_kinds",
            "draw",
            "figure",
            "figure_kinds",
            "why_not",
        ],
        "report": ["render", "report"],
    },
)
