"""Reading any input file into a frame of text cells, and collecting problems row by row."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import geopandas as gpd
import pandas as pd

from .errors import InputError, raise_collected
from .i18n import gettext as _

TABLE_SUFFIXES = frozenset({".csv", ".txt", ".xlsx", ".xlsm", ".xls"})
GIS_SUFFIXES = frozenset({".geojson", ".json", ".gpkg", ".shp", ".zip", ".kml", ".fgb"})

#: Chinese (and common English) column headers seen in offices' ledgers → our field names.
HEADER_ALIASES = {
    "场所编号": "venue_id", "场所id": "venue_id", "编号": "venue_id", "id": "venue_id",
    "名称": "name", "场所名称": "name", "类别": "category", "场所类别": "category", "类型": "category",
    "地址": "address", "网格": "grid_id", "网格编号": "grid_id", "经度": "lon", "纬度": "lat",
    "longitude": "lon", "latitude": "lat", "lng": "lon", "x": "lon", "y": "lat",
    "last_inspe": "last_inspected",  # the name a Shapefile truncates it to (10 characters)
    "出发点": "start_name", "出发地点": "start_name", "集合点": "start_name",
    "营业开始": "open", "营业结束": "close", "上次检查": "last_inspected", "最近检查日期": "last_inspected",
    "风险": "risk", "电话": "phone", "坐标系": "crs", "社区": "community", "网格员": "worker",
    "队伍编号": "team_id", "角色": "roles", "班次": "shift", "出行方式": "mode", "责任网格": "home_grids",
    "隐患编号": "hazard_id", "隐患类型": "type", "发现日期": "found_on", "等级": "severity",
    "状态": "status", "整改期限": "deadline", "责任单位": "responsible_unit",
    "责任人": "responsible_person", "整改标准": "standard", "描述": "description",
    "整改措施": "measure", "销号日期": "closed_on",
    "日期": "date", "检查日期": "date", "结果": "outcome", "备注": "notes",
}


@dataclass(frozen=True)
class Table:
    """Rows already in memory (the database's), read as if they were the file ``name``.

    ``frame`` holds text cells ('' for empty), one column per field, in row order: row ``i`` is
    reported as row ``i + 2``, as in the CSV it would be. A GIS layer (``unit="feature"``) is a
    GeoDataFrame with its CRS. Readers take a ``Table`` wherever they take a path, so rows from
    the database go through exactly the validation a file does, without a file.
    """

    name: str
    frame: pd.DataFrame
    unit: str = "row"

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix


def table_of(name: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> Table:
    """A :class:`Table` of ``rows`` (values in ``columns`` order), each value as the text a file would hold."""
    cells = [[_cell_text(v) for v in row] for row in rows]
    return Table(name, pd.DataFrame(cells, columns=list(columns), dtype=object) if cells
                 else pd.DataFrame({c: pd.Series(dtype=object) for c in columns}))


def read_frame(path: Path | Table, *, header_aliases: dict[str, str] | None = None) -> tuple[pd.DataFrame, str]:
    """Read a table or a GIS layer; return the frame (text cells, '' for empty) and its row unit.

    GIS layers keep their ``geometry`` column (a GeoDataFrame) and count in 1-based features;
    tables count rows as Excel shows them (header is row 1). Cells are stripped of stray
    whitespace, empty rows at the end are dropped, and two columns that give the same field
    (``名称`` and ``name``, or one header twice) are one column when they agree, else an error.
    A :class:`Table` is returned as it is (its cells are text already).
    """
    if isinstance(path, Table):
        return path.frame.copy(deep=False), path.unit
    path = Path(path)
    if not path.exists():
        msg = _("file not found")
        raise InputError(msg, file=path.name)
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt"):
            cells, unit = _read_csv(path), "row"
        elif suffix in (".xlsx", ".xlsm", ".xls"):
            cells, unit = pd.read_excel(path, dtype=object, sheet_name=0, header=None), "row"
        elif suffix in GIS_SUFFIXES:
            frame = gpd.read_file(path, engine="pyogrio")
            unit = "feature"
        else:
            msg = _("file type %(suffix)s is not supported (use CSV, XLSX, GeoJSON, GeoPackage or Shapefile)",
                    suffix=suffix or _("(none)"))
            raise InputError(msg, file=path.name)
    except InputError:
        raise
    except UnicodeDecodeError as err:
        msg = _("is neither UTF-8 nor GBK text: save the CSV as 'CSV UTF-8' (Excel/WPS) and try again")
        raise InputError(msg, file=path.name) from err
    except Exception as err:  # pandas/pyogrio raise many types for unreadable files
        msg = _("could not be read: %(error)s", error=err)
        raise InputError(msg, file=path.name) from err
    aliases = HEADER_ALIASES | (header_aliases or {})
    if unit == "row":
        return _table(cells.map(_cell_text), path.name, aliases), unit
    frame = frame.rename(columns={col: field_name(col, aliases) for col in frame.columns if col != "geometry"})
    for col in frame.columns:
        if col != "geometry":
            frame[col] = frame[col].map(_cell_text)
    return frame.reset_index(drop=True), unit


def _table(cells: pd.DataFrame, file: str, aliases: dict[str, str]) -> pd.DataFrame:
    """Header row + body of text cells → a frame with one column per field (rows keep their Excel numbers)."""
    if cells.empty:
        msg = _("the file is empty: the first row should name the columns (e.g. venue_id,name,category,lon,lat)")
        raise InputError(msg, file=file)
    headers = [field_name(h, aliases) if h != "" else "" for h in cells.iloc[0]]
    body = cells.iloc[1:].reset_index(drop=True)
    filled = (body != "").any(axis=1).to_numpy()
    body = body.iloc[: int(filled.nonzero()[0].max()) + 1 if filled.any() else 0]  # Excel keeps empty rows at the end
    columns: dict[str, pd.Series] = {}
    problems: list[InputError] = []
    for k, name in enumerate(headers):
        values = body.iloc[:, k].reset_index(drop=True)
        if name == "":
            continue  # a column without a header holds nothing a reader asks for
        if name not in columns:
            columns[name] = values
            continue
        first = columns[name]
        both = (first != "") & (values != "")
        differ = (both & (first != values)).to_numpy().nonzero()[0]
        if len(differ):
            i = int(differ[0])
            msg = _("%(field)s: two columns give %(field)s (%(first)r and %(second)r) and differ here "
                    "(%(first_value)r and %(second_value)r): keep one of them",
                    field=name, first=cells.iat[0, headers.index(name)], second=cells.iat[0, k],
                    first_value=first.iat[i], second_value=values.iat[i])
            problems.append(InputError(msg, file=file, row=i + 2, field=name))
        columns[name] = first.where(first != "", values)
    raise_collected(problems)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(body)))


def field_name(header: object, aliases: dict[str, str] = HEADER_ALIASES) -> str:
    """Our field name for a column header or YAML key: its alias (经度 → lon), else the header in lower case."""
    key = str(header).lstrip("\ufeff").strip()
    return aliases.get(key, aliases.get(key.lower(), key.lower()))


def _read_csv(path: Path) -> pd.DataFrame:
    """All cells as text, the header too.

    UTF-8 (with or without BOM), else GB18030: Excel and WPS on Chinese Windows save plain "CSV (逗号分隔)" in the
    GBK code page, which GB18030 contains.

    Short rows are padded (Excel drops empty cells at the end); a row with more filled cells than
    the header has columns is an error naming the row.
    """
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")  # raises UnicodeDecodeError for text in neither
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return pd.DataFrame()
    width = len(rows[0])
    for k, row in enumerate(rows[1:], start=2):
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            msg = _("the row has %(cells)d cells but the header names %(columns)d columns "
                    "(a comma inside a value? put that value in double quotes)", cells=len(row), columns=width)
            raise InputError(msg, file=path.name, row=k)
    return pd.DataFrame([(row + [""] * width)[:width] for row in rows], dtype=object)


def _cell_text(value: object) -> str:
    if isinstance(value, str):  # most cells: first, as it is the quick answer
        return value.strip()
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.strftime("%Y-%m-%d") if value.time() == dt.time() else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


class Problems:
    """Collects every problem of one file so the user sees them all at once."""

    def __init__(self, file: str, unit: str) -> None:
        self.file, self.unit, self.items = file, unit, []

    def row_number(self, index: int) -> int:
        return index + 2 if self.unit == "row" else index + 1

    def add(self, index: int | None, field: str | None, problem: str) -> None:
        row = None if index is None else self.row_number(index)
        self.items.append(InputError(problem, file=self.file, row=row, field=field, unit=self.unit))

    def require_columns(self, frame: pd.DataFrame, columns: Iterable[str], *, hint: str = "") -> None:
        found = [c for c in frame.columns if c != "geometry"]
        for col in columns:
            if col not in frame.columns:
                msg = _("%(field)s: column '%(field)s' is missing (found: %(found)s)%(hint)s",
                        field=col, found=", ".join(found) or _("no columns"), hint=hint)
                self.items.append(InputError(msg, file=self.file, field=col))
        self.raise_if_any()

    def unique_ids(self, ids: pd.Series, field: str, *, hint: str = "") -> None:
        """Each id given and given once; ``hint`` follows the problem of one that appears again."""
        first_seen: dict[str, int] = {}
        for i, value in ids.items():
            if value == "":
                self.add(i, field, _("%(field)s is empty", field=field))
            elif value in first_seen:
                self.add(i, field, self.again(field, value, first_seen[value]) + hint)
            else:
                first_seen[value] = i

    def again(self, field: str, value: str, first: int) -> str:
        """The problem of an id that appears again, naming the row (or feature) where it appeared first."""
        row = self.row_number(first)
        if self.unit == "feature":
            return _("%(field)s %(value)r appears again (first at feature %(row)d)", field=field, value=value, row=row)
        return _("%(field)s %(value)r appears again (first at row %(row)d)", field=field, value=value, row=row)

    def raise_if_any(self) -> None:
        raise_collected(self.items)


_EXCEL_SERIAL = re.compile(r"^([2-7]\d{4})(?:\.0+)?$")  # 20000-79999: the years 1954-2118
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")


def parse_date(text: str) -> dt.date:
    """A calendar date in the forms offices use (2026-11-03, 2026/11/3, 2026年11月3日, Excel serial 46329).

    Raises
    ------
    ValueError
        When none of the forms fits.
    """
    text = re.sub(r"\s+", " ", str(text).strip())
    serial = _EXCEL_SERIAL.match(text)
    if serial:  # a date cell that lost its format: Excel counts days from 1899-12-30
        return _EXCEL_EPOCH + dt.timedelta(days=int(serial[1]))
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    msg = _("%(text)r is not a date YYYY-MM-DD", text=text)
    raise ValueError(msg)


def parse_float(text: str) -> float:
    value = float(str(text).strip())
    if value != value:  # NaN
        msg = "NaN"
        raise ValueError(msg)
    return value


def split_list(text: str) -> list[str]:
    """``"a;b, c；d"`` → ['a', 'b', 'c', 'd'] (semicolons, commas, Chinese punctuation, '|')."""
    return [p.strip() for p in re.split(r"[;,，；、|/]", str(text)) if p.strip()]
