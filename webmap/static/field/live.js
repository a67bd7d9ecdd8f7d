// The coordinator's live board: the teams' day from /api/v1/live (Server-Sent Events), and the re-plan button.
"use strict";
(function () {
  const S = JSON.parse(document.getElementById("live-strings").textContent);
  const $ = (id) => document.getElementById(id);
  const teams = new Map();
  const markers = new Map();
  let map = null;
  if (window.L) {  // Leaflet is vendored; tiles show only where OpenStreetMap is reachable
    map = L.map("live-map").setView([23.1, 113.3], 14);
    L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", { maxZoom: 19, attribution: "© OpenStreetMap" }).addTo(map);
  }

  // Each team's last position; red when a far check-in is flagged. Tooltips get a text node, never HTML.
  function placeTeams() {
    if (!map) return;
    const points = [];
    for (const t of teams.values()) {
      if (!t.last) continue;
      const at = [t.last.lat, t.last.lon];
      points.push(at);
      const colour = t.flags.far.length ? "#c62828" : "#1565c0";
      let marker = markers.get(t.team_id);
      if (!marker) {
        marker = L.circleMarker(at, { radius: 9 }).addTo(map);
        markers.set(t.team_id, marker);
      }
      marker.setLatLng(at).setStyle({ color: colour, fillColor: colour, fillOpacity: 0.7 });
      marker.bindTooltip(document.createTextNode(t.team_id + " " + t.name + " " + localTime(t.last.at)), { permanent: true });
    }
    if (points.length) map.fitBounds(points, { maxZoom: 16, padding: [30, 30] });
  }

  function el(tag, text, ...children) {
    const node = document.createElement(tag);
    if (text != null) node.textContent = text;
    node.append(...children);
    return node;
  }

  function localTime(iso) {
    return iso ? new Date(iso).toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit" }) : "";
  }

  function renderTeams() {
    const rows = [...teams.values()].sort((a, b) => a.team_id.localeCompare(b.team_id)).map((t) => {
      const tr = el("tr");
      tr.dataset.team = t.team_id;
      const flags = [];
      if (t.flags.far.length) flags.push(S.far + " " + t.flags.far.join(", "));
      if (t.flags.refused.length) flags.push(S.refused + " " + t.flags.refused.join(", "));
      if (t.flags.major) flags.push(S.major);
      const last = t.last ? t.last.lat.toFixed(5) + ", " + t.last.lon.toFixed(5) + " ±" + Math.round(t.last.accuracy_m || 0) + S.m + " " + localTime(t.last.at) : "";
      const cells = [t.team_id + " " + t.name, last, String(t.done), String(t.remaining), t.next || "", t.late.join(", "), flags.join("；")];
      cells.forEach((c, i) => { const td = el("td", c); if (i === 6) { td.className = flags.length ? "warn flags" : "flags"; } tr.append(td); });
      return tr;
    });
    $("teams").tBodies[0].replaceChildren(...rows);
    placeTeams();
    const drop = $("drop-teams");
    if (!drop.childElementCount) {
      for (const t of teams.values()) {
        const box = el("input");
        box.type = "checkbox";
        box.name = "drop";
        box.value = t.team_id;
        drop.append(el("label", null, box, " " + t.team_id + " " + S.drop));
      }
    }
  }

  function addEvent(kind, data) {
    let text;
    if (kind === "result") {
      text = localTime(data.at) + " " + data.team_id + " " + data.name + " · " + (S["outcome." + data.outcome] || data.outcome) +
        (data.distance_m != null ? " · " + Math.round(data.distance_m) + S.m : "") + (data.far ? " · " + S.far : "") +
        (data.major ? " · " + S.major : "");
    } else {
      text = localTime(data.event_at) + " " + data.team_id + " · " + S.replan + " (" + S.planned + " " + data.plan_id + "): " + (data.order || []).join(" → ");
    }
    const li = el("li", text);
    li.className = "event " + kind + (data.far ? " far" : "");
    $("events").prepend(li);
  }

  function listen() {
    const source = new EventSource("/api/v1/live");
    source.onopen = () => { $("stream-state").textContent = S.live; $("stream-state").dataset.state = "open"; };
    source.onerror = () => { $("stream-state").textContent = S.reconnecting; $("stream-state").dataset.state = "reconnecting"; };
    for (const kind of ["result", "replan"]) {
      source.addEventListener(kind, (e) => {
        const data = JSON.parse(e.data);
        if (data.team) teams.set(data.team.team_id, data.team);
        addEvent(kind, data);
        renderTeams();
      });
    }
  }

  $("replan-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const button = $("replan");
    button.disabled = true;
    $("replan-result").textContent = "…";
    const drop = Array.from(document.querySelectorAll("input[name=drop]:checked"), (i) => i.value);
    try {
      const response = await fetch("/api/v1/replan", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) },
        body: JSON.stringify({ at: $("replan-at").value, drop: drop }),
      });
      const answer = await response.json();
      const result = $("replan-result");
      if (response.ok) {
        result.textContent = S.planned + " " + answer.plan_id + ": " + Object.entries(answer.order).map(([t, o]) => t + " " + o.join(" → ")).join("；");
        result.dataset.plan = String(answer.plan_id);
      } else {
        result.textContent = S.error + ": " + answer.message;
      }
    } finally {
      button.disabled = false;
    }
  });

  fetch("/api/v1/live/state", { credentials: "same-origin" }).then((r) => r.json()).then((state) => {
    for (const t of state.teams) teams.set(t.team_id, t);
    renderTeams();
  }).finally(listen);
})();
