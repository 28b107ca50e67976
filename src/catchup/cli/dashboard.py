"""`catchup dashboard`: serve the interactive dashboard (`solara run catchup.dashboard.app`)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

import catchup.config as config
from catchup.cli.common import fail, say


def dashboard(
    host: Annotated[str, typer.Option("--host", help="Interface to serve on.")] = "localhost",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to serve on.")] = 8765,
    scenarios: Annotated[
        Path,
        typer.Option(
            "--scenarios", help="Folder of scenario files to pick from (default: the built-in ones)."
        ),
    ] = config.SCENARIOS,
) -> None:
    """Serve the interactive dashboard (Mesa SolaraViz) in the browser: `solara run` underneath."""
    if importlib.util.find_spec("solara") is None:
        fail("the dashboard needs the optional extra: pip install -e '.[dashboard]' (or `make dashboard`)")
    if not scenarios.is_dir():
        fail(f"--scenarios {scenarios}: no such folder (allowed: a folder of scenario TOML files)")
    if not any(scenarios.rglob("*.toml")):
        fail(f"--scenarios {scenarios}: no scenario files in it (allowed: a folder of scenario TOML files)")
    env = {**os.environ, "CATCHUP_SCENARIOS": str(scenarios.resolve())}
    command = [sys.executable, "-m", "solara", "run", "catchup.dashboard.app"]
    command += ["--host", host, "--port", str(port), "--production", "--no-open"]
    say(f"serving the catchup dashboard on http://{host}:{port}/ (Ctrl-C stops it)")
    try:
        raise typer.Exit(subprocess.call(command, env=env))
    except KeyboardInterrupt:
        raise typer.Exit(0) from None
