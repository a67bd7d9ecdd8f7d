"""The exception family: every error we raise on purpose names the file, the row and the field."""

from __future__ import annotations


class PatrolError(Exception):
    """Base class of every error we raise on purpose."""


class InputError(PatrolError, ValueError):
    """Bad input: names the file the user gave, the row (Excel numbering) or feature, and the field.

    Parameters
    ----------
    problem
        What is wrong, starting with the field name and its value, and what would be right.
    file
        The name the user gave (``Path.name`` or the upload's filename).
    row
        The row as Excel/WPS shows it (header is row 1) or the 1-based feature number.
    field
        The column, or the TOML path for a rules file.
    unit
        ``"row"`` for tables, ``"feature"`` for GIS layers.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str,
        row: int | None = None,
        field: str | None = None,
        unit: str = "row",
    ) -> None:
        self.problem, self.file, self.row, self.field, self.unit = problem, file, row, field, unit
        self.more: list[InputError] = []
        super().__init__(f"{file if row is None else f'{file} {unit} {row}'}: {problem}")

    def full_message(self) -> str:
        """The first problem, then every other problem found in the same file, one per line."""
        lines = [str(self)]
        if self.more:
            lines.append(f"({len(self.more)} more problem(s) in the same input:)")
            lines.extend(f"  {e}" for e in self.more)
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of the web API's 400 answer."""
        return {
            "error": "input_error",
            "message": str(self),
            "file": self.file,
            "row": self.row,
            "field": self.field,
            "more": [str(e) for e in self.more],
        }


class DataWarning(UserWarning):
    """Something the user should see that does not stop the run (e.g. a venue outside every grid)."""


def raise_collected(problems: list[InputError]) -> None:
    """Raise the first of ``problems`` with the rest in ``.more``; do nothing when empty."""
    if problems:
        first = problems[0]
        first.more = problems[1:]
        raise first
