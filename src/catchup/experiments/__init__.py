"""The experiments layer: where runs happen. Runs of a scenario, sweeps of an experiment,
calibration and validation of a case, window attribution and case replication, all on one
executor (serial, a local pool or Dask), all through the one `simulate` kernel, all written
through the results layer.
"""

import lazy_loader as lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submodules=["policy", "policy_points"],
    submod_attrs={
        "docking": ["DockingRuns", "dock"],
        "attribution": ["CLOSURES", "AttributionResult", "attribute", "close_window"],
        "calibration": [
            "RESULTS",
            "CalibrationResult",
            "calibrate",
            "calibration_seeds",
            "validate",
            "validation_seeds",
        ],
        "cases": ["replicate"],
        "executors": ["Executor", "borrowed", "executor"],
        "fit": ["evaluate", "fit_table", "measure", "measure_tables", "objective"],
        "runs": ["RunResult", "run", "run_seed", "with_seeds"],
        "seizure": ["seizure", "seizure_summary", "source_closed"],
        "sweep": ["SweepProgress", "sweep"],
    },
)
