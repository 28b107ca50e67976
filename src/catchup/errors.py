"""Every error a user can cause, under one base class.

Every error that comes from input (a scenario file, an experiment, a result folder, an
option) derives from `CatchupError`, and its message names the file, the key and what is
allowed. The command line maps exactly these to exit status 2; anything else (a KeyError
from a programming mistake) stays a traceback, so bugs are never disguised as bad input.
"""

from __future__ import annotations


class CatchupError(Exception):
    """Input that catchup cannot use; the message says where and what is allowed."""


class OutputError(CatchupError, OSError):
    """A file that cannot be written where the user asked (a folder in the way, no permission)."""


class ParameterError(CatchupError, ValueError):
    """A parameter name or value that the parameter table does not allow."""


class ScenarioError(CatchupError, ValueError):
    """A scenario file that cannot be used."""


class ExperimentError(ScenarioError):
    """An experiment file that cannot be used."""


class CalibrationError(ScenarioError):
    """A case that cannot be calibrated or validated."""


class ResultsError(CatchupError, ValueError):
    """A result folder that cannot be read or written as asked."""


class SweepError(CatchupError, RuntimeError):
    """A sweep folder that cannot be used as asked (exists, belongs to another design, ...)."""


class SchedulerError(CatchupError, RuntimeError):
    """A Dask scheduler that cannot be reached or started."""


class AnalysisError(CatchupError, ValueError):
    """Results that lack what an analysis needs."""


class FigureError(CatchupError, ValueError):
    """A figure or report that the results cannot give."""


class CatchupWarning(UserWarning):
    """Something a user should know about results that are still usable."""


class PartialResultsWarning(CatchupWarning):
    """Results read from a folder that holds fewer runs than planned (an interrupted sweep)."""


class InvalidRunsWarning(CatchupWarning):
    """Runs whose numbers left the valid range (marked `valid = false`), left out of a statistic."""
