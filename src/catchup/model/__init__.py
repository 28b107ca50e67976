"""The model layer: the parameter table, technology, market, policy, agents, the Mesa model,
window detection and run outcomes. numpy and Mesa only; nothing here reads files other
than the parameter table, and nothing imports from the layers above.

Names are loaded on first use (lazy_loader), so `import catchup.model` does not import Mesa.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "agents": ["ForeignIncumbent", "Government", "Latecomer", "ResearchInstitute"],
        "events": ["DatedEvent"],
        "model": ["CatchUpModel"],
        "outcomes": [
            "CYCLES",
            "TRAJECTORY_COLUMNS",
            "TRAJECTORY_TABLE_COLUMNS",
            "catch_up_cycle",
            "run_outcomes",
        ],
        "parameters": ["BY_NAME", "GROUPS", "PARAMETERS", "SETUP_ONLY", "Parameter", "defaults"],
        "simulate": ["simulate"],
        "windows": ["WINDOW_TYPES", "WindowRules", "detect_windows"],
    },
)
