// Draws every live layer on one canvas over the map: offline base, zones, rings, routes,
// incidents, ground units, docks, drones with trails, alerts. One pass per animation frame.

import { fmtTime, t } from "./i18n.js";
import { ringKeys, sharePct } from "./coverage.js";

const ZONE_COLOURS = { no_fly: "#ff4d4d", operating_area: "#3ccf7a", altitude_limit: "#f2b233" };
const PRIORITY_COLOURS = { 1: "#ff3b3b", 2: "#ff8a3b", 3: "#f2d33b", 4: "#7fc4ff", 5: "#9aa7b4" };
const DOCK_COLOURS = { idle_ready: "#3ccf7a", idle_charging: "#3fa7ff", idle_empty: "#9fb3c8", preparing: "#f2b233", launching: "#f2b233", drone_out: "#d58cff", awaiting_return: "#d58cff", landing: "#f2b233", closing: "#f2b233", fault: "#ff5a5a", maintenance: "#ff8a3b", offline: "#7d8790" };
const BASE_STYLES = {
  river: ["#2f6fa3", 6, []], major_road: ["#6d7883", 3, []], road: ["#4d5862", 2, []],
  rail: ["#8a7a66", 2, [6, 4]],
};
const GRID_STEPS_DEG = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];
const SCALE_STEPS_M = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000];
const RING_COLOURS = ["#3ccf7a", "#f2b233", "#ff8a3b"]; // 1, 3, 5 minutes
const HIT_RADIUS_PX = 16;
const LABEL_LIMIT = 250; // more drones than this: only the selected one keeps its text label

export function batteryColour(pct) {
  if (pct === null || pct === undefined) return "#9aa7b4";
  if (pct < 25) return "#ff5a5a";
  if (pct < 50) return "#f2b233";
  return "#3ccf7a";
}

export class Renderer {
  constructor(canvas, viewport, state) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.viewport = viewport;
    this.state = state;
    this.hits = [];
    this.drawn = { drones: {}, incidents: {}, docks: {}, units: {}, zones: {}, rings: {}, coverage: null };
    this.dirty = true;
    this.frames = 0;
  }

  resize() {
    const [w, h] = this.viewport.size();
    const dpr = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(h * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(h * dpr);
    }
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    return [w, h];
  }

  draw() {
    this.dirty = false;
    this.frames += 1;
    const [w, h] = this.resize();
    const ctx = this.ctx;
    ctx.clearRect(0, 0, w, h);
    this.hits = [];
    this.drawn = { drones: {}, incidents: {}, docks: {}, units: {}, zones: {}, rings: {}, coverage: null };
    const s = this.state;
    if (!this.viewport.tiles) this.drawBase(w, h);
    if (s.show.zones) this.drawZones();
    if (s.show.rings) this.drawRings();
    if (s.coverage) this.drawCoverage(s.coverage);
    this.drawRoutes();
    this.drawGroundUnits();
    this.drawDocks();
    this.drawIncidents();
    this.drawDrones();
    this.drawAlerts();
    if (!this.viewport.drawsScale()) this.drawScale(h);
  }

  p(lat, lon) { return this.viewport.project(lat, lon); }

  line(points, colour, width, dash = []) {
    if (points.length < 2) return;
    const ctx = this.ctx;
    ctx.beginPath();
    points.forEach(([lat, lon], i) => {
      const [x, y] = this.p(lat, lon);
      if (i) ctx.lineTo(x, y); else ctx.moveTo(x, y);
    });
    ctx.strokeStyle = colour; ctx.lineWidth = width; ctx.setLineDash(dash);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  label(text, x, y, colour = "#e6edf3", align = "left") {
    const ctx = this.ctx;
    ctx.font = "12px 'Noto Sans CJK SC', sans-serif";
    ctx.textAlign = align;
    ctx.lineWidth = 3; ctx.strokeStyle = "rgba(10,14,18,0.85)";
    ctx.strokeText(text, x, y);
    ctx.fillStyle = colour; ctx.fillText(text, x, y);
  }

  drawBase(w, h) {
    const ctx = this.ctx;
    const [latTop, lonLeft] = this.viewport.unproject(0, 0);
    const [latBottom, lonRight] = this.viewport.unproject(w, h);
    const spanDeg = (lonRight - lonLeft) / Math.max(1, w / 150);
    const step = GRID_STEPS_DEG.find((d) => d >= spanDeg) || 10;
    const digits = Math.max(0, Math.ceil(-Math.log10(step)));
    ctx.lineWidth = 1; ctx.strokeStyle = "rgba(120,150,170,0.18)";
    ctx.beginPath();
    for (let lon = Math.ceil(lonLeft / step) * step; lon <= lonRight; lon += step) {
      const [x] = this.p(latTop, lon);
      ctx.moveTo(x, 0); ctx.lineTo(x, h);
    }
    for (let lat = Math.ceil(latBottom / step) * step; lat <= latTop; lat += step) {
      const [, y] = this.p(lat, lonLeft);
      ctx.moveTo(0, y); ctx.lineTo(w, y);
    }
    ctx.stroke();
    for (let lon = Math.ceil(lonLeft / step) * step; lon <= lonRight; lon += step) {
      const [x] = this.p(latTop, lon);
      this.label(`${lon.toFixed(digits)}°E`, x + 3, 12, "#7f95a8");
    }
    for (let lat = Math.ceil(latBottom / step) * step; lat <= latTop; lat += step) {
      const [, y] = this.p(lat, lonLeft);
      this.label(`${lat.toFixed(digits)}°N`, 3, y - 3, "#7f95a8");
    }
    for (const f of this.state.basemap) {
      const style = BASE_STYLES[f.properties?.kind] || BASE_STYLES.road;
      const g = f.geometry;
      const lines = g?.type === "LineString" ? [g.coordinates] : g?.type === "MultiLineString" ? g.coordinates : [];
      for (const coords of lines) {
        const pts = coords.map(([lon, lat]) => [lat, lon]);
        this.line(pts, style[0], style[1], style[2]);
        const mid = pts[Math.floor(pts.length / 2)];
        if (mid) { const [x, y] = this.p(mid[0], mid[1]); this.label(f.properties?.name || "", x + 4, y - 4, "#8fa1b3"); }
      }
    }
  }

  drawScale(h) {
    const mpp = this.viewport.metresPerPixel();
    const metres = SCALE_STEPS_M.find((m) => m / mpp >= 80) || 50000;
    const px = metres / mpp;
    const ctx = this.ctx;
    ctx.strokeStyle = "#e6edf3"; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.moveTo(12, h - 14); ctx.lineTo(12, h - 8); ctx.lineTo(12 + px, h - 8); ctx.lineTo(12 + px, h - 14); ctx.stroke();
    this.label(metres >= 1000 ? `${metres / 1000} km` : `${metres} m`, 16, h - 16);
  }

  ring(lat, lon, radiusM, colour, width = 2, dash = [], fill = null) {
    const [x, y] = this.p(lat, lon);
    const r = radiusM / this.viewport.metresPerPixel();
    const ctx = this.ctx;
    ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI);
    if (fill) { ctx.fillStyle = fill; ctx.fill(); }
    ctx.strokeStyle = colour; ctx.lineWidth = width; ctx.setLineDash(dash); ctx.stroke(); ctx.setLineDash([]);
    return [x, y, r];
  }

  polygon(rings, colour, fill) {
    const ctx = this.ctx;
    ctx.beginPath();
    for (const ring of rings) {
      ring.forEach(([lon, lat], i) => { const [x, y] = this.p(lat, lon); if (i) ctx.lineTo(x, y); else ctx.moveTo(x, y); });
      ctx.closePath();
    }
    ctx.fillStyle = fill; ctx.fill("evenodd");
    ctx.strokeStyle = colour; ctx.lineWidth = 2; ctx.stroke();
  }

  drawZones() {
    for (const zone of this.state.zones) {
      if (zone.active === false) continue;
      const f = zone.feature || {};
      const props = f.properties || {};
      const colour = ZONE_COLOURS[props.kind] || "#b48cff";
      const temporary = Boolean(props.schedule);
      const fill = `${colour}${temporary ? "22" : "33"}`;
      const g = f.geometry || {};
      let anchor = null;
      if (g.type === "Polygon") { this.polygon(g.coordinates, colour, fill); anchor = g.coordinates[0][0]; }
      if (g.type === "MultiPolygon") { g.coordinates.forEach((p) => this.polygon(p, colour, fill)); anchor = g.coordinates[0][0][0]; }
      if (g.type === "Point" && props.radius_m) {
        this.ring(g.coordinates[1], g.coordinates[0], props.radius_m, colour, 2, temporary ? [6, 4] : [], fill);
        anchor = g.coordinates;
      }
      if (anchor) {
        const [x, y] = this.p(anchor[1], anchor[0]);
        const text = `${zone.name} · ${t(`zone.${props.kind}`)}` + (temporary ? ` · ${t("zone.temporary")} ${scheduleText(props.schedule)}` : "");
        this.label(text, x + 4, y - 6, colour);
        this.drawn.zones[zone.name] = text;
      }
    }
  }

  drawRings() {
    for (const r of this.state.rings) {
      this.drawn.rings[r.dock_id] = r.rings.map((ring) => ring.minutes);
      r.rings.forEach((ring, i) => {
        const colour = RING_COLOURS[i % RING_COLOURS.length];
        if (ring.polygon) this.polygon([ring.polygon.map(([lat, lon]) => [lon, lat])], colour, "rgba(0,0,0,0)");
        else this.ring(r.lat_deg, r.lon_deg, ring.radius_m, colour, 1.5, [4, 4]);
        const [x, y] = this.p(r.lat_deg, r.lon_deg);
        const px = (ring.radius_m || 0) / this.viewport.metresPerPixel();
        this.label(`${ring.minutes} min`, x + 3, y - px - 3, colour);
      });
    }
  }

  /** A district's outline and the area one dock (or the whole fleet) reaches within each ring. */
  drawCoverage(cov) {
    if (cov.result) {
      const rings = ringKeys(cov.result);
      const layers = cov.result.geojson.features
        .filter((f) => (f.properties.dock_id ?? null) === cov.layer)
        .sort((a, b) => b.properties.ring_s - a.properties.ring_s); // the widest ring first, under the rest
      const drawn = [];
      for (const f of layers) {
        const i = rings.findIndex((r) => Number(r) === f.properties.ring_s);
        const colour = RING_COLOURS[i % RING_COLOURS.length];
        const polygons = f.geometry.type === "MultiPolygon" ? f.geometry.coordinates
          : f.geometry.type === "Polygon" && f.geometry.coordinates.length ? [f.geometry.coordinates] : [];
        polygons.forEach((p) => this.polygon(p, colour, `${colour}40`));
        const top = polygons.flat(2).reduce((best, c) => (!best || c[1] > best[1] ? c : best), null);
        if (top) {
          const [x, y] = this.p(top[1], top[0]);
          this.label(`${f.properties.ring_s / 60} min · ${sharePct(f.properties.share)}`, x + 4, y - 4, colour);
        }
        drawn.push({ ring_s: f.properties.ring_s, share: f.properties.share, polygons: polygons.length,
          vertices: polygons.flat(2).length, colour });
      }
      this.drawn.coverage = { dock_id: cov.layer, layers: drawn };
    }
    if (cov.outline.length) {
      const pts = cov.outline.length > 2 ? [...cov.outline, cov.outline[0]] : cov.outline;
      this.line(pts, "#e6edf3", 2, [6, 4]);
      for (const [lat, lon] of cov.outline) {
        const [x, y] = this.p(lat, lon);
        this.ctx.fillStyle = "#e6edf3"; this.ctx.beginPath(); this.ctx.arc(x, y, 4, 0, 2 * Math.PI); this.ctx.fill();
      }
    }
  }

  drawRoutes() {
    const draft = this.state.draft;
    if (draft && draft.points.length) {
      const pts = draft.points.map(([lat, lon]) => [lat, lon]);
      if (draft.shape === "polygon" && pts.length > 2) pts.push(pts[0]);
      this.line(pts, "#d58cff", 2, [8, 4]);
      draft.points.forEach(([lat, lon], i) => {
        const [x, y] = this.p(lat, lon);
        this.ctx.fillStyle = "#d58cff"; this.ctx.beginPath(); this.ctx.arc(x, y, 5, 0, 2 * Math.PI); this.ctx.fill();
        this.label(String(i + 1), x + 6, y - 6, "#d58cff");
      });
    }
    if (this.state.draftPath && draft) this.line(this.state.draftPath.map(([, lat, lon]) => [lat, lon]), "rgba(213,140,255,0.45)", 1);
    for (const v of this.state.vehicles.values()) {
      if (!v.mission || v.mission.length < 2) continue;
      this.line(v.mission.map(([, lat, lon]) => [lat, lon]), "rgba(213,140,255,0.7)", 2);
      const current = v.t.mission_current ?? -1;
      for (const [seq, lat, lon] of v.mission) {
        const [x, y] = this.p(lat, lon);
        this.ctx.fillStyle = seq < current ? "#6c5a7a" : seq === current ? "#ffffff" : "#d58cff";
        this.ctx.beginPath(); this.ctx.arc(x, y, 4, 0, 2 * Math.PI); this.ctx.fill();
      }
    }
  }

  drawGroundUnits() {
    const ctx = this.ctx;
    for (const u of this.state.groundUnits) {
      const [x, y] = this.p(u.lat_deg, u.lon_deg);
      ctx.fillStyle = u.available ? "#3fa7ff" : "#5b6b7a";
      ctx.fillRect(x - 6, y - 6, 12, 12);
      ctx.strokeStyle = "#0d1a22"; ctx.lineWidth = 1; ctx.strokeRect(x - 6, y - 6, 12, 12);
      this.label(u.name, x + 8, y + 4, "#9fd0ff");
      this.hits.push({ kind: "unit", id: u.id, x, y });
      this.drawn.units[u.id] = [x, y];
    }
  }

  drawDocks() {
    const ctx = this.ctx;
    for (const d of this.state.docks) {
      const [x, y] = this.p(d.lat_deg, d.lon_deg);
      const st = d.state || "unknown";
      ctx.fillStyle = DOCK_COLOURS[st] || "#9aa7b4";
      ctx.beginPath(); ctx.moveTo(x, y - 10); ctx.lineTo(x + 9, y - 2); ctx.lineTo(x + 9, y + 8); ctx.lineTo(x - 9, y + 8); ctx.lineTo(x - 9, y - 2); ctx.closePath();
      ctx.fill(); ctx.strokeStyle = "#0d1a22"; ctx.stroke();
      this.label(`${d.name} · ${t(`dock.state.${st}`)}`, x + 11, y + 4, "#cde3b8");
      this.hits.push({ kind: "dock", id: d.id, x, y });
      this.drawn.docks[d.id] = [x, y];
    }
  }

  drawIncidents() {
    const ctx = this.ctx;
    const sel = this.state.selected;
    for (const inc of this.state.incidents.values()) {
      if (inc.status === "closed") continue;
      const [x, y] = this.p(inc.lat_deg, inc.lon_deg);
      const colour = PRIORITY_COLOURS[inc.priority] || "#ff3b3b";
      const r = 13 - inc.priority;
      ctx.fillStyle = colour; ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI); ctx.fill();
      ctx.strokeStyle = sel?.kind === "incident" && sel.id === inc.id ? "#ffffff" : "#0d1a22";
      ctx.lineWidth = 2; ctx.stroke();
      this.label("!", x, y + 4, "#0d1a22", "center");
      this.label(`#${inc.id} ${inc.kind} P${inc.priority} · ${t(`incident.status.${inc.status}`)}`, x + r + 4, y + 4, colour);
      this.hits.push({ kind: "incident", id: inc.id, x, y });
      this.drawn.incidents[inc.id] = [x, y];
    }
  }

  drawDrones() {
    const ctx = this.ctx;
    const s = this.state;
    ctx.globalAlpha = s.stale ? 0.4 : 1;
    const labelAll = s.vehicles.size <= LABEL_LIMIT;
    if (s.show.trails) this.drawTrails();
    for (const v of s.vehicles.values()) {
      const tm = v.t;
      if (tm.lat_deg === null || tm.lon_deg === null) continue;
      const [x, y] = this.p(tm.lat_deg, tm.lon_deg);
      const heading = ((tm.heading_deg ?? 0) * Math.PI) / 180;
      const colour = !tm.online ? "#7d8790" : batteryColour(tm.battery_pct);
      ctx.save(); ctx.translate(x, y); ctx.rotate(heading);
      ctx.beginPath(); ctx.moveTo(0, -12); ctx.lineTo(8, 9); ctx.lineTo(0, 4); ctx.lineTo(-8, 9); ctx.closePath();
      ctx.fillStyle = colour; ctx.fill();
      ctx.strokeStyle = tm.armed ? "#ffffff" : "#0d1a22"; ctx.lineWidth = 1.5; ctx.stroke();
      ctx.restore();
      if (s.selected?.kind === "drone" && s.selected.id === tm.system_id) {
        ctx.strokeStyle = "#ffffff"; ctx.lineWidth = 2; ctx.beginPath(); ctx.arc(x, y, 17, 0, 2 * Math.PI); ctx.stroke();
      }
      if (labelAll || (s.selected?.kind === "drone" && s.selected.id === tm.system_id) || !tm.online) {
        const alt = tm.alt_rel_m === null ? "–" : `${Math.round(tm.alt_rel_m)}m`;
        const batt = tm.battery_pct === null ? "–" : `${tm.battery_pct}%`;
        const name = v.record?.name || `#${tm.system_id}`;
        this.label(`${name} ${alt} ${batt}${tm.online ? "" : ` ${t("drone.link_lost")}`}`, x + 13, y - 8, tm.online ? "#e6edf3" : "#9aa7b4");
      }
      this.hits.push({ kind: "drone", id: tm.system_id, x, y });
      this.drawn.drones[tm.system_id] = [x, y];
    }
    ctx.globalAlpha = 1;
  }

  /** Every drone's trail in one path: one stroke however big the fleet. */
  drawTrails() {
    const ctx = this.ctx;
    ctx.beginPath();
    for (const v of this.state.vehicles.values()) {
      v.trail.forEach(([lat, lon], i) => {
        const [x, y] = this.p(lat, lon);
        if (i) ctx.lineTo(x, y); else ctx.moveTo(x, y);
      });
    }
    ctx.strokeStyle = "rgba(63,167,255,0.55)"; ctx.lineWidth = 2; ctx.setLineDash([]);
    ctx.stroke();
  }

  drawAlerts() {
    const ctx = this.ctx;
    for (const a of this.state.alerts) {
      if (a.lat_deg === undefined || a.lat_deg === null) continue;
      const [x, y] = this.p(a.lat_deg, a.lon_deg);
      ctx.strokeStyle = "#ff2d2d"; ctx.lineWidth = 3;
      ctx.beginPath(); ctx.moveTo(x - 9, y - 9); ctx.lineTo(x + 9, y + 9); ctx.moveTo(x + 9, y - 9); ctx.lineTo(x - 9, y + 9); ctx.stroke();
      ctx.beginPath(); ctx.arc(x, y, 14, 0, 2 * Math.PI); ctx.stroke();
      this.label(t("alert.black_flying"), x + 16, y + 4, "#ff6b6b");
    }
  }

  /** The object drawn nearest a container point, or null. */
  hitTest(x, y) {
    let best = null, bestD = HIT_RADIUS_PX;
    for (const h of this.hits) {
      const d = Math.hypot(h.x - x, h.y - y);
      if (d <= bestD) { best = h; bestD = d; }
    }
    return best;
  }
}

export function scheduleText(schedule) {
  if (!schedule) return "";
  if (schedule.type === "window") return `${fmtShort(schedule.start)}–${fmtShort(schedule.end)}`;
  if (schedule.type === "weekly") return `${schedule.start}–${schedule.end} (${(schedule.weekdays || []).map((d) => d + 1).join(",")})`;
  return "";
}

function fmtShort(iso) { return fmtTime(iso); }
