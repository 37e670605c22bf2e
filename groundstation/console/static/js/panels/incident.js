// The commander's panel for one incident: facts, dispatch ranking, one-click send, live video
// beside the timeline, hand-over to a ground unit, status and close.

import { optional } from "../api.js";
import { fmtTime, t } from "../i18n.js";
import { can, el, distanceM, kv, showResult } from "../ui.js";
import { MjpegView, playRecording } from "../video.js";

export const ARRIVAL_RADIUS_M = 40;
const DISPATCH_ALT_M = 40;
const VIDEO_POLL_MS = 2000;
const CLIMB_WAIT_MS = 60000;

/** The system id of a station drone id: a number, or a registered vehicle's name. */
function systemIdOf(state, droneId) {
  if (droneId === null || droneId === undefined) return null;
  const n = Number.parseInt(droneId, 10);
  if (String(n) === String(droneId) && state.records.has(n)) return n;
  for (const rec of state.records.values()) if (rec.name === droneId) return rec.system_id;
  return null;
}

/** A candidate of the station's dispatch ranking in the panel's form. */
function stationCandidate(state, c) {
  const sysid = systemIdOf(state, c.drone_id);
  const name = c.drone_id || c.dock_id || c.candidate_id;
  const where = c.kind === "dock" && c.dock_id ? ` (${c.dock_id})` : "";
  return { ...c, system_id: sysid, name: `${name}${where}`,
    reasons: [...(c.exclusions || []).map((e) => e.text), ...(c.warnings || [])] };
}

/** Fallback ordering when the station publishes no ranking: straight line at cruise speed. */
function estimateRanking(state, incident) {
  const out = [];
  for (const [sysid, v] of state.vehicles) {
    const rec = state.records.get(sysid);
    const tm = v.t;
    if (!rec || tm.lat_deg === null || !tm.online) continue;
    const d = distanceM(tm.lat_deg, tm.lon_deg, incident.lat_deg, incident.lon_deg);
    out.push({ system_id: sysid, vehicle_id: rec.id, name: rec.name, distance_m: d,
      eta_s: d / (rec.cruise_speed_mps || 12), battery_pct: tm.battery_pct, flying: tm.flying, reasons: [] });
  }
  return out.sort((a, b) => a.eta_s - b.eta_s);
}

export class IncidentPanel {
  constructor(app, incidentId) {
    this.app = app;
    this.id = incidentId;
    this.root = el("div", { class: "panel", id: "incident-panel", dataset: { incidentId: String(incidentId) } });
    this.facts = el("div");
    this.rankingBox = el("div", { id: "dispatch-ranking" });
    this.sendResult = el("div", { class: "result", id: "dispatch-result", hidden: true });
    this.arrival = el("div", { id: "arrival", class: "muted" });
    this.videoImg = el("img", { class: "video", id: "video", alt: "" });
    this.videoState = el("div", { id: "video-state", class: "muted" });
    this.recordingList = el("ul", { class: "list", id: "recordings" });
    this.playback = el("video", { class: "video", id: "playback", controls: true, hidden: true });
    this.timeline = el("ul", { class: "list timeline", id: "timeline" });
    this.actionResult = el("div", { class: "result", id: "incident-result", hidden: true });
    this.video = new MjpegView(this.videoImg, () => app.api.headers(), (s, code) => this.videoStatus(s, code));
    this.videoTimer = null;
    this.sentSystemId = null;
    this.detail = null;
    this.build();
  }

  get incident() { return this.app.state.incidents.get(this.id); }

  build() {
    const role = this.app.state.me.role;
    this.root.append(this.facts, this.arrival);
    this.root.append(el("h3", { text: t("video.title") }), this.videoImg, this.videoState);
    this.root.append(el("h3", {}, t("video.recordings"), " ",
      el("button", { id: "recordings-refresh", class: "watch", onclick: () => this.loadRecordings() }, t("video.refresh"))),
    this.recordingList, this.playback);
    this.root.append(el("h3", { text: t("incident.timeline") }), this.timeline);
    if (can(role, "dispatch")) {
      this.root.append(el("h3", { text: t("dispatch.title") }), this.rankingBox, this.sendResult);
    }
    if (can(role, "incident_update")) this.root.append(this.buildHandover());
    const actions = el("div", { class: "row" });
    if (can(role, "incident_update")) {
      actions.append(el("button", { id: "mark-on-scene", onclick: () => this.setStatus("on_scene") }, t("incident.mark_on_scene")));
    }
    if (can(role, "incident_close")) {
      const summary = el("input", { id: "close-summary", placeholder: t("incident.summary") });
      actions.append(summary, el("button", { id: "close-incident", class: "danger", onclick: () => this.close(summary.value) }, t("incident.close")));
    }
    this.root.append(actions, this.actionResult);
    this.refresh();
    this.pollVideo();
  }

  buildHandover() {
    const select = el("select", { id: "handover-unit" });
    const inc = this.incident;
    const units = [...this.app.state.groundUnits].sort((a, b) =>
      (b.available - a.available) || distanceM(a.lat_deg, a.lon_deg, inc.lat_deg, inc.lon_deg) - distanceM(b.lat_deg, b.lon_deg, inc.lat_deg, inc.lon_deg));
    for (const u of units) {
      const d = distanceM(u.lat_deg, u.lon_deg, inc.lat_deg, inc.lon_deg);
      select.append(el("option", { value: String(u.id), text: `${u.name} · ${t(`unit.${u.kind}`)} · ${(d / 1000).toFixed(1)} km${u.available ? "" : ` · ${t("unit.busy")}`}` }));
    }
    const button = el("button", { id: "handover", disabled: units.length === 0, onclick: () => this.handover(select.value) }, t("incident.handover"));
    return el("fieldset", {}, el("legend", { text: t("incident.handover_title") }),
      units.length ? el("div", { class: "row" }, select, button) : el("p", { class: "muted", text: t("unit.none") }));
  }

  renderFacts() {
    const inc = this.incident;
    if (!inc) return;
    this.facts.replaceChildren(
      el("h2", { class: `prio-${inc.priority}` }, `#${inc.id} ${inc.kind} · P${inc.priority}`),
      kv([
        [t("incident.status"), el("span", { id: "incident-status", text: t(`incident.status.${inc.status}`) })],
        [t("incident.position"), `${inc.lat_deg.toFixed(5)}, ${inc.lon_deg.toFixed(5)}`],
        [t("incident.address"), inc.address || "–"],
        [t("incident.description"), inc.description || "–"],
        [t("incident.reported_at"), fmtTime(inc.reported_at)],
        [t("incident.source"), inc.source],
      ]));
  }

  async refresh() {
    this.renderFacts();
    try {
      this.detail = await this.app.api.get(`/incidents/${this.id}`);
    } catch (err) {
      return;
    }
    this.app.state.incidents.set(this.id, { ...this.incident, ...this.detail });
    this.renderFacts();
    this.timeline.replaceChildren(...this.detail.events.slice().reverse().map((e) =>
      el("li", { dataset: { kind: e.kind } }, el("span", { class: "sub", text: `${fmtTime(e.at)} · ${e.actor} · ` }), `${t(`timeline.${e.kind}`, {}, e.kind)} ${e.text}`)));
    for (const e of this.detail.events) {
      if (e.kind === "dispatch" && e.data && e.data.system_id) this.sentSystemId = e.data.system_id;
    }
    this.loadRecordings();
    if (can(this.app.state.me.role, "dispatch") && this.incident.status !== "closed") this.renderRanking();
  }

  async renderRanking() {
    const inc = this.incident;
    let source = "station", candidates;
    try {
      const server = await optional(this.app.api.get(`/incidents/${this.id}/dispatch`));
      if (server) candidates = (server.candidates || []).map((c) => stationCandidate(this.app.state, c));
    } catch (err) {
      showResult(this.sendResult, err);
    }
    if (!candidates) { source = "estimate"; candidates = estimateRanking(this.app.state, inc); }
    this.rankingSource = source;
    const rows = candidates.slice(0, 8).map((c, i) => el("li", { class: "candidate", dataset: { systemId: String(c.system_id ?? ""), rank: String(i + 1) } },
      el("div", {}, el("strong", { text: `${i + 1}. ${c.name}` }), ` · ${t("dispatch.eta")} ${c.eta_lower_bound ? "≥ " : ""}${Math.round(c.eta_s)} s · ${(c.distance_m / 1000).toFixed(2)} km · ${c.battery_pct ?? "–"}%`),
      (c.reasons || []).length ? el("div", { class: "sub", text: c.reasons.join("; ") }) : null,
      c.eligible === false ? null : el("button", { class: "primary send", onclick: () => this.send(c) }, t("dispatch.send"))));
    this.rankingBox.replaceChildren(
      el("div", { class: "sub", text: source === "station" ? t("dispatch.by_station") : t("dispatch.by_estimate") }),
      rows.length ? el("ul", { class: "list" }, rows) : el("p", { class: "muted", text: t("dispatch.none") }));
  }

  /** One click: the station's dispatch if it has one, else take-off/fly-to by the pilot's commands. */
  async send(candidate) {
    const inc = this.incident;
    const api = this.app.api;
    this.sendResult.hidden = true;
    try {
      if (this.rankingSource === "station") {
        await api.post(`/incidents/${this.id}/dispatch`, { candidate_id: candidate.candidate_id, hold: "hover" });
      } else {
        const v = this.app.state.vehicles.get(candidate.system_id);
        if (!v.t.flying) {
          const err = await this.app.command(candidate.vehicle_id, "takeoff", { alt_m: DISPATCH_ALT_M });
          if (err) throw err;
          await this.app.waitFor(() => (this.app.state.vehicles.get(candidate.system_id).t.alt_rel_m ?? 0) >= DISPATCH_ALT_M * 0.8, CLIMB_WAIT_MS);
        }
        const err = await this.app.command(candidate.vehicle_id, "goto", { lat_deg: inc.lat_deg, lon_deg: inc.lon_deg, alt_m: DISPATCH_ALT_M });
        if (err) throw err;
        await api.post(`/incidents/${this.id}/events`, { kind: "dispatch", text: candidate.name, data: { system_id: candidate.system_id, vehicle_id: candidate.vehicle_id } });
        if (inc.status === "open") await api.post(`/incidents/${this.id}/status`, { status: "dispatched", note: candidate.name });
        // its camera on the incident from now on (the station records it); none: no stream
        await optional(api.put(`/incidents/${this.id}/video/streams/${encodeURIComponent(candidate.name)}`));
        this.pollVideo();
      }
      this.sentSystemId = candidate.system_id;
      showResult(this.sendResult, null, t("dispatch.sent", { name: candidate.name }));
    } catch (err) {
      showResult(this.sendResult, err);
    }
  }

  /** Called on every telemetry message: distance of the sent drone to the scene. */
  update() {
    const inc = this.incident;
    const v = this.sentSystemId !== null ? this.app.state.vehicles.get(this.sentSystemId) : null;
    if (!inc || !v || v.t.lat_deg === null) return;
    const d = distanceM(v.t.lat_deg, v.t.lon_deg, inc.lat_deg, inc.lon_deg);
    const arrived = d <= ARRIVAL_RADIUS_M;
    this.arrival.dataset.arrived = String(arrived);
    this.arrival.className = arrived ? "result ok" : "muted";
    const name = v.record ? v.record.name : `#${this.sentSystemId}`;
    this.arrival.textContent = arrived ? t("dispatch.arrived", { name }) : t("dispatch.en_route", { name, distance: Math.round(d) });
  }

  async pollVideo() {
    clearTimeout(this.videoTimer);
    if (this.video.abort) return;
    let streams;
    try {
      streams = await optional(this.app.api.get(`/incidents/${this.id}/video/streams`));
    } catch (err) {
      streams = [];
    }
    if (streams === null) { this.videoState.textContent = t("video.unavailable"); return; }
    if (!streams.length) {
      this.videoState.textContent = t("video.none");
      this.videoTimer = setTimeout(() => this.pollVideo(), VIDEO_POLL_MS);
      return;
    }
    const stream = streams[0];
    this.videoState.textContent = `${stream.stream_id} · ${stream.state ?? ""}`;
    this.video.play(`/api/incidents/${this.id}/video/streams/${encodeURIComponent(stream.stream_id)}/mjpeg`);
  }

  /** The incident's recorded segments (UTC start lines them up with telemetry); finished ones play. */
  async loadRecordings() {
    let segments;
    try {
      segments = await optional(this.app.api.get(`/incidents/${this.id}/video/recordings`));
    } catch (err) {
      return;
    }
    if (!segments) { this.recordingList.replaceChildren(); return; }
    const base = `/api/incidents/${this.id}/video/`;
    this.recordingList.replaceChildren(...segments.map((seg) => el("li", { dataset: { file: seg.file, complete: String(seg.complete) } },
      el("span", { text: `${seg.stream_id} · ${fmtTime(seg.start_utc)}${seg.end_utc ? ` – ${fmtTime(seg.end_utc)}` : ` · ${t("video.recording_now")}`} · ${(seg.bytes / 1e6).toFixed(1)} MB · ${seg.codec}` }),
      seg.complete && seg.play_url ? el("button", { class: "play watch", onclick: () => this.play(base + seg.play_url) }, t("video.play")) : null)));
  }

  async play(url) {
    try {
      await playRecording(this.playback, url, this.app.api.headers());
    } catch (err) {
      showResult(this.actionResult, { status: 0, message: `${t("video.play")}: ${err.message || err}`, reasons: [] });
    }
  }

  videoStatus(state, code) {
    if (state === "playing") { this.videoState.textContent = t("video.playing"); this.loadRecordings(); }
    if (state === "error" || state === "ended") {
      this.videoState.textContent = t("video.lost", { code: code ?? "" });
      this.video.abort = null;
      this.videoTimer = setTimeout(() => this.pollVideo(), VIDEO_POLL_MS);
    }
  }

  async setStatus(status) {
    try {
      await this.app.api.post(`/incidents/${this.id}/status`, { status, note: "" });
      showResult(this.actionResult, null, t(`incident.status.${status}`));
    } catch (err) { showResult(this.actionResult, err); }
  }

  async handover(unitId) {
    const unit = this.app.state.groundUnits.find((u) => String(u.id) === unitId);
    if (!unit) return;
    try {
      const done = await optional(this.app.api.post(`/incidents/${this.id}/handoff`, { unit_id: unit.id }));
      if (done === null) {
        await this.app.api.post(`/incidents/${this.id}/events`, { kind: "handover", text: unit.name, data: { ground_unit_id: unit.id, lat_deg: unit.lat_deg, lon_deg: unit.lon_deg } });
      }
      showResult(this.actionResult, null, t("incident.handed", { name: unit.name }));
    } catch (err) { showResult(this.actionResult, err); }
  }

  async close(summary) {
    if (!summary.trim()) { showResult(this.actionResult, { status: 422, message: t("incident.summary_needed"), reasons: [] }); return; }
    try {
      await this.app.api.post(`/incidents/${this.id}/close`, { summary });
      showResult(this.actionResult, null, t("incident.closed"));
    } catch (err) { showResult(this.actionResult, err); }
  }

  destroy() {
    clearTimeout(this.videoTimer);
    this.video.stop();
    if (this.playback.dataset.objectUrl) URL.revokeObjectURL(this.playback.dataset.objectUrl);
  }
}

/** The form for a new incident at a clicked point. */
export function newIncidentForm(app, lat, lon) {
  const kind = el("input", { name: "kind", value: t("incident.default_kind"), required: true });
  const priority = el("select", { name: "priority" }, [1, 2, 3, 4, 5].map((p) => el("option", { value: String(p), text: `P${p}`, selected: p === 2 })));
  const address = el("input", { name: "address" });
  const description = el("textarea", { name: "description", rows: 3 });
  const result = el("div", { class: "result", hidden: true });
  const form = el("form", { id: "incident-form", onsubmit: async (e) => {
    e.preventDefault();
    try {
      const inc = await app.api.post("/incidents", { kind: kind.value, priority: Number(priority.value), lat_deg: lat, lon_deg: lon, address: address.value, description: description.value });
      app.state.incidents.set(inc.id, inc);
      app.select({ kind: "incident", id: inc.id });
      app.refreshLists();
    } catch (err) { showResult(result, err); }
  } },
  el("h2", { text: t("incident.new") }),
  kv([[t("incident.position"), `${lat.toFixed(5)}, ${lon.toFixed(5)}`]]),
  el("label", {}, t("incident.kind"), kind), el("label", {}, t("incident.priority"), priority),
  el("label", {}, t("incident.address"), address), el("label", {}, t("incident.description"), description),
  el("div", { class: "row" }, el("button", { type: "submit", class: "primary", id: "incident-create" }, t("incident.create")),
    el("button", { type: "button", onclick: () => app.select(null) }, t("common.cancel"))), result);
  form.style.display = "flex"; form.style.flexDirection = "column"; form.style.gap = "0.3em";
  return form;
}
