// The dock operator's panel: state and readings, schedules with their runs, state history,
// maintenance mode and manual cover control (admin, pilot; the station checks again).

import { optional } from "../api.js";
import { fmtTime, t } from "../i18n.js";
import { can, confirmAction, el, kv, showResult } from "../ui.js";

function readingRows(readings) {
  return Object.entries(readings || {}).map(([k, v]) => [t(`reading.${k}`, {}, k), v === null || v === undefined ? "–" : typeof v === "number" ? String(Math.round(v * 100) / 100) : String(v)]);
}

export class DockPanel {
  constructor(app, dockId) {
    this.app = app;
    this.id = dockId;
    this.root = el("div", { class: "panel", id: "dock-panel", dataset: { dockId: String(dockId) } });
    this.readings = el("div", { id: "dock-readings" });
    this.schedules = el("div", { id: "dock-schedules" });
    this.history = el("ul", { class: "list timeline", id: "dock-history" });
    this.result = el("div", { class: "result", id: "dock-result", hidden: true });
    this.build();
  }

  get dock() { return this.app.state.docks.find((d) => d.id === this.id); }
  get key() { return encodeURIComponent(this.dock.dock_key); }

  build() {
    const d = this.dock;
    this.root.append(el("h2", { text: `${t("dock.title")} ${d.name}` }),
      kv([[t("dock.key"), d.dock_key], [t("incident.position"), `${d.lat_deg.toFixed(5)}, ${d.lon_deg.toFixed(5)}`]]),
      el("h3", { text: t("dock.readings") }), this.readings,
      el("h3", { text: t("dock.schedules") }), this.schedules,
      el("h3", { text: t("dock.history") }), this.history);
    if (can(this.app.state.me.role, "dock_control")) {
      this.root.append(el("h3", { text: t("dock.maintenance") }), el("div", { class: "row" },
        el("button", { id: "dock-maintenance-on", onclick: () => this.act("maintenance", { on: true }, t("dock.maintenance_on")) }, t("dock.maintenance_on")),
        el("button", { id: "dock-maintenance-off", onclick: () => this.act("maintenance", { on: false }, t("dock.maintenance_off")) }, t("dock.maintenance_off")),
        el("button", { id: "dock-open", onclick: () => this.act("cover", { action: "open" }, t("dock.open")) }, t("dock.open")),
        el("button", { id: "dock-close", onclick: () => this.act("cover", { action: "close" }, t("dock.close")) }, t("dock.close"))), this.result);
    }
    this.refresh();
  }

  async refresh() {
    const live = await optional(this.app.api.get(`/operations/docks/${this.key}`)).catch(() => null);
    if (live) {
      const d = this.dock;
      if (d) d.state = live.state;
      this.app.redraw();
      this.readings.replaceChildren(kv([
        [t("dock.state"), t(`dock.state.${live.state}`)],
        [t("dock.online"), live.online ? t("common.yes") : t("common.no")],
        [t("dock.drone"), live.drone_id ?? "–"],
        [t("dock.max_wind"), `${live.max_wind_mps} m/s`],
        ...readingRows(live.readings),
      ]));
      this.history.replaceChildren(...(live.transitions || []).slice().reverse().map((h) =>
        el("li", {}, el("span", { class: "sub", text: `${fmtTime(h.at)} · ` }), `${t(`dock.state.${h.old}`)} → ${t(`dock.state.${h.new}`)} ${h.reason}`)));
    } else {
      this.readings.replaceChildren(el("p", { class: "muted", text: t("dock.no_status") }));
      this.history.replaceChildren(el("li", { class: "muted", text: t("dock.no_history") }));
    }
    await this.refreshSchedules();
  }

  async refreshSchedules() {
    try {
      const patrols = await optional(this.app.api.get("/operations/schedules"));
      const mine = patrols === null
        ? (await this.app.api.get("/schedules")).filter((s) => s.dock_id === this.id)
          .map((s) => ({ schedule_id: String(s.id), name: s.name, cron: s.cron, timezone: s.timezone, enabled: s.enabled, runs: null }))
        : patrols.filter((s) => s.dock_id === this.dock.dock_key).map((s) => ({ ...s, name: s.schedule_id, runs: [] }));
      const items = [];
      for (const s of mine) {
        const runs = s.runs === null ? null : await optional(this.app.api.get(`/operations/schedules/${encodeURIComponent(s.schedule_id)}/runs`)).catch(() => null);
        items.push(el("li", {}, `${s.name} · ${s.cron ?? fmtTime(s.at)} (${s.timezone})`,
          el("div", { class: "sub", text: s.enabled ? t("dock.enabled") : t("dock.disabled") }),
          ...(runs || []).slice(-5).reverse().map((r) => el("div", { class: "sub", text: `${fmtTime(r.slot)} · ${r.status}${r.outcome ? ` · ${r.outcome}` : ""}${(r.reasons || []).length ? ` · ${r.reasons.join("; ")}` : ""}` }))));
      }
      this.schedules.replaceChildren(items.length ? el("ul", { class: "list" }, items) : el("p", { class: "muted", text: t("dock.no_schedules") }));
    } catch (err) {
      this.schedules.replaceChildren(el("p", { class: "error", text: err.message }));
    }
  }

  async act(path, body, label) {
    if (!(await confirmAction(t("dock.confirm", { action: label, name: this.dock.name })))) return;
    try {
      const out = await optional(this.app.api.post(`/operations/docks/${this.key}/${path}`, body));
      if (out === null) showResult(this.result, { status: 404, message: t("dock.no_control"), reasons: [] });
      else showResult(this.result, null, `${t("dock.done")}: ${t(`dock.state.${out.state}`)}`);
      this.refresh();
    } catch (err) {
      showResult(this.result, err);
    }
  }
}
