"""`python -m catchup` is the same as the `catchup` command."""

from catchup.cli import app

if __name__ == "__main__":
    app(prog_name="catchup")
