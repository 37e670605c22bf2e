// The pilot's panel for one drone: full state, link quality, commands, route drawing, progress.

import { optional } from "../api.js";
import { fmtTime, t } from "../i18n.js";
import { can, confirmAction, el, fmtNum, kv, showResult } from "../ui.js";

const DEFAULT_ALT_M = 40;

function stateRows(v, nowMs) {
  const tm = v.t;
  const age = (nowMs - v.seenMs) / 1000;
  return [
    [t("drone.link"), tm.online ? t("drone.online") : t("drone.link_lost")],
    [t("drone.link_loss"), fmtNum(tm.link_loss_pct, 1, " %")],
    [t("drone.updated"), `${age.toFixed(1)} s`],
    [t("drone.mode"), tm.mode || "–"],
    [t("drone.armed"), tm.armed ? t("common.yes") : t("common.no")],
    [t("drone.flying"), tm.flying ? t("common.yes") : t("common.no")],
    [t("drone.autopilot"), tm.autopilot ?? "–"],
    [t("drone.position"), tm.lat_deg === null ? "–" : `${tm.lat_deg.toFixed(6)}, ${tm.lon_deg.toFixed(6)}`],
    [t("drone.alt_rel"), fmtNum(tm.alt_rel_m, 1, " m")],
    [t("drone.alt_amsl"), fmtNum(tm.alt_amsl_m, 1, " m")],
    [t("drone.heading"), fmtNum(tm.heading_deg, 0, "°")],
    [t("drone.speed"), fmtNum(tm.groundspeed_mps, 1, " m/s")],
    [t("drone.climb"), fmtNum(tm.climb_mps, 1, " m/s")],
    [t("drone.battery"), `${fmtNum(tm.battery_pct, 0, " %")} · ${fmtNum(tm.battery_v, 2, " V")}`],
    [t("drone.gps"), `${tm.gps_fix ?? "–"} · ${tm.satellites ?? "–"} ${t("drone.sats")}`],
    [t("drone.mission"), tm.mission_total ? `${tm.mission_current ?? 0} / ${tm.mission_total}` : "–"],
  ];
}

export class DronePanel {
  constructor(app, systemId) {
    this.app = app;
    this.systemId = systemId;
    this.root = el("div", { class: "panel", id: "drone-panel", dataset: { systemId: String(systemId) } });
    this.table = el("div");
    this.result = el("div", { class: "result", id: "command-result", hidden: true });
    this.routeResult = el("div", { class: "result", id: "route-result", hidden: true });
    this.build();
  }

  get vehicle() { return this.app.state.vehicles.get(this.systemId); }
  get record() { return this.app.state.records.get(this.systemId); }

  build() {
    const v = this.vehicle;
    const name = this.record ? this.record.name : `#${this.systemId}`;
    this.root.append(el("h2", {}, `${t("drone.title")} ${name}`, el("span", { class: "muted" }, ` sysid ${this.systemId}`)));
    this.root.append(this.table);
    this.update();
    if (!can(this.app.state.me.role, "command")) return;
    if (!this.record) {
      this.root.append(el("p", { class: "muted", text: t("drone.unregistered") }));
      return;
    }
    this.alt = el("input", { type: "number", min: 5, max: 500, value: DEFAULT_ALT_M, id: "cmd-alt", style: "width:5em" });
    this.radius = el("input", { type: "number", min: 5, max: 2000, value: 60, id: "cmd-radius", style: "width:5em" });
    const button = (name, text, handler, cls = "") => el("button", { class: `cmd ${cls}`, dataset: { command: name }, onclick: handler }, text);
    this.root.append(
      el("h3", { text: t("drone.commands") }),
      el("div", { class: "row" }, el("label", {}, `${t("drone.alt_target")} `, this.alt, " m"),
        el("label", {}, `${t("drone.orbit_radius")} `, this.radius, " m")),
      el("div", { class: "row commands" },
        button("arm", t("cmd.arm"), () => this.send("arm", {})),
        button("takeoff", t("cmd.takeoff"), () => this.send("takeoff", { alt_m: this.altM() })),
        button("goto", t("cmd.goto"), () => this.pick("goto")),
        button("orbit", t("cmd.orbit"), () => this.pick("orbit")),
        button("hold", t("cmd.hold"), () => this.send("hold")),
        button("rtl", t("cmd.rtl"), () => this.send("rtl")),
        button("land", t("cmd.land"), () => this.send("land"), "danger"),
        button("disarm", t("cmd.disarm"), () => this.send("disarm", {}), "danger")),
      this.result,
    );
    this.buildRoutePlanner();
  }

  altM() { return Number(this.alt.value) || DEFAULT_ALT_M; }

  update() {
    const v = this.vehicle;
    if (!v) { this.table.replaceChildren(el("p", { class: "muted", text: t("drone.no_telemetry") })); return; }
    this.table.replaceChildren(kv(stateRows(v, performance.now())));
    this.table.dataset.lat = String(v.t.lat_deg);
  }

  pick(command) {
    this.app.setMode({
      kind: command, hint: t(command === "goto" ? "mode.pick_goto" : "mode.pick_orbit"),
      onClick: (lat, lon) => {
        this.app.setMode(null);
        const body = command === "goto"
          ? { lat_deg: lat, lon_deg: lon, alt_m: this.altM() }
          : { lat_deg: lat, lon_deg: lon, radius_m: Number(this.radius.value) || 60, alt_m: this.altM() };
        this.send(command, body);
      },
    });
  }

  describe(command, body) {
    const name = this.record.name;
    const where = body && body.lat_deg !== undefined ? ` → ${body.lat_deg.toFixed(5)}, ${body.lon_deg.toFixed(5)}` : "";
    const alt = body && body.alt_m ? ` @ ${body.alt_m} m` : "";
    return t("cmd.confirm", { command: t(`cmd.${command}`), name }) + where + alt;
  }

  async send(command, body) {
    if (!(await confirmAction(this.describe(command, body)))) return;
    const err = await this.app.command(this.record.id, command, body);
    showResult(this.result, err, t("cmd.accepted", { command: t(`cmd.${command}`) }));
  }

  buildRoutePlanner() {
    const shape = el("select", { id: "route-shape" },
      ["waypoints", "polygon", "polyline"].map((s) => el("option", { value: s, text: t(`route.shape.${s}`) })));
    const pattern = el("select", { id: "route-pattern" },
      ["sweep", "perimeter"].map((p) => el("option", { value: p, text: t(`route.pattern.${p}`) })));
    const upload = el("button", { id: "route-upload", disabled: true, onclick: () => this.uploadRoute(shape.value, pattern.value) }, t("route.upload"));
    const draw = el("button", { id: "route-draw", onclick: () => this.drawRoute(shape.value, upload) }, t("route.draw"));
    const validate = el("button", { id: "route-validate", onclick: () => this.validateRoute(shape.value, pattern.value, upload) }, t("route.validate"));
    const clear = el("button", { onclick: () => { this.app.state.draft = null; this.app.state.draftPath = null; this.app.setMode(null); upload.disabled = true; this.routeResult.hidden = true; this.app.redraw(); } }, t("route.clear"));
    this.root.append(el("fieldset", {}, el("legend", { text: t("route.title") }),
      el("div", { class: "row" }, shape, pattern),
      el("div", { class: "row" }, draw, validate, upload, clear), this.routeResult));
  }

  drawRoute(shape, upload) {
    upload.disabled = true;
    this.app.state.draft = { shape, points: [] };
    this.app.state.draftPath = null;
    this.app.setMode({
      kind: "route", hint: t("mode.route"), keep: true,
      onClick: (lat, lon) => { this.app.state.draft.points.push([lat, lon]); this.app.redraw(); },
    });
  }

  routeBody(shape, pattern) {
    const draft = this.app.state.draft;
    return { shape, pattern: shape === "polygon" ? pattern : null, alt_m: this.altM(),
      points: (draft?.points || []).map(([lat, lon]) => [lat, lon]) };
  }

  async validateRoute(shape, pattern, upload) {
    this.app.setMode(null);
    const body = this.routeBody(shape, pattern);
    try {
      const out = await optional(this.app.api.post(`/vehicles/${this.record.id}/route/validate`, body));
      if (out === null) { showResult(this.routeResult, { status: 404, message: t("route.no_endpoint"), reasons: [] }); return; }
      const reasons = out.reasons || [];
      this.app.redraw();
      if (out.ok) {
        showResult(this.routeResult, null, t("route.valid", { count: out.items, length: Math.round(out.length_m ?? 0), minutes: ((out.duration_s ?? 0) / 60).toFixed(1) }));
        for (const note of out.notes || []) this.routeResult.append(el("div", { class: "sub", text: note }));
        this.app.state.draftPath = out.path;
        upload.disabled = !can(this.app.state.me.role, "command");
      } else {
        showResult(this.routeResult, { status: 409, message: t("route.invalid"), reasons });
      }
    } catch (err) {
      showResult(this.routeResult, err);
    }
  }

  async uploadRoute(shape, pattern) {
    if (!(await confirmAction(t("route.confirm_upload", { name: this.record.name })))) return;
    const body = this.routeBody(shape, pattern);
    try {
      const out = await this.app.api.post(`/vehicles/${this.record.id}/route/upload`, body);
      const v = this.vehicle;
      if (v) v.mission = out.path;
      showResult(this.routeResult, null, t("route.uploaded", { at: fmtTime(new Date().toISOString()) }));
      this.app.state.draft = null;
      this.app.state.draftPath = null;
      this.app.redraw();
    } catch (err) {
      showResult(this.routeResult, err);
    }
  }
}
