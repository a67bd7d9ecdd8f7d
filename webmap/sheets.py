"""Printable route sheets (路线单): one section per team and day, in Chinese first."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import geopandas as gpd
import jinja2
import markupsafe
import pandas as pd

from gis.i18n import gettext as _
from gis.rules import ROLES, Rules, members_by_role
from gis.timeparse import format_hhmm
from planner.tables import access_legs

from .i18n import category_label, hazard_label, t
from .qrcodes import qr_data_uris
from .sketch import LEG_COLOURS, route_sketch_svg

_TEMPLATES = Path(__file__).resolve().parent / "templates"
log = logging.getLogger(__name__)
DEFAULT_BASE_URL = "http://localhost:5000"
_FONT_FAMILY = "Patrol Sans SC"  # made by data/make_font.py; OFL, see static/fonts/OFL.txt
_FONT_FILES = {weight: Path(__file__).resolve().parent / "static" / "fonts" / f"PatrolSansSC-{name}.otf"
               for weight, name in (("normal", "Regular"), ("bold", "Bold"))}


def start_text(team: pd.Series) -> str:
    """Where the team sets out: its name when the teams file gives one, and the coordinates."""
    where = f"{team.geometry.x:.5f}, {team.geometry.y:.5f}"
    name = str(team.get("start_name", "") or "").strip()
    return f"{name}（{where}）" if name else where


def result_url(base_url: str, day: str, team_id: str, venue_id: str) -> str:
    """The web app's result form of one stop (what the QR code on the sheet opens)."""
    return f"{base_url.rstrip('/')}/stops/{day}/{team_id}/{venue_id}"


def _recheck_detail(hazards: pd.DataFrame | None, venue_id: str, rules: Rules, lang: str) -> str:
    """Which open hazards a re-check visit is for: "H0012 消防通道堵塞"."""
    if hazards is None or hazards.empty:
        return ""
    mine = hazards[(hazards["venue_id"] == venue_id) & (hazards["status"] != "closed")]
    return "；".join(f"{hid} {hazard_label(rules, kind, lang)}" for hid, kind in zip(mine.index, mine["type"]))


def _sketch(part: pd.DataFrame, team: pd.Series, grids: gpd.GeoDataFrame | None, title: str,
            line=None, roads: gpd.GeoDataFrame | None = None, access=(), lang: str = "zh") -> str:
    """The team-day's route sketch.

    Along its route line when it follows roads (access legs dashed), else straight between stops.
    """
    office = (team.geometry.x, team.geometry.y)
    if line is not None:
        legs = [list(line.coords)]
    else:
        legs = [[office, *zip(shift["lon"], shift["lat"]), office] for _, shift in part.groupby("shift", sort=True)]
    stops = list(zip(part["seq"], part["lon"], part["lat"]))
    return route_sketch_svg(legs, stops, office, grids=grids, roads=roads, title=title, access=access,
                            access_label=t("access_leg", lang))


def crew(team: pd.Series, lang: str) -> list[tuple[str, str]]:
    """(role label, names) per role of the team, in the usual order 网格员 · 物业 · 志愿者 · 安全员.

    Names come from the team's ``members`` ("网格员 孙军、物业 程敏斌"); a role without a name
    gets an empty name, for the team to write in.
    """
    named = members_by_role(str(team.get("members", "") or ""))
    roles = [r for r in ROLES if r in team["roles"] or any(role == r for role, _ in named)]
    return [(t("role." + r, lang), "、".join(name for role, name in named if role == r)) for r in roles]


def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=True)


def sheet_sections(
    stops: pd.DataFrame,
    *,
    teams: gpd.GeoDataFrame | Mapping[str, gpd.GeoDataFrame],
    venues: gpd.GeoDataFrame,
    rules: Rules,
    lang: str = "zh",
    grids: gpd.GeoDataFrame | None = None,
    hazards: pd.DataFrame | None = None,
    base_url: str | None = None,
    routes: gpd.GeoDataFrame | None = None,
    roads: gpd.GeoDataFrame | None = None,
) -> list[dict]:
    """The content of each team-day sheet: header facts, a route sketch and the ordered stops.

    ``teams`` are the plan's teams, or each day's teams by ISO day (teams formed from a roster).

    Each stop carries its checklist, why it is on the list (with the hazard ids of a re-check)
    and a QR code of its result form in the web app at ``base_url`` (default
    ``$PUBLIC_URL``, the older ``$PATROL_BASE_URL``, or http://localhost:5000).
    """
    base_url = base_url or os.environ.get("PUBLIC_URL") or os.environ.get("PATROL_BASE_URL") or DEFAULT_BASE_URL
    lines, access = {}, {}
    if routes is not None and roads is not None:
        drawn = routes[routes["kind"] == "route"]
        lines = {(d, t): g for d, t, g in zip(drawn["day"], drawn["team_id"], drawn.geometry)}
        access = access_legs(routes)
    urls = [result_url(base_url, day, team_id, venue_id)
            for day, team_id, venue_id in zip(stops["day"], stops["team_id"], stops["venue_id"])]
    qr = dict(zip(urls, qr_data_uris(urls)))
    sections = []
    for (day, team_id), part in stops.groupby(["day", "team_id"], sort=True):
        team = (teams[day] if isinstance(teams, Mapping) else teams).loc[team_id]
        part = part.sort_values("seq")
        rows, prev_shift = [], None
        for row in part.itertuples():
            venue, url = venues.loc[row.venue_id], result_url(base_url, day, team_id, row.venue_id)
            rows.append({
                "seq": row.seq, "arrive": row.arrive, "depart": row.depart, "name": row.name,
                "venue_id": row.venue_id, "address": venue.get("address", ""),
                "category": category_label(rules, row.category, lang),
                "reason": t("reason." + row.reason, lang),
                "reason_detail": _recheck_detail(hazards, row.venue_id, rules, lang) if row.reason == "recheck" else "",
                "url": url,
                "qr": qr[url],
                "checklist": [hazard_label(rules, h.code,
                                           lang) for h in rules.checklist(row.category) if h.code != "other"],
                **_campaign_rows(rules, row.category, str(venue.get("grid_id", "")), pd.Timestamp(day).date(), lang),
                "new_shift": prev_shift is not None and row.shift != prev_shift,
            })
            prev_shift = row.shift
        sections.append({
            "day": day, "team_id": team_id, "team_name": team["name"],
            "members": team.get("members", "") or "",
            "crew": crew(team, lang),
            "shifts": ("，" if lang == "zh" else ", ").join(f"{format_hhmm(a)}-{format_hhmm(b)}"
                                                           for a, b in team["shifts"]),
            "mode": t("mode." + team["mode"], lang),
            "start": start_text(team),
            "stops": rows,
            "form_url": result_url(base_url, day, team_id, "…"),
            "sketch": _sketch(part, team, grids, f"{team['name']} {day}", lines.get((day, team_id)), roads,
                              access.get((day, team_id), ()), lang),
            "sketch_legend": [] if (day, team_id) in lines else [
                (LEG_COLOURS[k % len(LEG_COLOURS)],
                 f"{format_hhmm(team['shifts'][shift][0])}-{format_hhmm(team['shifts'][shift][1])}")
                for k, shift in enumerate(sorted(part["shift"].unique())) if shift < len(team["shifts"])],
        })
    return sections


def _campaign_rows(rules: Rules, category: str, grid_id: str, day: dt.date, lang: str) -> dict[str, list[str]]:
    """A stop's campaign (专项排查) lines: the campaigns' check items, and the hazard types they focus on."""
    return {"campaign": rules.campaign_items(category, grid_id, day),
            "focus": [hazard_label(rules, code, lang) for code in rules.campaign_focus(category, grid_id, day)]}


def sheets_html(stops: pd.DataFrame, *, lang: str = "zh", **options) -> str:
    """A4 printable HTML of every team-day route sheet; ``options`` as for :func:`sheet_sections`."""
    sections = sheet_sections(stops, lang=lang, **options)
    words = {k: t(k, lang) for k in (
        "sheets.title", "team", "day", "seq", "arrive", "depart", "name", "address", "category", "reason",
        "checklist", "campaign_checklist", "campaign_focus", "outcome", "outcome.done", "outcome.closed_door",
        "outcome.refused", "hazard_found",
        "notes", "signature", "members", "shift", "start_point", "mode", "office_return", "route_map", "scan",
        "page", "returned_at", "colon", "scan_note")}
    return _env().get_template("sheets.html").render(sections=sections, w=words, lang=lang)


def team_sheets_html(html: str, team_id: str) -> str | None:
    """The sheets of one team cut out of a plan's sheets.html (its head and end kept), or None when it has none.

    What the plan wrote already holds each sheet's route sketch and QR codes: a team's page need not
    make them again.
    """
    from .sheets_parallel import split_sheets

    head, sheets, tail = split_sheets(html)
    mine = re.compile(rf'<section class="sheet" id="sheet-{re.escape(str(markupsafe.escape(team_id)))}-'
                      r'\d{4}-\d{2}-\d{2}"')
    own = [sheet for sheet in sheets if mine.match(sheet)]
    return head + "".join(own) + tail if own else None


def pdf_available() -> bool:
    """Whether WeasyPrint (and the Pango it needs) can be loaded here."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def chinese_font_missing() -> str | None:
    """Why a PDF would print Chinese as boxes here, in one line (with the package that helps), or None.

    The sheets carry their own font (Patrol Sans SC, a GB 2312 subset of Noto Sans CJK SC); only when
    those files were removed does it come down to the fonts installed on the machine.
    """
    if all(path.is_file() for path in _FONT_FILES.values()):
        return None
    import shutil
    import subprocess

    if shutil.which("fc-list"):
        found = subprocess.run(["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True, check=False).stdout
        if found.strip():
            return None
    return _("no Chinese font: sheets.pdf would print boxes, so only sheets.html was written (install one: "
             "apt-get install fonts-noto-cjk)")


def write_sheets_pdf(html: str, path: Path, *, progress: Callable[[float, str], None] | None = None) -> bool:
    """Write ``path`` (sheets.pdf) when WeasyPrint and a Chinese font are here; else log why in one line."""
    if not pdf_available():
        log.warning(_("sheets.pdf not written: WeasyPrint or the Pango it needs is missing "
                      "(pip install weasyprint; apt-get install libpango-1.0-0)"))
        return False
    if (missing := chinese_font_missing()) is not None:
        log.warning(missing)
        return False
    path.write_bytes(sheets_pdf(html, progress=progress))
    return True


def sheets_pdf(html: str, *, progress: Callable[[float, str], None] | None = None, workers: int | None = None) -> bytes:
    """Render the sheets' HTML to an A4 PDF with WeasyPrint.

    Chinese is set in Noto Sans CJK SC where installed, else in the bundled Patrol Sans SC, so that a
    fresh machine prints glyphs, not boxes. Several sheets are laid out in parallel, one per process
    on up to ``workers`` processes (default: the cores here), and joined into the same document
    (:mod:`webmap.sheets_parallel`); ``workers=1`` renders in this process. ``progress(fraction,
    message)`` is told as each sheet is done, or follows WeasyPrint's own steps in one process.
    """
    from .sheets_parallel import parallel_pdf

    if workers != 1 and (joined := parallel_pdf(html, render_pdf, workers=workers, progress=progress)) is not None:
        return joined
    if progress is None:
        return render_pdf(html)
    handler = _PdfProgress(progress, pages=3 * max(1, html.count('<section class="sheet"')))
    steps = logging.getLogger("weasyprint.progress")
    level, propagate = steps.level, steps.propagate
    steps.addHandler(handler)
    steps.setLevel(logging.INFO)
    steps.propagate = False  # the steps are progress here, not log lines
    try:
        return render_pdf(html)
    finally:
        steps.removeHandler(handler)
        steps.setLevel(level)
        steps.propagate = propagate


def render_pdf(html: str) -> bytes:
    """One WeasyPrint rendering of ``html`` with the sheets' fonts."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    faces = "".join(
        f'@font-face {{ font-family: "{_FONT_FAMILY}"; font-weight: {weight}; src: url("{path.as_uri()}"); }}'
        for weight, path in _FONT_FILES.items() if path.is_file())
    document = weasyprint.HTML(string=html, base_url=str(_TEMPLATES))
    stylesheets = [weasyprint.CSS(string=faces, font_config=fonts)]
    return document.write_pdf(stylesheets=stylesheets, font_config=fonts)


class _PdfProgress(logging.Handler):
    """WeasyPrint's progress log lines ("Step 5 - Creating layout - Page 3", "Step 6 - Creating PDF") as fractions."""

    def __init__(self, progress: Callable[[float, str], None], *, pages: int) -> None:
        super().__init__()
        self.progress, self.pages = progress, pages

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        page = re.search(r"Page (\d+)", message)
        if page:
            self.progress(0.7 * min(1.0, int(page.group(1)) / self.pages),
                          _("laying out page %(page)s", page=page.group(1)))
        elif message.startswith("Step 6"):
            self.progress(0.7, _("writing the PDF"))
        elif message.startswith("Step 7"):
            self.progress(0.85, _("writing the PDF"))
