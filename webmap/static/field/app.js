// The phone app: today's route (kept in IndexedDB for use offline), a stop's result, an outbox in IndexedDB that
// uploads when online.
// Vanilla JS, no build step, no eval, no inline handlers (the page's CSP allows only this file).
"use strict";
(function () {
  const body = document.body;
  const S = JSON.parse(document.getElementById("field-strings").textContent);
  const $ = (id) => document.getElementById(id);
  const TODAY_URL = body.dataset.todayUrl, RESULTS_URL = body.dataset.resultsUrl;
  const TODAY_KEY = "patrol-today:" + body.dataset.team;
  let today = null, current = null, checkin = null, hazards = [], signed = false, flushing = false;

  // ---- IndexedDB: the outbox (one record per result, keyed by its Idempotency-Key) and the kept day ----
  // The day (stops, grids, roads) is kept in the "days" store, keyed like the localStorage copy of older versions.
  function openDb() {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open("patrol-field", 2);
      req.onupgradeneeded = () => {
        const names = req.result.objectStoreNames;
        if (!names.contains("outbox")) req.result.createObjectStore("outbox", { keyPath: "key" });
        if (!names.contains("days")) req.result.createObjectStore("days", { keyPath: "key" });
      };
      req.onsuccess = () => {
        req.result.onversionchange = () => req.result.close();  // a newer app in another tab may upgrade it
        resolve(req.result);
      };
      req.onerror = () => reject(req.error);
    });
  }
  async function store(mode, work, name) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(name || "outbox", mode);
      const out = work(tx.objectStore(name || "outbox"));
      tx.oncomplete = () => resolve(out && "result" in out ? out.result : undefined);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }
  const keptDay = () => store("readonly", (s) => s.get(TODAY_KEY), "days").then((r) => (r ? r.day : null));
  const keepDay = (day) => store("readwrite", (s) => s.put({ key: TODAY_KEY, day: day, kept: new Date().toISOString() }), "days");
  // A day kept in localStorage by an older version of the app moves to IndexedDB once (unless a newer one is there).
  async function moveOldDay() {
    const old = localStorage.getItem(TODAY_KEY);
    if (old === null) return;
    try {
      if (!(await keptDay())) await keepDay(JSON.parse(old));
      localStorage.removeItem(TODAY_KEY);
    } catch (err) {
      // IndexedDB refused (private mode, full): the old copy stays where it is and is read from there
    }
  }
  const allItems = () => store("readonly", (s) => s.getAll());
  const putItem = (item) => store("readwrite", (s) => s.put(item));
  const dropItem = (key) => store("readwrite", (s) => s.delete(key));

  function newKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  }

  async function showPending() {
    const items = await allItems();
    const waiting = items.filter((i) => i.state === "pending").length;
    const failed = items.filter((i) => i.state === "failed");
    const el = $("pending");
    el.dataset.count = String(waiting);
    el.textContent = S["Waiting to upload"] + ": " + waiting + (failed.length ? " · " + S["Failed"] + ": " + failed.length : "");
    el.title = failed.map((i) => i.venue_id + ": " + i.error).join("\n");
    return items;
  }

  async function flush() {
    if (flushing || !navigator.onLine) return;
    flushing = true;
    let changed = false;
    try {
      for (const item of await allItems()) {
        if (item.state !== "pending") continue;
        let response;
        try {
          response = await fetch(RESULTS_URL, {
            method: "POST", credentials: "same-origin",
            headers: { "Content-Type": "application/json", "Idempotency-Key": item.key },
            body: JSON.stringify(item.body),
          });
        } catch (err) {
          break; // no connection after all: try again later, in the same order
        }
        if (response.ok) {
          const answer = await response.json();
          if (answer.notice) rememberNotice(answer.notice.id, item.name);
          await dropItem(item.key);
          changed = true;
        } else if ([400, 403, 404, 409, 413, 422].includes(response.status)) {
          const answer = await response.json().catch(() => ({}));
          item.state = "failed";
          item.error = answer.message || String(response.status);
          await putItem(item);
        } else {
          if (response.status === 401) say(S["Logged out: log in again to upload"]);
          break; // logged out (401) or the server is busy: keep it and try later
        }
      }
    } finally {
      flushing = false;
      await showPending();
    }
    if (changed) loadToday();
  }

  function rememberNotice(id, name) {
    const list = JSON.parse(localStorage.getItem("patrol-notices") || "[]");
    list.push({ id: id, name: name });
    localStorage.setItem("patrol-notices", JSON.stringify(list));
    showNotices();
  }
  function showNotices() {
    const list = JSON.parse(localStorage.getItem("patrol-notices") || "[]");
    const ul = $("notice-links");
    ul.replaceChildren();
    for (const n of list) {
      const a = el("a", n.name + " · PDF");
      a.href = body.dataset.noticeUrl.replace(/\/0$/, "/" + n.id) + "?format=pdf";
      ul.append(el("li", null, a));
    }
    $("notices").hidden = list.length === 0;
  }

  // ---- today's route ----
  async function loadToday() {
    try {
      const response = await fetch(TODAY_URL, { credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      const fresh = await response.json();
      const changedOrder = today && today.version !== fresh.version;
      today = fresh;
      if (changedOrder) say(S["The new order arrived"]);
      try {
        await keepDay(today);
      } catch (err) {
        say(S["The day could not be kept for offline use"]);
      }
    } catch (err) {
      today = today || await keptDay().catch(() => null) || JSON.parse(localStorage.getItem(TODAY_KEY) || "null");
    }
    render();
  }

  function el(tag, text, ...children) {
    const node = document.createElement(tag);
    if (text != null) node.textContent = text;
    node.append(...children);
    return node;
  }

  async function render() {
    if (!today) return;
    $("day").textContent = today.day;
    const queued = new Set((await allItems()).map((i) => i.venue_id));
    const ol = $("stops");
    ol.replaceChildren();
    ol.dataset.version = today.version;
    if (!today.stops.length) ol.append(el("li", S["No stops today"]));
    for (const stop of today.stops) {
      const li = el("li");
      li.className = "stop";
      li.dataset.venue = stop.venue_id;
      const state = stop.done ? S["Done"] + " · " + (today.outcomes[stop.done] || stop.done) : queued.has(stop.venue_id) ? S["Queued"] : "";
      li.dataset.state = stop.done ? "done" : queued.has(stop.venue_id) ? "queued" : "todo";
      const window = stop.arrive ? stop.arrive + "–" + stop.depart : "";
      li.append(el("div", null, el("b", stop.seq + ". " + stop.name), el("span", " " + window, )),
        el("div", stop.category_label + " · " + S["Why due"] + ": " + stop.reason_label + (state ? " · " + state : "")),
        el("div", stop.address || ""));
      if (stop.hazards.length) {
        li.append(el("div", S["Open hazards to re-check"] + ": " + stop.hazards.map((h) => h.hazard_id + " " + h.label + "（" + h.status_label + "）").join("；")));
      }
      const nav = el("div", S["Navigate"] + ": ");
      nav.className = "nav";
      for (const app of ["amap", "baidu", "tencent"]) {
        const a = el("a", S[{ amap: "AMap", baidu: "Baidu", tencent: "Tencent" }[app]]);
        a.href = stop.nav[app];
        a.className = "nav-" + app;
        a.rel = "noopener";
        a.target = "_blank";
        nav.append(a, " ");
      }
      const open = el("button", S["Record"]);
      open.type = "button";
      open.className = "record";
      open.addEventListener("click", () => openStop(stop));
      li.append(nav, open);
      ol.append(li);
    }
    drawRoute();
  }

  // The route map as vector data, drawn with no signal: the grids the stops lie in (GeoJSON from the day's data),
  // the office and the stops in order on the route line. Web Mercator, so that background tiles (only when a tile
  // address is set and the phone is online; a tile that does not load is left out) fit beneath it.
  function mercator(p) {
    const lat = Math.max(-85, Math.min(85, p[1])) * Math.PI / 180;
    return [(p[0] + 180) / 360, (1 - Math.log(Math.tan(lat) + 1 / Math.cos(lat)) / Math.PI) / 2];
  }
  function polygonsOf(geometry) {
    if (!geometry) return [];
    if (geometry.type === "Polygon") return [geometry.coordinates];
    return geometry.type === "MultiPolygon" ? geometry.coordinates : [];
  }
  function drawRoute() {
    const ns = "http://www.w3.org/2000/svg", w = 360, h = 200, pad = 14;
    const svgEl = (tag, attrs) => {
      const node = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
      return node;
    };
    const grids = ((today.grids || {}).features || []).map((f) => polygonsOf(f.geometry));
    const pts = [[today.team.lon, today.team.lat], ...today.stops.map((s) => [s.lon, s.lat])].map(mercator);
    const frame = [...pts, ...grids.flat(3).map(mercator)];
    const xs = frame.map((p) => p[0]), ys = frame.map((p) => p[1]);
    const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
    const span = 2e-6;  // about 80 m: a day of one stop still has a scale
    const scale = Math.min((w - 2 * pad) / Math.max(x1 - x0, span), (h - 2 * pad) / Math.max(y1 - y0, span));
    const ox = (x0 + x1) / 2 - w / 2 / scale, oy = (y0 + y1) / 2 - h / 2 / scale;  // centred
    const xy = (m) => [(m[0] - ox) * scale, (m[1] - oy) * scale];
    const svg = svgEl("svg", { viewBox: "0 0 " + w + " " + h });
    const tiles = today.tiles && navigator.onLine ? drawTiles(svgEl, today.tiles.url, scale, ox, oy, w, h) : null;
    if (tiles) svg.append(tiles);
    for (const polygons of grids) {  // beneath the route; holes cut out
      for (const rings of polygons) {
        const d = rings.map((ring) => "M" + ring.map((p) => xy(mercator(p)).map((v) => v.toFixed(1)).join(",")).join("L") + "Z").join("");
        svg.append(svgEl("path", { d: d, class: "grid", "fill-rule": "evenodd" }));
      }
    }
    drawRoads(svgEl, svg, xy);
    svg.append(svgEl("polyline", { points: [...pts, pts[0]].map((m) => xy(m).join(",")).join(" "), class: "route" }));
    pts.forEach((m, i) => {
      const [x, y] = xy(m);
      const stop = i ? today.stops[i - 1] : null;
      const mark = stop ? svgEl("circle", { cx: x, cy: y, r: 8 }) : svgEl("rect", { x: x - 6, y: y - 6, width: 12, height: 12 });
      mark.setAttribute("class", stop ? (stop.done ? "stop done" : "stop") : "office");
      if (stop) mark.dataset.venue = stop.venue_id;
      const label = svgEl("text", { x: x, y: y + 4 });
      label.textContent = stop ? String(stop.seq) : "";
      svg.append(mark, label);
    });
    const figure = $("route-map");
    figure.replaceChildren(svg);
    if (tiles && today.tiles.attribution) figure.append(el("figcaption", today.tiles.attribution));
  }
  // The roads near the day's stops (from the day's data, clipped on the server): one path a line, beneath the route;
  // the road's name (from the coordinator's file) is its tooltip, as text.
  const MAJOR = new Set(["motorway", "trunk", "primary", "secondary", "tertiary"]);
  function drawRoads(svgEl, svg, xy) {
    const group = svgEl("g", { class: "roads" });
    for (const f of (today.roads || {}).features || []) {
      const g = f.geometry || {};
      const lines = g.type === "LineString" ? [g.coordinates] : g.type === "MultiLineString" ? g.coordinates : [];
      const highway = (f.properties || {}).highway || "";
      for (const line of lines) {
        if (line.length < 2) continue;
        const d = "M" + line.map((p) => xy(mercator(p)).map((v) => v.toFixed(1)).join(",")).join("L");
        const path = svgEl("path", { d: d, class: MAJOR.has(highway) ? "road major" : "road" });
        path.dataset.road = String(f.id);
        const name = (f.properties || {}).name;
        if (name) {
          const title = svgEl("title", {});
          title.textContent = name;
          path.append(title);
        }
        group.append(path);
      }
    }
    if (group.childNodes.length) svg.append(group);
  }
  // The tiles under the sketch's frame at the zoom nearest its scale (at most 16 of them).
  function drawTiles(svgEl, url, scale, ox, oy, w, h) {
    const z = Math.max(0, Math.min(19, Math.round(Math.log2(scale / 256)))), n = 2 ** z, size = scale / n;
    const tx0 = Math.floor(ox * n), tx1 = Math.floor((ox + w / scale) * n);
    const ty0 = Math.max(0, Math.floor(oy * n)), ty1 = Math.min(n - 1, Math.floor((oy + h / scale) * n));
    if ((tx1 - tx0 + 1) * (ty1 - ty0 + 1) > 16) return null;
    const group = svgEl("g", { class: "tiles" });
    for (let tx = tx0; tx <= tx1; tx++) {
      for (let ty = ty0; ty <= ty1; ty++) {
        const href = url.replace("{z}", z).replace("{x}", ((tx % n) + n) % n).replace("{y}", ty);
        const image = svgEl("image", { href: href, x: tx * size - ox * scale, y: ty * size - oy * scale,
          width: size + 0.5, height: size + 0.5, class: "tile", preserveAspectRatio: "none" });
        image.addEventListener("error", () => image.remove());  // not reachable: the vector map stays on its own
        group.append(image);
      }
    }
    return group;
  }

  // ---- one stop's result ----
  function openStop(stop) {
    current = stop;
    checkin = null;
    hazards = [];
    const qr = JSON.parse(localStorage.getItem("patrol-qr") || "{}");
    if (qr[stop.venue_id]) checkin = { method: "qr", qr_token: qr[stop.venue_id], at: new Date().toISOString() };
    $("record-title").textContent = stop.seq + ". " + stop.name;
    $("record-meta").textContent = [stop.arrive && stop.arrive + "–" + stop.depart, stop.category_label, stop.address].filter(Boolean).join(" · ");
    $("checkin-state").textContent = checkin ? S["Scanned the venue code"] : "";
    $("checklist").replaceChildren(...stop.checklist.map((c) => checkbox("check", c.code, c.label)));
    const campaigns = stop.campaigns || [];  // 专项排查 running at this venue: their own items, ticked with the result
    $("campaign-checklist").replaceChildren(...campaigns.map((c) => {
      const box = el("fieldset", null, el("legend", S["Campaign"] + "：" + c.name), ...c.items.map((item) => checkbox("campaign-check", item, item)));
      const focus = (c.hazard_types || []).map((h) => h.label);  // the hazard types the campaign is after
      if (focus.length) box.append(el("p", S["Hazards in focus"] + "：" + focus.map((f) => "★ " + f).join("、")));
      box.className = "campaign";
      box.dataset.campaign = c.campaign_id;
      return box;
    }));
    $("campaign-box").hidden = !campaigns.length;
    $("recheck").replaceChildren(...stop.hazards.filter((h) => h.status === "feedback").map((h) => checkbox("fixed", h.hazard_id, h.hazard_id + " " + h.label + " · " + S["Re-checked and fixed"])));
    $("recheck-box").hidden = !stop.hazards.some((h) => h.status === "feedback");
    $("outcome").replaceChildren(...Object.entries(today.outcomes).map(([code, label], i) => radio("outcome", code, label, i === 0)));
    $("notes").value = "";
    $("hazards").replaceChildren();
    $("notice-toggle").checked = false;
    $("notice-box").hidden = true;
    for (const id of ["n-measure", "n-unit", "n-person", "n-standard", "n-signer"]) $(id).value = "";
    $("n-deadline").value = "";
    clearSignature();
    $("list-view").hidden = true;
    $("record-view").hidden = false;
    window.scrollTo(0, 0);
  }

  function checkbox(name, value, label) {
    const input = el("input");
    input.type = "checkbox";
    input.name = name;
    input.value = value;
    return el("label", null, input, " " + label);
  }
  function radio(name, value, label, checked) {
    const input = el("input");
    input.type = "radio";
    input.name = name;
    input.value = value;
    input.checked = checked;
    return el("label", null, input, " " + label);
  }

  function metres(lon1, lat1, lon2, lat2) {
    const r = Math.PI / 180, a = Math.sin((lat2 - lat1) * r / 2) ** 2 +
      Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin((lon2 - lon1) * r / 2) ** 2;
    return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(a)));
  }

  function doCheckin() {
    $("checkin-state").textContent = S["Locating…"];
    navigator.geolocation.getCurrentPosition((pos) => {
      const c = pos.coords;
      const qr = checkin && checkin.method === "qr" ? checkin.qr_token : "";
      checkin = { method: qr ? "qr" : "gps", qr_token: qr, lon: c.longitude, lat: c.latitude, accuracy_m: c.accuracy, at: new Date(pos.timestamp || Date.now()).toISOString() };
      const d = Math.round(metres(c.longitude, c.latitude, current.lon, current.lat));
      const far = !qr && d > today.far_m;
      const state = $("checkin-state");
      state.textContent = S["Checked in"] + " · " + S["Distance"] + " " + d + " m · " + S["Accuracy"] + " " + Math.round(c.accuracy) + " m" + (far ? " · " + S["far from the venue"] : "");
      state.dataset.far = far ? "1" : "0";
    }, () => { $("checkin-state").textContent = S["Position unavailable"]; }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 });
  }

  function addHazard() {
    const box = el("fieldset");
    box.className = "hazard";
    const type = el("select");
    type.className = "h-type";
    const focus = new Set((current.campaigns || []).flatMap((c) => (c.hazard_types || []).map((h) => h.code)));
    for (const h of [...today.hazard_types].sort((a, b) => focus.has(b.code) - focus.has(a.code))) {
      const o = el("option", (focus.has(h.code) ? "★ " : "") + h.label);
      o.value = h.code;
      type.append(o);
    }
    const severity = el("select");
    severity.className = "h-severity";
    for (const [v, label] of [["", "—"], ["general", S["General"]], ["major", S["Major"]]]) {
      const o = el("option", label);
      o.value = v;
      severity.append(o);
    }
    const description = el("input");
    description.className = "h-description";
    const photos = el("input");
    photos.type = "file";
    photos.accept = "image/*";
    photos.capture = "environment";
    photos.multiple = true;
    photos.className = "h-photos";
    const thumbs = el("div");
    thumbs.className = "thumbs";
    const entry = { box: box, photos: [] };
    photos.addEventListener("change", async () => {
      for (const file of photos.files) {
        try {
          entry.photos.push(await compress(file));
        } catch (err) {
          say(String(err));
        }
      }
      photos.value = "";
      thumbs.replaceChildren(...entry.photos.map((src) => { const img = el("img"); img.src = src; return img; }));
      box.dataset.photos = String(entry.photos.length);
    });
    const remove = el("button", S["Remove"]);
    remove.type = "button";
    remove.addEventListener("click", () => { hazards = hazards.filter((h) => h !== entry); box.remove(); });
    box.append(el("label", S["Hazard type"], type), el("label", S["Severity"], severity),
      el("label", S["Description"], description), el("label", S["Photos"], photos), thumbs, remove);
    hazards.push(entry);
    $("hazards").append(box);
  }

  // Photos are scaled down on the phone (longest side 1600 px, JPEG 0.7): a few hundred kB to upload, not megabytes.
  async function compress(file) {
    const bitmap = await createImageBitmap(file);
    const k = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(bitmap.width * k));
    canvas.height = Math.max(1, Math.round(bitmap.height * k));
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close && bitmap.close();
    return canvas.toDataURL("image/jpeg", 0.7);
  }

  // ---- the signature pad ----
  const pad = $("signature");
  const ink = pad.getContext("2d");
  let drawing = false;
  function at(e) {
    const r = pad.getBoundingClientRect();
    return [(e.clientX - r.left) * pad.width / r.width, (e.clientY - r.top) * pad.height / r.height];
  }
  pad.addEventListener("pointerdown", (e) => { drawing = true; pad.setPointerCapture(e.pointerId); ink.beginPath(); ink.moveTo(...at(e)); });
  pad.addEventListener("pointermove", (e) => { if (!drawing) return; ink.lineTo(...at(e)); ink.stroke(); signed = true; });
  pad.addEventListener("pointerup", () => { drawing = false; });
  function clearSignature() {
    ink.fillStyle = "#fff";
    ink.fillRect(0, 0, pad.width, pad.height);
    ink.lineWidth = 2.5;
    ink.lineCap = "round";
    ink.strokeStyle = "#000";
    signed = false;
  }

  async function save() {
    const outcome = document.querySelector("input[name=outcome]:checked");
    const item = {
      key: newKey(), venue_id: current.venue_id, name: current.name, state: "pending", created: new Date().toISOString(),
      body: {
        day: today.day, team_id: today.team.team_id, venue_id: current.venue_id, outcome: outcome ? outcome.value : "done",
        notes: $("notes").value, checkin: checkin || { method: "none" },
        checklist: Array.from(document.querySelectorAll("input[name=check]:checked"), (i) => i.value),
        fixed: Array.from(document.querySelectorAll("input[name=fixed]:checked"), (i) => i.value),
        campaign_checklist: Array.from(document.querySelectorAll("#campaign-checklist fieldset.campaign"), (f) => ({
          campaign_id: Number(f.dataset.campaign), items: Array.from(f.querySelectorAll("input:checked"), (i) => i.value),
        })).filter((c) => c.items.length),
        hazards: hazards.map((h) => ({
          type: h.box.querySelector(".h-type").value, severity: h.box.querySelector(".h-severity").value,
          description: h.box.querySelector(".h-description").value, photos: h.photos,
        })),
      },
    };
    if ($("notice-toggle").checked) {
      if (!signed) { say(S["Sign on the screen first"]); return; }
      item.body.notice = {
        measure: $("n-measure").value, responsible_unit: $("n-unit").value, responsible_person: $("n-person").value,
        deadline: $("n-deadline").value, standard: $("n-standard").value, signer: $("n-signer").value,
        signature: pad.toDataURL("image/png"),
      };
    }
    await putItem(item);
    say(S["Saved: it uploads when online"]);
    closeStop();
    await showPending();
    render();
    flush();
  }

  function closeStop() {
    $("record-view").hidden = true;
    $("list-view").hidden = false;
    current = null;
  }

  function say(text) {
    $("message").textContent = text;
  }

  function showNet() {
    const net = $("net");
    net.dataset.online = navigator.onLine ? "1" : "0";
    net.textContent = navigator.onLine ? S["Online"] : S["Offline"];
  }

  // A scanned venue code (/m/?checkin=V&c=...) is kept for that venue's check-in, then the address is cleaned.
  function takeScannedCode() {
    const params = new URLSearchParams(location.search);
    if (!params.get("checkin") || !params.get("c")) return;
    const qr = JSON.parse(localStorage.getItem("patrol-qr") || "{}");
    qr[params.get("checkin")] = params.get("c");
    localStorage.setItem("patrol-qr", JSON.stringify(qr));
    history.replaceState(null, "", location.pathname);
    say(S["Scanned the venue code"]);
  }

  function listen() {
    if (!window.EventSource) return;
    const source = new EventSource(body.dataset.liveUrl);
    source.addEventListener("replan", () => loadToday());
  }

  $("checkin").addEventListener("click", doCheckin);
  $("add-hazard").addEventListener("click", addHazard);
  $("clear-signature").addEventListener("click", clearSignature);
  $("notice-toggle").addEventListener("change", () => { $("notice-box").hidden = !$("notice-toggle").checked; });
  $("save").addEventListener("click", save);
  $("cancel").addEventListener("click", closeStop);
  $("refresh").addEventListener("click", () => { loadToday(); flush(); });
  window.addEventListener("online", () => { showNet(); flush(); loadToday(); });
  window.addEventListener("offline", showNet);
  setInterval(flush, 15000);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(body.dataset.swUrl, { scope: body.dataset.scope }).catch(() => {});
  }
  takeScannedCode();
  showNet();
  showNotices();
  moveOldDay().then(showPending).then(loadToday).then(flush);
  listen();
})();
