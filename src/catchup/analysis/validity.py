"""Which runs a statistic may use: those whose numbers stayed in the valid range.

Kept apart from the bootstrap statistics (scipy) so that a run's summary, printed at the end
of every `catchup run`, imports nothing heavy.
"""

from __future__ import annotations

import warnings

import pandas as pd

from catchup.errors import InvalidRunsWarning


def valid_runs(runs: pd.DataFrame, where: str = "", paired_by: str | None = None) -> pd.DataFrame:
    """The runs whose numbers stayed in the valid range; the others are left out with a warning
    that counts them and says why (never counted as "no catch-up"). With `paired_by`, a run id
    invalid in one variant is left out of every variant, so comparisons stay paired."""
    if "valid" not in runs or bool(runs["valid"].all()):
        return runs
    bad = ~runs["valid"].astype(bool)
    dropped = runs.loc[bad, paired_by].unique() if paired_by else None
    keep = ~runs[paired_by].isin(dropped) if paired_by else ~bad
    reason = str(runs.loc[bad, "problem"].iloc[0]) if "problem" in runs else "numbers out of range"
    warnings.warn(
        f"{where + ': ' if where else ''}{int(bad.sum())} of {len(runs)} runs left the valid numeric range "
        f"and are left out ({reason})",
        InvalidRunsWarning,
        stacklevel=2,
    )
    return runs.loc[keep].reset_index(drop=True)
