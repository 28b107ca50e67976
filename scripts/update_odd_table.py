"""Rewrite the parameter table in docs/ODD.md from the parameter table (make docs)."""

from pathlib import Path

from catchup.config.parameters import markdown_table

START, END = "<!-- parameters:start -->\n", "<!-- parameters:end -->"
odd = Path(__file__).parents[1] / "docs" / "ODD.md"
text = odd.read_text()
head, rest = text.split(START, 1)
_, tail = rest.split(END, 1)
odd.write_text(head + START + markdown_table() + END + tail)
print(f"updated the parameter table in {odd}")
