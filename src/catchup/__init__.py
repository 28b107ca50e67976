"""catchup: an agent-based simulator of technological catch-up by latecomer firms.

The Python API mirrors the command line:

    import catchup
    scenario = catchup.load_scenario("scenarios/baseline.toml")
    result = catchup.run(scenario, seeds=8, jobs=2)
    result.runs, result.trajectories, result.windows  # pandas DataFrames
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("catchup")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

from catchup.model import CatchUpModel, DatedEvent
from catchup.params import PARAMETERS
from catchup.run import RunResult, run, summary, write_results
from catchup.scenario import Scenario, ScenarioError, load_scenario, with_overrides

__all__ = [
    "PARAMETERS",
    "CatchUpModel",
    "DatedEvent",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "__version__",
    "load_scenario",
    "run",
    "summary",
    "with_overrides",
    "write_results",
]
