// The console: boots the map, logs in, keeps the live picture and the panels up to date.

import { Api, optional } from "./api.js";
import { applyI18n, fmtTime, getLang, setLang, setTimeZone, t } from "./i18n.js";
import { Live, LinkState } from "./live.js";
import { CoveragePanel } from "./panels/coverage.js";
import { DockPanel } from "./panels/dock.js";
import { DronePanel } from "./panels/drone.js";
import { IncidentPanel, newIncidentForm } from "./panels/incident.js";
import { PerfProbe, loadTest } from "./perf.js";
import { Renderer, batteryColour } from "./render.js";
import { addAlert, applyTelemetry, createState, setRecords } from "./state.js";
import { can, el, toast } from "./ui.js";
import { LeafletViewport, PlainViewport, loadLeaflet } from "./viewport.js";

const RECORDS_RELOAD_MS = 3000;
const LIST_REFRESH_MS = 1000;
const STALE_CHECK_MS = 1000;
const RING_MINUTES = [1, 3, 5];
const RING_SPEED_MPS = 12;
const DOCK_REFRESH_MS = 5000;

class App {
  constructor(config) {
    this.config = config;
    this.state = createState();
    this.state.config = config;
    this.api = new Api();
    this.api.onUnauthorised = () => this.showLogin();
    this.panel = null;
    this.live = null;
    this.perf = new PerfProbe();
    this.waiters = new Set();
    this.recordsLoadedMs = 0;
    this.listRefreshMs = 0;
    this.fleetRows = new Map();
  }

  async boot() {
    setTimeZone(this.config.display_timezone);
    const langSelect = document.getElementById("lang");
    langSelect.value = getLang();
    langSelect.addEventListener("change", () => { setLang(langSelect.value); this.relabel(); });
    applyI18n(document);
    await this.makeMap();
    this.bindUi();
    if (this.api.token) {
      try { this.state.me = await this.api.get("/auth/me"); } catch { this.api.setToken(""); }
    }
    if (this.state.me) await this.start(); else this.showLogin();
    requestAnimationFrame(() => this.frame());
    setInterval(() => this.checkStale(), STALE_CHECK_MS);
  }

  async makeMap() {
    const c = this.config;
    const mapEl = document.getElementById("map");
    const L = c.leaflet ? await loadLeaflet() : null;
    this.viewport = L
      ? new LeafletViewport(mapEl, L, { center: c.center, zoom: c.zoom, tileUrl: c.tile_url, attribution: c.tile_attribution })
      : new PlainViewport(mapEl, { center: c.center, zoom: c.zoom });
    this.mapModeKey = !L ? "map.plain" : this.viewport.tiles ? "map.leaflet_tiles" : "map.leaflet_offline";
    document.getElementById("mapmode").textContent = t(this.mapModeKey);
    document.getElementById("mapmode").dataset.mode = this.viewport.kind;
    this.renderer = new Renderer(document.getElementById("overlay"), this.viewport, this.state);
    this.viewport.cb.view.push(() => this.redraw());
    this.viewport.cb.click.push((lat, lon, x, y) => this.mapClick(lat, lon, x, y));
    this.viewport.cb.move.push((lat, lon) => {
      document.getElementById("coords").textContent = `${lat.toFixed(6)}°N ${lon.toFixed(6)}°E`;
    });
    if (!this.viewport.tiles) {
      try {
        const doc = await (await fetch("/console/basemap.geojson")).json();
        this.state.basemap = doc.features || [];
      } catch { this.state.basemap = []; }
    }
    this.redraw();
  }

  bindUi() {
    document.querySelectorAll(".tab").forEach((b) => b.addEventListener("click", () => this.showTab(b.dataset.tab)));
    this.showTab("fleet");
    document.getElementById("login-form").addEventListener("submit", (e) => this.login(e));
    document.getElementById("logout").addEventListener("click", () => this.logout());
    document.getElementById("new-incident").addEventListener("click", () => this.setMode({
      kind: "incident", hint: t("mode.pick_incident"),
      onClick: (lat, lon) => { this.setMode(null); this.showDetails(newIncidentForm(this, lat, lon)); },
    }));
    document.getElementById("coverage-open").addEventListener("click", () => this.select({ kind: "coverage" }));
    for (const [id, key] of [["show-rings", "rings"], ["show-trails", "trails"], ["show-zones", "zones"]]) {
      const box = document.getElementById(id);
      box.addEventListener("change", () => { this.state.show[key] = box.checked; if (key === "rings") this.loadRings(); this.redraw(); });
    }
    document.addEventListener("keydown", (e) => { if (e.key === "Escape") this.setMode(null); });
  }

  relabel() {
    applyI18n(document);
    document.getElementById("mapmode").textContent = t(this.mapModeKey);
    this.updateConnBadge();
    this.refreshLists(true);
    if (this.state.selected) this.select(this.state.selected);
    this.redraw();
  }

  showTab(name) {
    document.querySelectorAll(".tab").forEach((b) => b.setAttribute("aria-selected", String(b.dataset.tab === name)));
    document.querySelectorAll(".tabpane").forEach((p) => p.classList.toggle("active", p.id === `pane-${name}`));
  }

  showLogin() {
    if (this.live) { this.live.stop(); this.live = null; }
    document.getElementById("login").hidden = false;
  }

  async login(e) {
    e.preventDefault();
    const form = e.target;
    const error = document.getElementById("login-error");
    error.textContent = "";
    try {
      this.state.me = await this.api.login(form.username.value, form.password.value);
      form.password.value = "";
      await this.start();
    } catch (err) {
      error.textContent = err.status === 401 ? t("login.failed") : err.message;
    }
  }

  logout() {
    this.api.setToken("");
    this.state.me = null;
    this.select(null);
    this.showLogin();
  }

  async start() {
    document.getElementById("login").hidden = true;
    document.getElementById("logout").hidden = false;
    const me = this.state.me;
    document.getElementById("whoami").textContent = `${me.username} · ${t(`role.${me.role}`)}`;
    document.body.dataset.userRole = me.role;
    document.querySelectorAll("[data-needs]").forEach((node) => { node.hidden = !can(me.role, node.dataset.needs); });
    await this.loadRecords();
    this.live = new Live({
      tokenOf: () => this.api.token, intervalS: this.config.ws_interval_s, staleAfterS: this.config.stale_after_s,
      onMessage: (m) => this.onMessage(m), onState: (s) => this.onLinkState(s),
    });
    this.live.start();
    clearInterval(this.dockTimer);
    this.dockTimer = setInterval(() => { if (this.state.me) this.refreshDockStates(); }, DOCK_REFRESH_MS);
  }

  async loadRecords() {
    this.recordsLoadedMs = performance.now();
    const get = (path) => this.api.get(path).catch(() => []);
    const [vehicles, docks, zones, units, incidents] = await Promise.all([
      get("/vehicles"), get("/docks"), get("/zones"), get("/ground-units"), get("/incidents?limit=200")]);
    setRecords(this.state, vehicles);
    const states = new Map(this.state.docks.map((d) => [d.id, d.state]));
    this.state.docks = docks.map((d) => ({ ...d, state: states.get(d.id) ?? d.state }));
    await this.refreshDockStates();
    this.state.zones = zones;
    this.state.groundUnits = units;
    this.state.incidents = new Map(incidents.filter((i) => i.status !== "closed").map((i) => [i.id, i]));
    this.refreshLists(true);
    this.redraw();
  }

  /** Live dock states from the station's dock operations (when it runs docks). */
  async refreshDockStates() {
    const live = await optional(this.api.get("/operations/docks")).catch(() => null);
    if (!live) return;
    const byKey = new Map(live.map((d) => [d.dock_id, d]));
    for (const d of this.state.docks) {
      const l = byKey.get(d.dock_key);
      if (l) { d.state = l.state; d.online = l.online; }
    }
    this.refreshDocks();
    this.redraw();
  }

  loadRings() {
    if (!this.state.show.rings) return;
    this.state.rings = this.state.docks.map((d) => ({ dock_id: d.id, lat_deg: d.lat_deg, lon_deg: d.lon_deg,
      rings: RING_MINUTES.map((minutes) => ({ minutes, radius_m: RING_SPEED_MPS * minutes * 60 })) }));
  }

  onLinkState(state) {
    if (state === LinkState.UNAUTHORISED) { this.showLogin(); return; }
    if (state === LinkState.LIVE && this.live && this.live.reconnects) this.loadRecords();
    this.updateConnBadge();
  }

  updateConnBadge() {
    const badge = document.getElementById("conn");
    const state = this.live ? this.live.state : LinkState.CONNECTING;
    badge.dataset.state = state;
    badge.textContent = t(`conn.${state}`);
  }

  onMessage(message) {
    const started = performance.now();
    const s = this.state;
    if (message.type === "telemetry") {
      const fresh = applyTelemetry(s, message, started);
      const unknown = fresh.some((id) => !s.records.has(id));
      if (unknown && started - this.recordsLoadedMs > RECORDS_RELOAD_MS) this.loadRecords();
      if (this.panel && this.panel.update) this.panel.update();
      for (const w of this.waiters) w();
      this.redraw();
      if (started - this.listRefreshMs > LIST_REFRESH_MS) this.refreshLists();
    } else if (message.type === "incident") {
      this.incidentChanged(message);
    } else if (message.type === "alert") {
      addAlert(s, message);
      if (message.kind === "link_lost" || message.lat_deg !== undefined) toast(`${t(`alert.${message.kind}`, {}, message.kind)}: ${message.text ?? ""}`);
      this.refreshAlerts();
      this.redraw();
    } else if (message.type === "dock") {
      const dock = s.docks.find((d) => d.id === message.dock_id);
      if (dock) { dock.state = message.state; this.redraw(); }
    } else if (message.type === "dropped") {
      addAlert(s, { kind: "dropped", text: String(message.count), at: new Date().toISOString() });
    }
    this.perf.recordHandling(performance.now() - started);
  }

  async incidentChanged(message) {
    try {
      const inc = await this.api.get(`/incidents/${message.incident_id}`);
      if (inc.status === "closed") this.state.incidents.delete(inc.id); else this.state.incidents.set(inc.id, inc);
    } catch { return; }
    if (this.panel instanceof IncidentPanel && this.panel.id === message.incident_id) this.panel.refresh();
    this.refreshLists(true);
    this.redraw();
  }

  checkStale() {
    const clock = document.getElementById("clock");
    clock.textContent = fmtTime(new Date().toISOString());
    const stale = document.getElementById("stale");
    const isStale = Boolean(this.live) && this.live.isStale();
    stale.hidden = !isStale;
    if (isStale) {
      const ageS = this.live.lastMessageMs ? (performance.now() - this.live.lastMessageMs) / 1000 : null;
      stale.textContent = ageS === null ? t("conn.stale") : t("conn.stale_for", { s: Math.round(ageS) });
    }
    document.body.classList.toggle("stale", isStale);
    if (isStale !== this.state.stale) { this.state.stale = isStale; this.redraw(); }
  }

  /** Resolve when predicate() holds after some telemetry; reject after timeoutMs. */
  waitFor(predicate, timeoutMs) {
    return new Promise((resolve, reject) => {
      const check = () => { if (predicate()) { this.waiters.delete(check); clearTimeout(timer); resolve(); } };
      const timer = setTimeout(() => { this.waiters.delete(check); reject(new Error(t("common.timeout"))); }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Send a vehicle command; null when accepted, else the ApiError with the station's reasons. */
  async command(vehicleId, name, body) {
    try {
      await this.api.post(`/vehicles/${vehicleId}/commands/${name}`, body);
      return null;
    } catch (err) {
      return err;
    }
  }

  setMode(mode) {
    if (this.state.mode && this.state.mode.kind === "route" && mode === null) this.redraw();
    this.state.mode = mode;
    const hint = document.getElementById("modehint");
    hint.hidden = !mode;
    hint.textContent = mode ? `${mode.hint} (Esc)` : "";
    document.getElementById("mapwrap").dataset.mode = mode ? mode.kind : "";
  }

  mapClick(lat, lon, x, y) {
    if (this.state.mode) { this.state.mode.onClick(lat, lon); return; }
    const hit = this.renderer.hitTest(x, y);
    if (hit) this.select({ kind: hit.kind, id: hit.id });
  }

  showDetails(node) {
    if (this.panel && this.panel.destroy) this.panel.destroy();
    this.panel = null;
    document.getElementById("details-empty").hidden = Boolean(node);
    document.getElementById("details-body").replaceChildren(...(node ? [node] : []));
  }

  select(selection) {
    this.state.selected = selection;
    let panel = null;
    if (selection?.kind === "drone") panel = new DronePanel(this, selection.id);
    else if (selection?.kind === "incident" && this.state.incidents.has(selection.id)) panel = new IncidentPanel(this, selection.id);
    else if (selection?.kind === "dock") panel = new DockPanel(this, selection.id);
    else if (selection?.kind === "coverage") panel = new CoveragePanel(this);
    this.showDetails(panel ? panel.root : null);
    this.panel = panel;
    this.refreshLists(true);
    this.redraw();
  }

  redraw() { this.renderer.dirty = true; }

  frame() {
    if (this.renderer.dirty) {
      const started = performance.now();
      this.renderer.draw();
      this.perf.recordDraw(performance.now() - started);
    }
    requestAnimationFrame(() => this.frame());
  }

  refreshLists(full = false) {
    this.listRefreshMs = performance.now();
    this.refreshFleet(full);
    if (full) {
      this.refreshIncidents();
      this.refreshDocks();
      this.refreshAlerts();
    }
  }

  refreshFleet(full) {
    const list = document.getElementById("fleet-list");
    const s = this.state;
    if (full) { list.replaceChildren(); this.fleetRows.clear(); }
    for (const [sysid, v] of s.vehicles) {
      let row = this.fleetRows.get(sysid);
      if (!row) {
        row = el("li", { dataset: { systemId: String(sysid) }, onclick: () => this.select({ kind: "drone", id: sysid }) });
        this.fleetRows.set(sysid, row);
        list.append(row);
      }
      const tm = v.t;
      const name = v.record ? v.record.name : `#${sysid}`;
      const cls = `${tm.online ? "" : "offline"} ${s.selected?.kind === "drone" && s.selected.id === sysid ? "selected" : ""}`;
      const border = `4px solid ${batteryColour(tm.battery_pct)}`;
      const text = `${name} · ${tm.mode ?? "–"} · ${tm.alt_rel_m === null ? "–" : Math.round(tm.alt_rel_m)} m · ${tm.battery_pct ?? "–"}%${tm.online ? "" : ` · ${t("drone.link_lost")}`}`;
      // touch the DOM only where something changed: a big fleet rewrites little per second
      if (row.className !== cls) row.className = cls;
      if (row.style.borderLeft !== border) row.style.borderLeft = border;
      if (row.textContent !== text) row.textContent = text;
    }
  }

  refreshIncidents() {
    const list = document.getElementById("incident-list");
    const items = [...this.state.incidents.values()].sort((a, b) => a.priority - b.priority || b.id - a.id);
    list.replaceChildren(...items.map((i) => el("li", {
      class: `prio-${i.priority} ${this.state.selected?.kind === "incident" && this.state.selected.id === i.id ? "selected" : ""}`,
      dataset: { incidentId: String(i.id) }, onclick: () => { this.select({ kind: "incident", id: i.id }); this.viewport.setView(i.lat_deg, i.lon_deg); },
    }, `#${i.id} ${i.kind} · P${i.priority}`, el("div", { class: "sub", text: `${t(`incident.status.${i.status}`)} · ${fmtTime(i.reported_at)}` }))));
  }

  refreshDocks() {
    const list = document.getElementById("dock-list");
    list.replaceChildren(...this.state.docks.map((d) => el("li", {
      dataset: { dockId: String(d.id) }, onclick: () => this.select({ kind: "dock", id: d.id }),
    }, d.name, el("div", { class: "sub", text: t(`dock.state.${d.state || "unknown"}`) }))));
  }

  refreshAlerts() {
    const list = document.getElementById("alert-list");
    list.replaceChildren(...this.state.alerts.slice(0, 100).map((a) => el("li", { dataset: { kind: a.kind } },
      `${t(`alert.${a.kind}`, {}, a.kind)}${a.system_id ? ` · #${a.system_id}` : ""}`, el("div", { class: "sub", text: `${fmtTime(a.at)} · ${a.text ?? ""}` }))));
  }
}

async function main() {
  const config = await (await fetch("/console/config.json")).json();
  const app = new App(config);
  window.gcs = {
    app, state: app.state, perf: app.perf,
    get live() { return app.live; },
    get renderer() { return app.renderer; },
    loadTest: (options) => loadTest(app.live, app.perf, config.center, options),
  };
  await app.boot();
  document.body.dataset.ready = "true";
}

main();
