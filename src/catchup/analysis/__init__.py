"""The analysis layer: reads results only (a result folder or a result in memory), as EMA
Workbench's analysis reads only experiments and outcomes. Comparisons with bootstrap
intervals, sensitivity indices, scenario discovery (PRIM), window attribution, counterfactuals and summaries.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "docking": [
            "DockingResult",
            "counterfactual_table",
            "docking_tables",
            "measure",
            "reference_cell",
            "statement_table",
        ],
        "attribution": ["attribution_table", "paired_table"],
        "policy": [
            "PAPER_MODES",
            "active_instruments",
            "context_row",
            "organisation_mode",
        ],
        "compare": ["compare", "labelled_runs", "summarise_group"],
        "discovery": [
            "DISCOVERY_TABLES",
            "Discovery",
            "discover",
            "ema_results",
            "merged_discovery",
            "save_ema",
        ],
        "counterfactuals": [
            "case_targets",
            "counterfactual_factors",
            "counterfactual_table",
            "counterfactuals",
        ],
        "sensitivity": [
            "SENSITIVITY_OUTCOMES",
            "is_sensitivity_design",
            "sensitivity",
            "sensitivity_indices",
        ],
        "statistics": ["bootstrap_interval", "paired_interval"],
        "tables": [
            "attribution_rows",
            "changed_parameters",
            "counterfactual_rows",
            "fit_rows",
            "readable_compare",
            "render_table",
            "sensitivity_rows",
            "TABLE_FORMATS",
        ],
        "summary": ["case_summary", "cycle_rows", "headline", "summary", "summary_rows", "window_rows"],
    },
)
