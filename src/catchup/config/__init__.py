"""The config layer: the file formats a user writes (scenarios, experiments, history files,
calibrated cases), validated with messages that name file, key and allowed values.

Reads TOML and CSV and knows the parameter table; runs nothing and reads no result folder.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submodules=["levers", "policy"],
    submod_attrs={
        "docking": ["DOCKING", "Docking", "docking_with_overrides", "load_docking"],
        "builtin": ["BUILTIN", "CASES", "EXPERIMENTS", "SCENARIOS", "builtin_names", "find", "short_name"],
        "case": [
            "Case",
            "base_case_file",
            "calibrated_cases",
            "keep_reason",
            "case_path",
            "load_case",
            "stale_reason",
            "write_calibrated",
        ],
        "experiment": ["Experiment", "load_experiment", "load_file"],
        "history": ["Target", "input_events", "load_history", "targets"],
        "parameters": ["ParametersSpec", "check_parameters", "markdown_table", "parse_assignments"],
        "scenario": ["Scenario", "load_scenario", "parse_scenario", "with_overrides"],
        "toml": ["read_toml"],
    },
)
