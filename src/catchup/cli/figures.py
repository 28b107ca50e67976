"""`catchup plot` and `catchup report`: figures and the HTML report of a result folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

import catchup.viz as viz
from catchup.cli.common import fail, handled, say, warn

ResultDir = Annotated[
    Path, typer.Argument(metavar="DIR", help="A result folder (run, sweep, attribution, case).")
]


def plot(
    folder: ResultDir,
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", help="A figure kind (repeatable): " + ", ".join(viz.figure_kinds()) + "."),
    ] = None,
    formats: Annotated[
        str, typer.Option("--format", help="Comma-separated: png (300 dpi), svg, pdf.")
    ] = "png,svg",
    with_: Annotated[
        list[Path] | None, typer.Option("--with", help="More run folders for --kind compare.")
    ] = None,
    x: Annotated[str | None, typer.Option("--x", help="Sweep heatmap: parameter on the x axis.")] = None,
    y: Annotated[str | None, typer.Option("--y", help="Sweep heatmap: parameter on the y axis.")] = None,
    outcome: Annotated[
        str,
        typer.Option("--outcome", help="Sweep/window-map outcome (a runs column, or catch_up_probability)."),
    ] = "catch_up_probability",
    fix: Annotated[
        list[str] | None,
        typer.Option("--fix", help="Sweep heatmap: keep only points with name=value (repeatable)."),
    ] = None,
    size: Annotated[
        str | None,
        typer.Option(
            "--size",
            help="A journal column, single (89 mm) or double (183 mm): <kind>-<size>.<format> "
            "at that exact width, and checked for overlapping labels.",
        ),
    ] = None,
) -> None:
    """Draw figures into DIR/figures/ (every figure the folder allows when no --kind is given)."""
    fixed = {}
    for item in fix or []:
        name, _, value = item.partition("=")
        try:
            fixed[name.strip()] = float(value)
        except ValueError:
            fail(f"--fix expects name=value with a number, got {item!r}")
    with handled():
        written = viz.draw(
            folder,
            kind,
            [f.strip() for f in formats.split(",") if f.strip()],
            others=with_ or [],
            x=x,
            y=y,
            outcome=outcome,
            fix=fixed,
            size=size,
            on_collision=lambda kind, problems: warn(
                f"{kind} at --size {size}: {len(problems)} overlapping label(s), e.g. {problems[0]}"
            ),
        )
    if not written:
        fail(f"{folder}: nothing to draw (no figure kind fits this folder)")
    for name, paths in written.items():
        say(f"{name}: " + ", ".join(str(p) for p in paths))


def report(folder: ResultDir) -> None:
    """Write DIR/report.html: one self-contained file with the setup, tables and figures."""
    with handled():
        path = viz.report(folder)
    say(f"report written to {path}")
