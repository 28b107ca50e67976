"""The `catchup` command line: a thin layer over the Python API, one module per command group.

Commands import the layers as lazy packages (`import catchup.experiments as experiments`),
so `catchup --version` and `--help` load neither Mesa nor pandas nor matplotlib.
"""

from __future__ import annotations

from typing import Annotated

import typer

from catchup import __version__
from catchup.cli import analyse, cases, dashboard, docking, figures, policy, runs, sweeps
from catchup.cli.common import say

app = typer.Typer(
    help="catchup: simulate technological catch-up by latecomer firms and detect windows of opportunity.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        say(f"catchup {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """catchup: simulate technological catch-up by latecomer firms."""


for command in (runs.run, runs.check, runs.params, runs.scenarios):
    app.command(epilog=runs.PARAMETER_HELP if command is runs.run else None)(command)
app.command("summary")(runs.summarise)
app.command()(sweeps.sweep)
app.command()(analyse.compare)
app.command()(analyse.sensitivity)
app.command()(analyse.discover)
app.command()(analyse.export)
app.command(epilog=runs.PARAMETER_HELP)(sweeps.attribute)
app.command(epilog=runs.PARAMETER_HELP)(sweeps.seizure)
app.command()(figures.plot)
app.command()(figures.report)
app.command()(dashboard.dashboard)
app.command()(cases.calibrate)
app.command()(cases.validate)
app.command()(cases.cases)
app.command()(docking.dock)
app.command()(policy.policy)
app.command("policy-point")(policy.policy_point)
