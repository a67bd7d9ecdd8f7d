"""Travel times, the horizon (which day), the daily OR-Tools model."""

from .contract import summary as summary
from .model import DayPlan as DayPlan
from .model import Plan as Plan
from .model import Problem as Problem
from .model import Vehicle as Vehicle
from .model import Visit as Visit
from .params import PlanParams as PlanParams
from .params import SolveParams as SolveParams
from .plan import build_problem as build_problem
from .plan import plan_days as plan_days
from .roster import form_teams as form_teams
from .roster import plan_with_people as plan_with_people
from .tables import routes_frame as routes_frame
from .tables import stops_table as stops_table
from .tables import unassigned_table as unassigned_table
