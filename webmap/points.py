"""Many points on one canvas: compact columns in the page, tooltips and popups built when asked for.

A Folium ``CircleMarker`` per venue writes a block of JavaScript per venue (1.1 MB for the demo
street's 590, 29 MB for a district). :class:`CanvasPoints` writes each column once, repeated
texts (categories, states, grids) as codes into a table of their values, and draws every point
on one Leaflet canvas. With ``min_zoom`` its layer is shown only from that zoom on, so a
district at low zoom shows its summary layer instead of a smear of dots.

Every text value must already be escaped with :func:`webmap.escaping.html_text`: it is put into
the tooltip and popup as HTML. The templates are ours (i18n words and markup).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from branca.element import MacroElement
from jinja2 import Template

COORD_DIGITS = 6  # 0.1 m: more than any venue register holds


def _json(value: object) -> str:
    r"""JSON for a script element: UTF-8 as is (a third of ``\uXXXX``), never a ``</`` that ends the script."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def _column(values: Sequence[object]) -> dict[str, list]:
    """A column as its values, or as codes into its distinct values when they repeat (categories, states)."""
    distinct = list(dict.fromkeys(values))
    if len(distinct) * 2 > len(values):
        return {"values": list(values)}
    index = {v: k for k, v in enumerate(distinct)}
    return {"values": distinct, "codes": [index[v] for v in values]}


class CanvasPoints(MacroElement):
    """Circle markers of one style drawn on a shared canvas inside their parent ``FeatureGroup``.

    Parameters
    ----------
    lat, lon
        WGS84 coordinates of each point.
    columns
        Escaped texts per point, by name; ``{name}`` in ``tooltip`` and ``popup`` is replaced by them.
    tooltip, popup
        HTML templates (``popup`` may be empty: no popup).
    style
        Leaflet path options (``radius``, ``color``, ``fillColor`` …).
    min_zoom
        Show the parent layer only from this zoom level on (``None``: always).
    """

    _template = Template("""{% macro script(this, kwargs) %}
(function () {
  var group = {{ this._parent.get_name() }}, map = {{ this._parent._parent.get_name() }};
  var lat = {{ this.lat_json }}, lon = {{ this.lon_json }}, cols = {{ this.columns_json }};
  var tooltip = {{ this.tooltip_json }}, popup = {{ this.popup_json }}, style = {{ this.style_json }};
  var renderer = window.patrolCanvas || (window.patrolCanvas = L.canvas({padding: 0.5}));
  function fill(text, i) {
    return text.replace(/\\{(\\w+)\\}/g, function (_, k) {
      var c = cols[k]; return c.codes ? c.values[c.codes[i]] : c.values[i];
    });
  }
  function marker(i) {
    var m = L.circleMarker([lat[i], lon[i]], Object.assign({renderer: renderer}, style));
    m.bindTooltip(function () { return fill(tooltip, i); });
    if (popup) { m.bindPopup(function () { return fill(popup, i); }, {maxWidth: 260}); }
    return m;
  }
  {% if this.min_zoom is none %}
  for (var i = 0; i < lat.length; i++) { group.addLayer(marker(i)); }
  {% else %}
  // The markers live in an inner layer that the group holds only from min_zoom on: the layer list's
  // tick stays the user's, and a district at low zoom never builds or draws them.
  var inner = null;
  function follow() {
    var detail = map.getZoom() >= {{ this.min_zoom }};
    if (detail && inner === null) {
      inner = L.featureGroup();
      for (var i = 0; i < lat.length; i++) { inner.addLayer(marker(i)); }
    }
    if (detail && !group.hasLayer(inner)) { group.addLayer(inner); }
    if (!detail && inner !== null && group.hasLayer(inner)) { group.removeLayer(inner); }
  }
  map.on("zoomend", follow);
  map.whenReady(follow);
  {% endif %}
})();
{% endmacro %}""")

    def __init__(self, lat: Sequence[float], lon: Sequence[float], *, columns: Mapping[str, Sequence[str]],
                 tooltip: str, popup: str = "", style: Mapping[str, object], min_zoom: int | None = None) -> None:
        super().__init__()
        self._name = "CanvasPoints"
        self.count = len(lat)
        self.columns = {k: list(v) for k, v in columns.items()}
        self.lat_json = _json([round(float(v), COORD_DIGITS) for v in lat])
        self.lon_json = _json([round(float(v), COORD_DIGITS) for v in lon])
        self.columns_json = _json({k: _column(v) for k, v in self.columns.items()})
        self.tooltip_json, self.popup_json, self.style_json = _json(tooltip), _json(popup), _json(dict(style))
        self.min_zoom = min_zoom


class NumberedStops(MacroElement):
    """A route's stops as numbered round markers inside their parent ``FeatureGroup``, all in one script.

    A Folium ``Marker`` with a ``DivIcon`` per stop is two template renderings each (a district's
    3,000 stops: seconds to write and ~1 KB a stop); here the numbers, places and tooltips are
    three arrays and the page makes the markers. ``tooltips`` must already be escaped with
    :func:`webmap.escaping.html_text`; ``colour`` is ours.
    """

    _template = Template("""{% macro script(this, kwargs) %}
(function () {
  var group = {{ this._parent.get_name() }};
  var lat = {{ this.lat_json }}, lon = {{ this.lon_json }}, label = {{ this.labels_json }};
  var tooltip = {{ this.tooltips_json }}, look = {{ this.look_json }};
  for (var i = 0; i < lat.length; i++) {
    var icon = L.divIcon({html: look.replace("{n}", label[i]), className: "empty", iconSize: [20, 20],
                          iconAnchor: [10, 10]});
    L.marker([lat[i], lon[i]], {icon: icon}).bindTooltip(tooltip[i]).addTo(group);
  }
})();
{% endmacro %}""")

    def __init__(self, lat: Sequence[float], lon: Sequence[float], *, labels: Sequence[str], tooltips: Sequence[str],
                 colour: str) -> None:
        super().__init__()
        self._name = "NumberedStops"
        self.count = len(lat)
        self.labels, self.tooltips = list(labels), list(tooltips)
        self.lat_json = _json([round(float(v), COORD_DIGITS) for v in lat])
        self.lon_json = _json([round(float(v), COORD_DIGITS) for v in lon])
        self.labels_json, self.tooltips_json = _json(self.labels), _json(self.tooltips)
        self.look_json = _json(f'<div style="background:{colour};color:#fff;border-radius:50%;width:20px;height:20px;'
                               'text-align:center;font:bold 11px/20px sans-serif;border:1px solid #fff">{n}</div>')
