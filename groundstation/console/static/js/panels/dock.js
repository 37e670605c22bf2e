// The dock operator's panel: state and readings, schedules with their runs, manual cover control.

import { optional } from "../api.js";
import { fmtTime, t } from "../i18n.js";
import { can, confirmAction, el, fmtNum, kv, showResult } from "../ui.js";

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

  build() {
    const d = this.dock;
    this.root.append(el("h2", { text: `${t("dock.title")} ${d.name}` }),
      kv([[t("dock.key"), d.dock_key], [t("incident.position"), `${d.lat_deg.toFixed(5)}, ${d.lon_deg.toFixed(5)}`]]),
      el("h3", { text: t("dock.readings") }), this.readings,
      el("h3", { text: t("dock.schedules") }), this.schedules,
      el("h3", { text: t("dock.history") }), this.history);
    if (can(this.app.state.me.role, "dock_control")) {
      this.root.append(el("h3", { text: t("dock.maintenance") }), el("div", { class: "row" },
        el("button", { id: "dock-open", onclick: () => this.service("cover_open") }, t("dock.open")),
        el("button", { id: "dock-close", onclick: () => this.service("cover_close") }, t("dock.close"))), this.result);
    }
    this.refresh();
  }

  async refresh() {
    const status = await optional(this.app.api.get(`/docks/${this.id}/status`)).catch(() => null);
    if (status) {
      const d = this.dock;
      if (d) d.state = status.state;
      const w = status.weather || {};
      this.readings.replaceChildren(kv([
        [t("dock.state"), t(`dock.state.${status.state}`)],
        [t("dock.door"), status.cover ?? status.door ?? "–"],
        [t("dock.charge"), fmtNum(status.charge_pct ?? status.drone_charge_pct, 0, " %")],
        [t("dock.drone_present"), status.drone_present === undefined ? "–" : status.drone_present ? t("common.yes") : t("common.no")],
        [t("dock.wind"), fmtNum(w.wind_mps ?? status.wind_mps, 1, " m/s")],
        [t("dock.rain"), w.rain ?? status.rain ?? "–"],
        [t("dock.temperature"), fmtNum(w.temperature_c ?? status.temperature_c, 1, " °C")],
        [t("drone.updated"), status.updated_at ? fmtTime(status.updated_at) : "–"],
      ]));
    } else {
      this.readings.replaceChildren(el("p", { class: "muted", text: t("dock.no_status") }));
    }
    try {
      const schedules = (await this.app.api.get("/schedules")).filter((s) => s.dock_id === this.id);
      this.schedules.replaceChildren(schedules.length
        ? el("ul", { class: "list" }, schedules.map((s) => el("li", {}, `${s.name} · ${s.cron} (${s.timezone})`, el("div", { class: "sub", text: s.enabled ? t("dock.enabled") : t("dock.disabled") }))))
        : el("p", { class: "muted", text: t("dock.no_schedules") }));
    } catch (err) {
      this.schedules.replaceChildren(el("p", { class: "error", text: err.message }));
    }
    const history = await optional(this.app.api.get(`/docks/${this.id}/history`)).catch(() => null);
    this.history.replaceChildren(...(history === null ? [el("li", { class: "muted", text: t("dock.no_history") })]
      : history.map((h) => el("li", {}, el("span", { class: "sub", text: `${fmtTime(h.at)} · ` }), `${h.kind ?? ""} ${h.text ?? h.result ?? ""}`))));
  }

  async service(name) {
    if (!(await confirmAction(t("dock.confirm", { action: t(`dock.${name === "cover_open" ? "open" : "close"}`), name: this.dock.name })))) return;
    try {
      const out = await optional(this.app.api.post(`/docks/${this.id}/services/${name}`, {}));
      if (out === null) showResult(this.result, { status: 404, message: t("dock.no_control"), reasons: [] });
      else showResult(this.result, null, t("dock.done"));
      this.refresh();
    } catch (err) {
      showResult(this.result, err);
    }
  }
}
