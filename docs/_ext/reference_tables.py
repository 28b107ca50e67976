"""Generated reference pages: the parameter table and the measure table, written when the site
builds, so the reference cannot drift from the code."""

from __future__ import annotations

import logging
from pathlib import Path

import typer
from sphinx.application import Sphinx

from catchup.analysis.measures import measures
from catchup.cli import app
from catchup.config.parameters import markdown_table
from catchup.config.schema import FILE_SCHEMAS, Key, file_keys, history_columns, history_metrics


def _escaped(text: str) -> str:
    """Help text as Markdown shows it: `<case>` is a placeholder, not an HTML tag."""
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def table(header: list[str], rows: list[list[object]]) -> str:
    """A Markdown table whose cells stay in their row (line breaks folded, pipes escaped) and show
    placeholders such as `<case>` as text: the one writer of the generated pages' tables."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_escaped(" ".join(str(c).split())) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def cli_markdown() -> str:
    """Every command of `catchup` with its help, arguments and options, from the command line
    itself (Typer's click command; sphinx-click does not read Typer's own click)."""
    group = typer.main.get_command(app)
    lines = []
    for name in sorted(group.commands):
        command = group.commands[name]
        lines += [f"## catchup {name}", "", _escaped(command.help or "").strip(), ""]
        rows = [
            [
                ", ".join(f"`{o}`" for o in getattr(p, "opts", []))
                if p.param_type_name == "option"
                else f"`{p.name.upper()}`",
                getattr(p, "help", None) or "",
            ]
            for p in command.params
        ]
        if rows:
            lines += [table(["argument or option", "what it does"], rows)]
    return "\n".join(lines)


def key_table(rows: list[Key], header: dict[str, str]) -> str:
    """Keys as a Markdown table: `header` maps a Key attribute to its column title."""
    cells = [[f"`{k.path}`", *(getattr(k, a) for a in list(header)[1:])] for k in rows]
    return table(list(header.values()), cells)


def output_columns() -> dict[str, list[str]]:
    """The columns of a run folder's tables, as a one-seed run of the baseline writes them (what
    is written, not a list kept by hand)."""
    import catchup

    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    result = catchup.run(catchup.load_scenario("baseline"), seeds=1)
    tables = {"runs": result.runs, "trajectories": result.trajectories, "windows": result.windows}
    return {name: [str(c) for c in table.columns] for name, table in tables.items()}


def _write(app_: Sphinx) -> None:
    out = Path(app_.srcdir) / "reference" / "_generated"
    out.mkdir(parents=True, exist_ok=True)
    (out / "parameters.md").write_text(markdown_table() + "\n")
    rows = [[f"`{m.name}`", m.label, m.unit, m.meaning] for m in measures().values()]
    (out / "measures.md").write_text(table(["measure", "reader's name", "unit", "meaning"], rows))
    (out / "cli.md").write_text(cli_markdown() + "\n")
    for name, columns in output_columns().items():
        (out / f"{name}-columns.md").write_text(", ".join(f"`{c}`" for c in columns) + "\n")
    columns = {"path": "key", "accepts": "accepts", "default": "default", "meaning": "meaning"}
    for kind in FILE_SCHEMAS:
        (out / f"{kind}-keys.md").write_text(key_table(file_keys(kind), columns))
    columns = {"path": "column", "default": "required", "meaning": "meaning"}
    (out / "history-columns.md").write_text(key_table(history_columns(), columns))
    columns = {"path": "fact", "accepts": "written in", "default": "use", "meaning": "meaning"}
    (out / "history-metrics.md").write_text(key_table(history_metrics(), columns))


def setup(app_: Sphinx) -> dict[str, bool]:
    app_.connect("builder-inited", _write)
    return {"parallel_read_safe": True}
