"""The exception family: every error we raise on purpose names the file, the row and the field."""

from __future__ import annotations

from .i18n import N_
from .i18n import gettext as _

#: Where a problem is, by the unit of the file's numbering (a table's row, a layer's feature, a YAML list's item).
_AT = {
    None: N_("%(file)s: %(problem)s"),
    "row": N_("%(file)s row %(row)s: %(problem)s"),
    "feature": N_("%(file)s feature %(row)s: %(problem)s"),
    "item": N_("%(file)s item %(row)s: %(problem)s"),
}


class PatrolError(Exception):
    """Base class of every error we raise on purpose."""


class TooLargeToPlan(PatrolError):
    """One day's routing problem would need more memory than this machine (or the plan's ceiling) has."""


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
        ``"row"`` for tables, ``"feature"`` for GIS layers, ``"item"`` for a YAML list.

    The message is made in the language in force where the error is raised (the CLI's for the run,
    the web request's): ``problem`` comes translated, and the frame around it is translated here.
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
        where = _AT[None] if row is None else _AT.get(unit, _AT["row"])
        super().__init__(_(where, file=file, row=row, problem=problem))

    def full_message(self) -> str:
        """The first problem, then every other problem found in the same file, one per line."""
        lines = [str(self)]
        if self.more:
            lines.append(_("(%(count)d more problem(s) in the same input:)", count=len(self.more)))
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
