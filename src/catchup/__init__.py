"""catchup: an agent-based simulator of technological catch-up by latecomer firms.

The Python API covers the whole workflow; the command line is a thin layer over it::

    import catchup
    scenario = catchup.load_scenario("baseline")           # a built-in name or a path
    with catchup.executor(jobs=2) as ex:                    # workers kept across calls
        result = catchup.run(scenario, seeds=8, executor=ex)
        folder = catchup.sweep(catchup.load_experiment("patent_vs_niche"), "results/pvn", executor=ex)
    result.runs, result.trajectories, result.windows       # pandas DataFrames
    catchup.figure("trajectories", result)                  # a matplotlib Figure, from memory...
    results = catchup.open_results("results/pvn")          # ...or from a result folder
    catchup.compare([results])

Names are loaded on first use, so `import catchup` stays fast and imports neither Mesa nor
matplotlib until they are needed.
"""

from importlib.metadata import PackageNotFoundError, version

import lazy_loader as lazy

try:
    __version__ = version("catchup")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__getattr__, __dir__, _exports = lazy.attach(
    __name__,
    submodules=["analysis", "config", "experiments", "model", "results", "viz"],
    submod_attrs={
        "errors": [
            "AnalysisError",
            "CalibrationError",
            "CatchupError",
            "ExperimentError",
            "FigureError",
            "ParameterError",
            "ResultsError",
            "ScenarioError",
            "SweepError",
        ],
        "model": ["PARAMETERS", "CatchUpModel", "DatedEvent"],
        "config": [
            "Experiment",
            "Scenario",
            "load_case",
            "load_experiment",
            "load_scenario",
            "with_overrides",
        ],
        "results": ["ResultFolder", "open_results"],
        "experiments": [
            "RunResult",
            "attribute",
            "calibrate",
            "executor",
            "run",
            "run_seed",
            "seizure",
            "sweep",
            "validate",
        ],
        "analysis": ["attribution_table", "compare", "counterfactuals", "sensitivity", "summary"],
        "viz": ["draw", "figure", "figure_kinds", "report"],
    },
)
__all__ = [*_exports, "__version__"]
