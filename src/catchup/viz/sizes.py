"""Figures at the widths journals print them, and a check that nothing in a figure collides.

A figure drawn for the screen is resized to a journal column (`at_size`): fonts keep their
point sizes, so the text is as large in print as a journal asks; on a single column the
legends beside the panels move below them (beside, they would leave the panels no room), and
long titles are wrapped again. `collisions` lists every pair of texts, tick labels and legends
that overlap, and every one that leaves the figure: `catchup plot --size` prints them.
"""

from __future__ import annotations

import io
import itertools
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import matplotlib.patches
import matplotlib.text
import matplotlib.ticker
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from catchup.viz.style import (
    laid_out,
    panel_titles,
    place_event_labels,
    place_fact_labels,
    render_figure,
    save,
    styled,
)

MM = 1 / 25.4  # inches
# Column widths of Nature's formatting guide (single 89 mm, double 183 mm); Elsevier's 90 and
# 190 mm and Science's 5.7 and 18.3 cm are within a few millimetres of them.
SIZES = {"single": 89, "double": 183}
MAX_HEIGHT_MM = 230  # a full page's figure height, less the caption
NARROW_INCHES = 5.0  # below this, legends beside the panels leave them too little room
TOLERANCE_PX = 1.0  # rounding: a text this far past the figure's edge still counts as inside
GAP_PX = 2.0  # at 300 dpi (0.17 mm): texts closer than this read as one ("20002025")


def at_size(fig: Figure, size: str) -> Figure:
    """Resize the figure to a journal column's width (`SIZES`), height kept (within a page):
    on a single column, legends beside the panels move below them and titles are re-wrapped."""
    if size not in SIZES:
        raise ValueError(f"size {size!r}: one of {', '.join(SIZES)}")
    width = SIZES[size] * MM
    old_width, height = fig.get_size_inches()
    with styled():
        laid_out(fig)
        below = _legends_height(fig)  # a key already below the panels: part of the height now
    if width >= old_width:  # a wider column: keep the proportions
        height *= width / old_width
    fig.set_size_inches(width, min(height, MAX_HEIGHT_MM * MM))
    with styled():
        if width < NARROW_INCHES:
            _legends_below(fig)
            laid_out(fig)  # the panels keep their height: the figure grows by the legend's
            added = _legends_height(fig) - below
            fig.set_size_inches(width, min(fig.get_size_inches()[1] + added, MAX_HEIGHT_MM * MM))
        _rewrap_titles(fig, width)
        for ax in fig.axes:
            place_fact_labels(ax)
            place_event_labels(ax)
    return fig


def _legends_height(fig: Figure) -> float:
    """Inches the figure's own legends (below the panels) take, as last drawn."""
    return sum(lg.get_window_extent().height for lg in fig.legends) / fig.dpi


def _outside_right(legend: Any) -> bool:
    anchor = legend.get_bbox_to_anchor()
    axes = legend.axes
    return axes is not None and anchor.x0 >= axes.get_window_extent().x1 - TOLERANCE_PX


def _legends_below(fig: Figure) -> None:
    """Every legend beside a panel, and the figure's own legends, merged into one legend below
    the panels, in order (the dated-events key last, its title kept as an entry)."""
    handles: list[Any] = []
    labels: list[str] = []
    moved = []
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is not None and _outside_right(legend):
            moved.append(legend)
    moved += [lg for lg in fig.legends if lg.get_gid() != "event-key"]
    moved += [lg for lg in fig.legends if lg.get_gid() == "event-key"]
    if not moved:
        return
    for legend in moved:
        title = legend.get_title().get_text()
        if title:
            handles.append(matplotlib.patches.Patch(visible=False))
            labels.append(title + ":")
        for handle, text in zip(legend.legend_handles, legend.get_texts(), strict=False):
            if text.get_text() not in labels:
                handles.append(handle)
                labels.append(text.get_text())
        legend.remove()
    fig.legends = [lg for lg in fig.legends if lg not in moved]
    fontsize = min(lg.get_texts()[0].get_fontsize() for lg in moved if lg.get_texts())
    fig.legend(handles, labels, loc="outside lower center", ncols=1, fontsize=fontsize, handlelength=1.5)


def _rewrap(text: Any, length: float) -> None:
    """Wrap a text again to `length` inches (a title of a wide figure would run off a narrow one,
    a y label off a short panel)."""
    content = text.get_text()
    if content:
        chars = max(12, int(length * 72 / (0.6 * text.get_fontsize())))
        text.set_text(textwrap.fill(" ".join(content.split()), chars))


def _rewrap_titles(fig: Figure, width: float) -> None:
    """Titles and y labels wrapped to the room they have once the figure is laid out at its new
    size; tick labels as many as the axis length holds (the x axis of a time panel asked for
    every fourth year would crowd a narrow column)."""
    if fig._suptitle is not None:
        _rewrap(fig._suptitle, width)
    laid_out(fig)
    for ax in fig.axes:
        _rewrap(ax.yaxis.label, ax.get_window_extent().height / fig.dpi)
        if isinstance(ax.yaxis.get_major_locator(), matplotlib.ticker.FixedLocator) and any(
            t.get_text() and not t.get_text().lstrip("−-").replace(".", "").isdigit()
            for t in ax.get_yticklabels()
        ):
            # Names on a category axis (e.g. the window sources closed), wrapped to a third of
            # the width: unwrapped, the longest takes the panels' width.
            chars = max(10, int(width * 72 / 3 / (0.6 * 9)))
            names = [textwrap.fill(t.get_text(), chars) for t in ax.get_yticklabels()]
            ax.set_yticks(ax.get_yticks(), names)
    # A title wider than its panel takes width from it: the panels are measured without them.
    titles = [(t, t.get_text()) for ax in fig.axes for t in panel_titles(ax).values()]
    for title, _ in titles:
        title.set_text("")
    laid_out(fig)
    for title, text in titles:
        title.set_text(text)
        _rewrap(title, title.axes.get_window_extent().width / fig.dpi)
    for ax in fig.axes:
        _rewrap(ax.xaxis.label, ax.get_window_extent().width / fig.dpi)
        if isinstance(ax.xaxis.get_major_locator(), matplotlib.ticker.MaxNLocator):
            # A fixed number of ticks for the width: "auto" re-counts them after the layout made
            # room for the old ones, and a new last label can then stick out of the figure.
            labels = [t for t in ax.xaxis.get_ticklabels() if t.get_text()]
            size = max((t.get_fontsize() for t in labels), default=9)
            chars = max((len(t.get_text()) for t in labels), default=4)
            room = ax.get_window_extent().width / fig.dpi * 72 / ((0.6 * chars + 1.5) * size)
            low, high = sorted(ax.get_xlim())
            ax.xaxis.set_major_locator(
                matplotlib.ticker.MaxNLocator(nbins=max(2, int(room)), integer=high - low > 10)
            )


def _boxes(fig: Figure, renderer: Any) -> list[tuple[str, Bbox]]:
    """Every piece of text a reader sees, and every legend, with its box on the canvas."""
    found: list[tuple[str, Bbox]] = []

    def add(name: str, artist: Any) -> None:
        if artist is None or not artist.get_visible() or not getattr(artist, "get_text", lambda: "x")():
            return
        if isinstance(artist, matplotlib.text.Text):  # the text (and its box), not an annotation's line
            patch = artist.get_bbox_patch()
            box = matplotlib.text.Text.get_window_extent(artist, renderer)
            found.append((name, Bbox.union([box, patch.get_window_extent(renderer)]) if patch else box))
        else:
            found.append((name, artist.get_window_extent(renderer)))

    for i, ax in enumerate(fig.axes):
        if not ax.get_visible():
            continue
        for axis, side in ((ax.xaxis, "x"), (ax.yaxis, "y")):
            add(f"axes {i} {side} label", axis.label)
            low, high = sorted(ax.get_xlim() if side == "x" else ax.get_ylim())
            for tick in axis.get_ticklabels(which="both"):  # those in view: the others are not drawn
                at = tick.get_position()[0 if side == "x" else 1]
                if low - 1e-9 * abs(high - low) <= at <= high + 1e-9 * abs(high - low):
                    add(f"axes {i} {side} tick {tick.get_text()!r}", tick)
        for title in panel_titles(ax).values():
            add(f"axes {i} title", title)
        for text in ax.texts:
            add(f"axes {i} text {text.get_text()[:20]!r}", text)
        if ax.get_legend() is not None:
            add(f"axes {i} legend", ax.get_legend())
    for j, legend in enumerate(fig.legends):
        add(f"figure legend {j}", legend)
    add("title", fig._suptitle)
    for text in fig.texts:
        if text is not fig._suptitle:
            add(f"figure text {text.get_text()[:20]!r}", text)
    return found


def collisions(fig: Figure) -> list[str]:
    """Pairs of texts or legends that overlap, and texts that leave the figure, drawn as saved."""
    canvas = FigureCanvasAgg(fig)
    seen: list[tuple[Bbox, list[tuple[str, Bbox]]]] = []

    def measure(event: Any) -> None:  # while the figure is drawn as saved, at 300 dpi
        renderer = event.renderer
        seen.append((Bbox.from_bounds(0, 0, renderer.width, renderer.height), _boxes(fig, renderer)))

    listening = canvas.mpl_connect("draw_event", measure)
    try:
        render_figure(fig, "png", io.BytesIO(), tight=False)
    finally:
        canvas.mpl_disconnect(listening)
    page, boxes = seen[-1]
    page = page.padded(TOLERANCE_PX)
    problems = [f"{name} leaves the figure" for name, box in boxes if not page.contains(box.x0, box.y0)
                or not page.contains(box.x1, box.y1)]  # fmt: skip
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        if box_a.padded(GAP_PX / 2).overlaps(box_b.padded(GAP_PX / 2)):
            problems.append(f"{a} overlaps {b}")
    return problems


def save_at(
    fig: Figure,
    folder: Path,
    name: str,
    size: str,
    formats: Sequence[str],
    on_collision: Callable[[str, list[str]], None] | None = None,
) -> list[Path]:
    """The figure at a journal column's width, checked for collisions (`on_collision` hears of
    any, with the figure's name), written as `<name>-<size>.<format>` at that exact size."""
    at_size(fig, size)
    problems = collisions(fig)
    if problems and on_collision is not None:
        on_collision(name, problems)
    return save(fig, folder, f"{name}-{size}", formats, tight=False)
