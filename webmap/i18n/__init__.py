"""One i18n mechanism: gettext catalogues in ``webmap/translations`` (zh_CN first, en), msgids in English.

Inside a request, Flask-Babel chooses the catalogue (``flask_babel.gettext`` / ``_`` in views and
templates). Outside one (the CLI, plan workers, maps, route sheets written to files)
``gis.i18n`` gives the same catalogue for a language. UI terms that code looks up by key
(map layers, sheet columns, states) are :data:`_WORDS`: the key is the msgctxt, because one English
word can need two Chinese ones ("Grid": 网格 or 网格编号).
"""

from __future__ import annotations

from typing import Mapping

from gis.i18n import LANGS as LANGS
from gis.i18n import translations
from gis.rules import Rules


def _term(context: str, message: str) -> tuple[str, str]:
    """Mark a term for ``pybabel extract -k _term:1c,2`` (the key is its context)."""
    return context, message


_WORDS: Mapping[str, tuple[str, str]] = {  # key → (context, English msgid): the Chinese is in the zh_CN catalogue
    'grids': _term('grids', 'Grids'),
    'basemap': _term('basemap', 'OpenStreetMap basemap'),
    'group.nine_small': _term('group.nine_small', 'Nine small places'),
    'group.many_in_one': _term('group.many_in_one', 'Many-in-one places'),
    'group.rental': _term('group.rental', 'Rental housing'),
    'group.high_risk': _term('group.high_risk', 'High-risk sites'),
    'group.other': _term('group.other', 'Other places'),
    'route': _term('route', 'Route'),
    'team': _term('team', 'Team'),
    'day': _term('day', 'Date'),
    'seq': _term('seq', 'No.'),
    'arrive': _term('arrive', 'Arrive'),
    'depart': _term('depart', 'Leave'),
    'name': _term('name', 'Venue'),
    'address': _term('address', 'Address'),
    'category': _term('category', 'Category'),
    'reason': _term('reason', 'Why'),
    'checklist': _term('checklist', 'Checklist'),
    'campaign_checklist': _term('campaign_checklist', 'Campaign checklist'),
    'campaign_focus': _term('campaign_focus', 'Hazards in focus'),
    'outcome': _term('outcome', 'Outcome'),
    'outcome.done': _term('outcome.done', 'Done'),
    'outcome.closed_door': _term('outcome.closed_door', 'Closed door'),
    'outcome.refused': _term('outcome.refused', 'Refused'),
    'hazard_found': _term('hazard_found', 'Hazard found'),
    'notes': _term('notes', 'Notes'),
    'signature': _term('signature', 'Signatures'),
    'members': _term('members', 'Members'),
    'page': _term('page', 'page {}'),
    'returned_at': _term('returned_at', 'Returned at'),
    'scan_note': _term('scan_note', 'The QR codes open the result form (log in first)'),
    'colon': _term('colon', ': '),
    'shift': _term('shift', 'Shift'),
    'start_point': _term('start_point', 'Start point'),
    'mode': _term('mode', 'Travel'),
    'mode.walk': _term('mode.walk', 'On foot'),
    'mode.ebike': _term('mode.ebike', 'E-bike'),
    'reason.overdue': _term('reason.overdue', 'Overdue'),
    'reason.due': _term('reason.due', 'Due'),
    'reason.recheck': _term('reason.recheck', 'Re-check'),
    'reason.high_risk': _term('reason.high_risk', 'High risk'),
    'reason.optional': _term('reason.optional', 'Optional'),
    'unassigned.capacity': _term('unassigned.capacity', 'No capacity'),
    'unassigned.no_team_with_roles': _term('unassigned.no_team_with_roles', 'No team with the roles'),
    'unassigned.closed_at_shift_times': _term('unassigned.closed_at_shift_times', 'Closed at shift times'),
    'unassigned.unreachable': _term('unassigned.unreachable', 'Unreachable in a shift'),
    'sheets.title': _term('sheets.title', 'Joint patrol route sheet'),
    'map.title': _term('map.title', 'Patrol plan map'),
    'stops_count': _term('stops_count', 'stops'),
    'access_leg': _term('access_leg', 'walk off the street'),
    'km': _term('km', 'km'),
    'last_inspected': _term('last_inspected', 'Last inspected'),
    'never': _term('never', 'never'),
    'risk': _term('risk', 'Risk'),
    'grid': _term('grid', 'Grid'),
    'community': _term('community', 'Community'),
    'worker': _term('worker', 'Grid worker'),
    'unassigned': _term('unassigned', 'Not planned'),
    'office_return': _term('office_return', 'Back to the office for the break'),
    'route_map': _term('route_map', 'Route sketch'),
    'scan': _term('scan', 'Scan to record'),
    'hotspot.layer': _term('hotspot.layer', 'Hazard hotspots (Gi*)'),
    'hotspot.heat': _term('hotspot.heat', 'Hazard heatmap'),
    'hotspot.legend': _term('hotspot.legend', 'Hazard hotspots (weighted by severity)'),
    'hotspot.hot': _term('hotspot.hot', 'Hot spot: hazards cluster here'),
    'hotspot.near_hot': _term('hotspot.near_hot', 'Next to a hot spot (few of its own)'),
    'hotspot.cold': _term('hotspot.cold', 'Cold spot: markedly few hazards'),
    'hotspot.near_cold': _term('hotspot.near_cold', 'Next to a cold spot'),
    'hotspot.none': _term('hotspot.none', 'Not significant'),
    'hotspot.short.hot': _term('hotspot.short.hot', 'Hot spot'),
    'hotspot.short.near_hot': _term('hotspot.short.near_hot', 'Next to hot'),
    'hotspot.short.cold': _term('hotspot.short.cold', 'Cold spot'),
    'hotspot.short.near_cold': _term('hotspot.short.near_cold', 'Next to cold'),
    'hotspot.short.none': _term('hotspot.short.none', '—'),
    'hotspot.col.grid_id': _term('hotspot.col.grid_id', 'Grid'),
    'hotspot.col.name': _term('hotspot.col.name', 'Name'),
    'hotspot.col.hazards_general': _term('hotspot.col.hazards_general', 'General'),
    'hotspot.col.hazards_major': _term('hotspot.col.hazards_major', 'Major'),
    'hotspot.col.z': _term('hotspot.col.z', 'Gi* z'),
    'hotspot.col.confidence': _term('hotspot.col.confidence', 'Conf. %'),
    'hotspot.col.label': _term('hotspot.col.label', 'Finding'),
    'hotspot.heat_scale': _term('hotspot.heat_scale', 'Heatmap: blue few → red many'),
    'hotspot.note': _term('hotspot.note',
                          "{hazards} hazards; a major one counts 3. Hot (cold) spot = Gi* confidence ≥ 90 % and the "
                          "grid's own count markedly high (low)."),
    'hotspot.table': _term('hotspot.table', 'Hot and cold spots and the grids next to them, hottest first'),
    'gaps.note': _term('gaps.note', "As of {on}; covered = inspected within its category's interval"),
    'gaps.table': _term('gaps.table', 'Gap ranking, least covered first'),
    'labels': _term('labels', 'Grid labels'),
    'table.none': _term('table.none', 'None'),
    'gaps.layer': _term('gaps.layer', 'Covered within interval'),
    'gaps.legend': _term('gaps.legend', 'Share of venues inspected in time'),
    'gaps.never': _term('gaps.never', 'Never inspected'),
    'gaps.col.gap_rank': _term('gaps.col.gap_rank', 'Rank'),
    'gaps.col.grid_id': _term('gaps.col.grid_id', 'Grid'),
    'gaps.col.name': _term('gaps.col.name', 'Name'),
    'gaps.col.venues': _term('gaps.col.venues', 'Venues'),
    'gaps.col.covered_share': _term('gaps.col.covered_share', 'Covered'),
    'gaps.col.never_inspected': _term('gaps.col.never_inspected', 'Never inspected'),
    'gaps.col.overdue': _term('gaps.col.overdue', 'Overdue'),
    'gaps.col.unreachable': _term('gaps.col.unreachable', 'Out of reach'),
    'gaps.unreachable': _term('gaps.unreachable', 'Unreachable in a shift'),
    'gaps.col.grid': _term('gaps.col.grid', 'Grid'),
    'gaps.col.done_this_month': _term('gaps.col.done_this_month', 'Done (month)'),
    'gaps.col.no_visit_this_month': _term('gaps.col.no_visit_this_month', 'No visit this month'),
    'state.major_hazard': _term('state.major_hazard', 'Open major hazard'),
    'state.open_hazard': _term('state.open_hazard', 'Open hazard'),
    'state.overdue': _term('state.overdue', 'Overdue'),
    'state.due': _term('state.due', 'Due within a week'),
    'state.ok': _term('state.ok', 'Inspected in time'),
    'history': _term('history', 'History'),
    'venue_summary': _term('venue_summary', 'Venues per grid (zoom in for each venue)'),
    'venue_summary.venues': _term('venue_summary.venues', 'Venues'),
    'venue_summary.attention': _term('venue_summary.attention', 'Need attention (hazard or overdue)'),
    'plan_summary': _term('plan_summary', 'The plan per grid (zoom in for each venue)'),
    'plan_summary.planned': _term('plan_summary.planned', 'Stops planned'),
    'plan_summary.unplanned': _term('plan_summary.unplanned', 'Must visits left unplanned'),
    'login.failed': _term('login.failed', 'Wrong user name or password'),
    'login.disabled': _term('login.disabled',
                            'This account is disabled and cannot log in: ask a coordinator to enable it'),
    'login.locked': _term('login.locked',
                          'Too many wrong passwords: try again in {minutes} min (or ask a coordinator to reset it)'),
    'status.found': _term('status.found', 'found'),
    'status.reported': _term('status.reported', 'reported'),
    'status.rectifying': _term('status.rectifying', 'rectifying'),
    'status.feedback': _term('status.feedback', 'awaiting re-check'),
    'status.closed': _term('status.closed', 'closed'),
    'action.found': _term('action.found', 'found'),
    'action.supervise': _term('action.supervise', 'supervised'),
    'action.report': _term('action.report', 'reported'),
    'action.rectify': _term('action.rectify', 'rectification (five in place)'),
    'action.feedback': _term('action.feedback', 'feedback'),
    'action.close': _term('action.close', 're-checked, closed'),
    'action.import': _term('action.import', 'imported'),
    'detail.file': _term('detail.file', 'File'),
    'detail.row': _term('detail.row', 'Row'),
    'detail.reason': _term('detail.reason', 'Reason'),
    'detail.recheck_on': _term('detail.recheck_on', 'Re-checked on'),
    'detail.notes': _term('detail.notes', 'Notes'),
    'detail.type': _term('detail.type', 'Type'),
    'detail.severity': _term('detail.severity', 'Severity'),
    'detail.description': _term('detail.description', 'Description'),
    'detail.measure': _term('detail.measure', 'Measure'),
    'detail.responsible_unit': _term('detail.responsible_unit', 'Responsible unit'),
    'detail.responsible_person': _term('detail.responsible_person', 'Responsible person'),
    'detail.deadline': _term('detail.deadline', 'Deadline'),
    'detail.standard': _term('detail.standard', 'Standard'),
    'detail.venue_id': _term('detail.venue_id', 'Venue'),
    'detail.found_on': _term('detail.found_on', 'Found on'),
    'detail.closed_on': _term('detail.closed_on', 'Closed on'),
    'detail.status': _term('detail.status', 'Status'),
    'reason.major_hazard': _term('reason.major_hazard', 'major hazard: supervised'),
    'severity.general': _term('severity.general', 'general'),
    'severity.major': _term('severity.major', 'major'),
    'plan.queued': _term('plan.queued', 'queued'),
    'plan.running': _term('plan.running', 'running'),
    'plan.done': _term('plan.done', 'done'),
    'plan.failed': _term('plan.failed', 'failed'),
    'role.coordinator': _term('role.coordinator', 'coordinator'),
    'role.patrol': _term('role.patrol', 'patrol'),
    'role.viewer': _term('role.viewer', 'viewer'),
    'kind.grids': _term('kind.grids', 'grids'),
    'kind.venues': _term('kind.venues', 'venues'),
    'kind.teams': _term('kind.teams', 'teams'),
    'kind.hazards': _term('kind.hazards', 'hazards'),
    'kind.inspections': _term('kind.inspections', 'inspections'),
    'kind.roads': _term('kind.roads', 'roads'),
    'csrf.failed': _term('csrf.failed',
                         "The form has expired, or the browser did not keep this site's session: reload the "
                         "page and submit again."),
    'csrf.plain_http': _term('csrf.plain_http',
                             'This site is reached over plain http:// but session cookies go over HTTPS only: set up '
                             'HTTPS, or start it with PATROL_INSECURE_COOKIES=1 on a trusted network.'),
    'password.changed': _term('password.changed', 'Password changed'),
    'role.grid_worker': _term('role.grid_worker', 'Grid worker'),
    'role.property': _term('role.property', 'Property staff'),
    'role.volunteer': _term('role.volunteer', 'Volunteer'),
    'role.safety_officer': _term('role.safety_officer', 'Safety officer'),
    'notify.sent': _term('notify.sent', 'sent'),
    'notify.failed': _term('notify.failed', 'failed'),
    'notify.sending': _term('notify.sending', 'sending'),
    'notify.remind': _term('notify.remind', 'deadline reminder'),
    'notify.yellow': _term('notify.yellow', 'yellow card'),
    'notify.red': _term('notify.red', 'red card (supervised)'),
    'notify.major_new': _term('notify.major_new', 'new major hazard'),
    'notify.interval_soon': _term('notify.interval_soon', 'venues about to fall due'),
    'notify.no_visit': _term('notify.no_visit', 'grid not visited this week'),
    'notify.plan_failed': _term('notify.plan_failed', 'plan failed'),
}


def t(key: str, lang: str = "zh") -> str:
    """The term for ``key`` in ``lang`` (zh-CN when the language is unknown; the key itself when the key is)."""
    entry = _WORDS.get(key)
    if entry is None:
        return key
    return translations(lang).upgettext(*entry)


def word(kind: str, code: str, lang: str = "zh") -> str:
    """The label of a code of one kind (status, action, severity, outcome, role, plan, kind); the code when unknown."""
    key = f"{kind}.{code}"
    return t(key, lang) if key in _WORDS else code


def category_label(rules: Rules, code: str, lang: str = "zh") -> str:
    cat = rules.categories.get(code)
    if cat is None:
        return code
    return cat.label_en if lang == "en" else cat.label_zh


def hazard_label(rules: Rules, code: str, lang: str = "zh") -> str:
    ht = rules.hazard_types.get(code)
    if ht is None:
        return code
    return ht.label_en if lang == "en" else ht.label_zh
