"""Reading and validating layers, coordinate systems, rules, risk and coverage."""

from ._table import Table as Table
from ._table import table_of as table_of
from .coverage import days_overdue as days_overdue
from .coverage import due_dates as due_dates
from .coverage import last_inspected as last_inspected
from .coverage import venue_states as venue_states
from .coverage import venue_status as venue_status
from .crs import local_utm as local_utm
from .errors import DataWarning as DataWarning
from .errors import InputError as InputError
from .errors import PatrolError as PatrolError
from .io import read_grids as read_grids
from .io import read_hazards as read_hazards
from .io import read_inspections as read_inspections
from .io import read_people as read_people
from .io import read_teams as read_teams
from .io import read_venues as read_venues
from .layers import Layers as Layers
from .layers import read_layers as read_layers
from .risk import base_risk as base_risk
from .risk import venue_risk as venue_risk
from .rules import Rules as Rules
