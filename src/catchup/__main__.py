"""`python -m catchup` is the same as the `catchup` command."""

from catchup.cli import app

app(prog_name="catchup")
