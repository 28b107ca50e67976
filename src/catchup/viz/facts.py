"""Dated historical facts drawn on a time axis: a share with its range, an outcome's year
range; calibration facts filled, validation facts (never seen by a search) open or hatched."""

from __future__ import annotations

from matplotlib.axes import Axes

from catchup.config.history import Target


def dated_share(ax: Axes, target: Target, colour: str = "#000000") -> None:
    """A dated share fact: its value and the range the sources allow (bar); a calibration fact
    filled, a validation fact (never seen by a search) open."""
    validation = target.use == "validate"
    ax.errorbar(
        target.year,
        target.value,
        yerr=[[target.value - target.low], [target.high - target.value]],
        fmt="D",
        color=colour,
        markerfacecolor="white" if validation else colour,
        markersize=4.5,
        capsize=3,
        gid="validation" if validation else "history",
    )


def _event_name(measure: str) -> str:
    if measure.startswith("mission_year"):
        return "milestone " + (measure.rsplit("_", 1)[-1] if measure != "mission_year" else "1")
    return measure.replace("_year", "").replace("_", " ")


def dated_event(ax: Axes, target: Target, label_height: float) -> None:
    """A dated outcome: the year range the sources allow, shaded (hatched for a validation
    fact) and labelled."""
    validation = target.use == "validate"
    ax.axvspan(
        target.low,
        target.high,
        facecolor="none" if validation else "#000000",
        edgecolor="#000000",
        hatch="////" if validation else None,
        alpha=0.35 if validation else 0.12,
        linewidth=0,
        gid="validation" if validation else "history",
    )
    ax.annotate(
        _event_name(target.measure),
        ((target.low + target.high) / 2, label_height),
        xycoords=("data", "axes fraction"),
        xytext=(0, 0),
        textcoords="offset points",
        ha="center",
        va="top",
        fontsize=7,
        arrowprops={"arrowstyle": "-", "linewidth": 0.4, "shrinkA": 0, "shrinkB": 0, "color": "#555555"},
        gid="fact-label",  # moved apart from its neighbours once the panel is laid out (viz.style)
    )
