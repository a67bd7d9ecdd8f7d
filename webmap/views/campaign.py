"""Campaigns (专项排查): the list with a form to declare one (coordinators), and each campaign's progress."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from gis.errors import InputError
from ledger.campaign_models import Campaign
from ledger.campaigns import all_campaigns, campaigns_on, declare_campaign, parse_day, progress
from ledger.results import NotAllowed

from ..context import get_or_404, today
from . import form_token, refuse, requires, save_form_once

bp = Blueprint("campaign", __name__)
bp.register_error_handler(NotAllowed, refuse)
READERS = ("coordinator", "viewer")


@bp.route("/campaigns", methods=["GET", "POST"])
@requires(*READERS)
def campaigns():
    rules = current_app.extensions["patrol"].rules
    error = None
    if request.method == "POST":
        form = request.form
        declared: list[Campaign] = []

        def declare() -> None:
            declared.append(declare_campaign(
                current_user, name=form.get("name", ""), start=parse_day(form.get("start", ""), field="start"),
                end=parse_day(form.get("end", ""), field="end"), categories=form.getlist("categories"),
                grids=form.get("grids", "").replace("，", ",").replace(";", ",").split(","),
                hazard_types=form.getlist("hazard_types"), checklist=form.get("checklist", ""), rules=rules))

        try:
            if not save_form_once(declare, file="campaign"):
                flash(_("This form was saved already: nothing was recorded twice"))
                return redirect(url_for("campaign.campaigns"))
            return redirect(url_for("campaign.campaign_page", campaign_id=declared[-1].id))
        except InputError as err:
            error = str(err)
    listed = [(c, progress(c, today())) for c in all_campaigns()]
    return render_template("campaign/list.html", listed=listed, rules=rules, error=error, once=form_token(),
                           form=request.form, today=today()), (400 if error else 200)


@bp.route("/campaigns/<int:campaign_id>")
@requires(*READERS)
def campaign_page(campaign_id: int):
    campaign = get_or_404(Campaign, campaign_id)
    return render_template("campaign/campaign.html", c=campaign, p=progress(campaign, today()),
                           rules=current_app.extensions["patrol"].rules, today=today())


def campaigns_in(day: dt.date, days: int) -> list[Campaign]:
    """The campaigns running on one of the ``days`` days from ``day`` (the plan pages name them)."""
    return campaigns_on(day, day + dt.timedelta(days=max(1, days) - 1))


@bp.app_context_processor
def _campaigns_in() -> dict[str, object]:
    return {"campaigns_in": campaigns_in}
