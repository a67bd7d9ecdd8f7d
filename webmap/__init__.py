"""Folium maps, route sheets, and (later) the Flask web app."""

from .maps import plan_map as plan_map
from .outputs import write_outputs as write_outputs
from .sheets import sheets_html as sheets_html
