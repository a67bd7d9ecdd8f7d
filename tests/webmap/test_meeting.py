"""The meeting pages as a weekly/monthly/quarterly meeting uses them: review numbers, projector, PNG/PDF, maps."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

from ledger.review import covered_share, period_bounds
from web_helpers import TODAY, login

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"

ON = dt.date(2026, 11, 22)


def test_covered_means_inspected_within_the_interval_as_of_the_day():
    venues = pd.DataFrame({"venue_id": ["A", "B", "C", "D", "E"], "grid_id": ["G1", "G1", "G1", "G2", "G2"],
                           "category": ["shop", "shop", "shop", "site", "site"],
                           "last_inspected": [None, dt.date(2026, 11, 1), None, None, None]})
    ins = pd.DataFrame({"venue_id": ["A", "C", "C", "D", "E"],
                        "date": [dt.date(2026, 11, 12), dt.date(2026, 9, 1), dt.date(2026, 11, 30),
                                 dt.date(2026, 11, 20), dt.date(2026, 11, 21)],
                        "outcome": ["done", "done", "done", "done", "closed_door"]})
    share = covered_share(venues, ins, {"shop": 30, "site": 7}, ON, "grid_id")
    # A: 10 days ago (covered); B: its own last_inspected 21 days ago (covered); C: 82 days ago (the
    # visit after ON does not count yet); D: 2 days ago; E: a closed door is not an inspection
    assert share.to_dict() == {"G1": 2 / 3, "G2": 0.5}
    assert covered_share(venues, ins, {"shop": 30, "site": 7}, dt.date(2026, 12, 2),
                         "grid_id")["G1"] == 2 / 3  # A stays, B lapses (31 days), C counts


def test_periods_are_calendar_weeks_months_and_quarters():
    d = dt.date
    assert period_bounds("month", ON) == (d(2026, 11, 1), ON)  # this month to date
    assert period_bounds("month", ON, 1) == (d(2026, 10, 1), d(2026, 10, 31))
    assert period_bounds("month", d(2026, 3, 5), 3) == (d(2025, 12, 1), d(2025, 12, 31))  # across the new year
    assert period_bounds("quarter", ON) == (d(2026, 10, 1), ON)
    assert period_bounds("quarter", ON, 1) == (d(2026, 7, 1), d(2026, 9, 30))
    assert period_bounds("quarter", d(2026, 2, 1), 1) == (d(2025, 10, 1), d(2025, 12, 31))
    assert period_bounds("week", ON) == (d(2026, 11, 16), ON)  # ON is a Sunday: Monday 16th to date
    assert period_bounds("week", d(2026, 11, 23), 1) == (d(2026, 11, 16), d(2026, 11, 22))
    assert period_bounds("month", d(2026, 10, 15), to_date=False) == (d(2026, 10, 1), d(2026, 10, 31))


def test_the_meeting_can_step_back_to_last_month(client):
    login(client, "viewer")
    page = client.get("/review?period=month").get_data(as_text=True)
    assert "2026-11-01 – 2026-11-22" in page and "本期截至今日" in page
    back = re.search(r'href="([^"]+)" id="previous-period"', page).group(1).replace("&amp;", "&")
    october = client.get(f"/review{back}").get_data(as_text=True)
    assert "2026-10-01 – 2026-10-31" in october and "2026-09-01 – 2026-09-30" in october
    assert 'id="next-period"' in october and "本期截至今日" not in october
    visits = pd.read_csv(DEMO / "inspections.csv", dtype=str)
    in_october = visits[(visits["date"] >= "2026-10-01") & (visits["date"] <= "2026-10-31")]
    assert int(re.search(r'id="kpi-patrols">(\d+)<',
                         october).group(1)) == in_october.groupby(["team_id", "date"]).ngroups
    assert client.get("/review?period=month&on=yesterday").status_code == 400
    for period in ("week", "month", "quarter"):  # a trend back from year 1 would leave the calendar
        assert client.get(f"/review?period={period}&on=0001-01-01").status_code == 400
    forward = re.search(r'href="([^"]+)" id="next-period"', october).group(1).replace("&amp;", "&")
    assert "2026-11-01 – 2026-11-22" in client.get(f"/review{forward}").get_data(as_text=True)  # back to this month
    assert "2026-10-01 – 2026-10-31" in client.get("/review?period=month&on=2026-10-15").get_data(as_text=True)


def test_review_by_grid_lists_every_grid_with_its_name_and_coverage(client):
    login(client, "viewer")
    page = client.get("/review?period=week&by=grid").get_data(as_text=True)
    rows = re.findall(r"<tr><td>(G\d+)[^<]*</td>", page)
    assert len(rows) == 37  # quiet grids too: a grid with nothing this week or last is still a row
    g26 = re.search(r"<tr><td>G26 ([^<]+)</td>(.*?)</tr>", page, re.S)
    assert g26 and "南岸社区" in g26.group(1)
    assert g26.group(2).rstrip().endswith("<td>0%（0%）</td>")  # the planted blind spot: never inspected
    assert 'id="kpi-coverage"' in page


def test_joint_patrols_count_team_days_not_visits(client):
    login(client, "viewer")
    page = client.get("/review?period=month").get_data(as_text=True)
    visits = pd.read_csv(DEMO / "inspections.csv", dtype=str)
    window = visits[(visits["date"] >= "2026-11-01") & (visits["date"] <= TODAY.isoformat())]
    patrols = re.search(r'id="kpi-patrols">(\d+)<', page).group(1)
    assert int(patrols) == window.groupby(["team_id", "date"]).ngroups < len(window)
    assert page.count('<svg viewBox="0 0 640 220" class="trend"') == 2  # hazards, and patrols
    assert ">11-22</text>" in page and ">2026-11-22</text>" not in page
    quarterly = client.get("/review?period=quarter").get_data(as_text=True)  # two years of quarters: with the year
    assert ">2026-11-22</text>" in quarterly and re.search(r">2025-\d\d-\d\d</text>", quarterly)


def test_overdue_rectifications_are_counted_at_each_period_end(app, client):
    from ledger.models import Hazard, db

    with app.app_context():
        rows = [(h.found_on, h.deadline, h.closed_on) for h in db.session.scalars(db.select(Hazard))]

    def overdue(end: dt.date) -> int:  # open at the end of the day `end`, past the deadline
        return sum(1 for found, deadline, closed in rows
                   if found <= end and deadline is not None and deadline < end and (closed is None or closed > end))

    login(client, "viewer")
    page = client.get("/review?period=month").get_data(as_text=True)
    now, last = re.search(r'id="kpi-overdue">(\d+)</b>上期 (\d+)<', page).groups()
    assert (int(now), int(last)) == (overdue(TODAY), overdue(dt.date(2026, 10, 31)))
    assert int(last) > 0  # last month's backlog is not forgotten because it was closed since
    rate_last = re.search(r'id="kpi-rate">\d+%</b>上期 (\d+)%<', page).group(1)
    last_end = dt.date(2026, 10,
                       # October, the calendar month before; all hazards found by then, the share closed by then: not
                       # this month's new ones
                       31)
    known = [closed for found, _, closed in rows if found <= last_end]
    assert int(rate_last) == round(100 * sum(c is not None and c <= last_end for c in known) / len(known))


def test_projector_mode_has_no_chrome_but_a_way_back(client):
    login(client, "viewer")
    page = client.get("/review?period=month&projector=1").get_data(as_text=True)
    assert "<nav>" not in page and 'id="export-pdf"' not in page and 'id="projector"' not in page
    assert 'id="exit-projector"' in page and "font-size: 24px" in page
    for path in ("/hotspots", "/gaps"):
        assert 'id="projector"' in client.get(path).get_data(as_text=True)
        big = client.get(f"{path}?projector=1").get_data(as_text=True)
        assert "<nav>" not in big and 'id="exit-projector"' in big and "<iframe" in big


def test_review_exports_one_png_for_the_minutes(client):
    login(client, "viewer")
    page = client.get("/review?period=quarter&by=community").get_data(as_text=True)
    assert 'id="export-png"' in page and 'id="export-pdf"' in page
    response = client.get("/review?period=quarter&by=community&format=png")
    assert response.mimetype == "image/png"
    assert f"review-quarter-community-2026-10-01_{TODAY}.png" in response.headers["Content-Disposition"]
    image = Image.open(io.BytesIO(response.data)).convert("L")
    assert image.width > 1200 and 600 < image.height < image.width  # A4 landscape wide, trimmed below the last line
    ink = (np.asarray(image) < 128).mean()
    assert 0.01 < ink < 0.5  # text and lines were drawn, not a blank or black image
    by_grid = Image.open(io.BytesIO(client.get("/review?period=quarter&by=grid&format=png").data))
    # 37 grids: one long image, no page breaks
    assert by_grid.width == image.width and by_grid.height > 2 * image.height


def test_review_pdf_is_one_landscape_page_for_the_minutes(client, tmp_path):
    login(client, "viewer")
    pdf = tmp_path / "review.pdf"
    pdf.write_bytes(client.get("/review?period=quarter&by=community&format=pdf").data)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+1\n", info) and "841.89 x 595.276 pts (A4)" in info
