"""Bootstrap intervals (scipy) for every statistic catchup reports: one confidence level,
one number of resamples, a fixed resampling seed so tables are reproducible."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import stats

CONFIDENCE = 0.95
N_RESAMPLES = 2000
Statistic = Callable[..., np.ndarray]


def median(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.median(x, axis=axis)


def mean(x: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(x, axis=axis)


def percentile_bootstrap(
    samples: tuple[np.ndarray, ...], statistic: Statistic, seed: int
) -> tuple[float, float]:
    """scipy's percentile bootstrap with this module's resamples and confidence level."""
    res = stats.bootstrap(
        samples,
        statistic,
        n_resamples=N_RESAMPLES,
        confidence_level=CONFIDENCE,
        method="percentile",
        vectorized=True,
        rng=np.random.default_rng(seed),
    )
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def bootstrap_interval(
    values: np.ndarray, statistic: Statistic = np.mean, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap interval of a statistic; NaN if too few values."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if len(values) < 2:
        return float("nan"), float("nan")
    if np.all(values == values[0]):
        return float(values[0]), float(values[0])
    return percentile_bootstrap((values,), statistic, seed)


def stat_interval(
    values: np.ndarray, statistic: Statistic, reference: np.ndarray | None = None, seed: int = 0
) -> tuple[float, float]:
    """Bootstrap interval of a statistic, or of its difference from a reference sample."""
    if reference is None:
        return bootstrap_interval(values, statistic, seed)
    if np.all(values == values[0]) and np.all(reference == reference[0]):
        d = float(values[0] - reference[0])
        return d, d
    return percentile_bootstrap(
        (values, reference), lambda a, b, axis=-1: statistic(a, axis=axis) - statistic(b, axis=axis), seed
    )


def paired_interval(given: np.ndarray, variant: np.ndarray, seed: int = 0) -> tuple[float, float, float]:
    """Mean of (given - variant) over paired runs with a percentile bootstrap interval."""
    diff = np.asarray(given, float) - np.asarray(variant, float)
    low, high = bootstrap_interval(diff, np.mean, seed)
    return float(diff.mean()), low, high
