// District coverage: draw a district's outline on the map, ask the station which share of it each
// dock reaches within the 1/3/5-minute rings (and the whole fleet), and show the reached area on
// the map with the shares as numbers. Any logged-in role may ask; nothing is changed.

import { coverageState, ringKeys, sharePct } from "../coverage.js";
import { t } from "../i18n.js";
import { el, showResult } from "../ui.js";

export const MIN_CORNERS = 3;

export class CoveragePanel {
  constructor(app) {
    this.app = app;
    this.cov = coverageState(app.state);
    this.root = el("div", { class: "panel", id: "coverage-panel" });
    this.result = el("div", { class: "result", id: "coverage-result", hidden: true });
    this.table = el("div", { id: "coverage-table" });
    this.build();
  }

  build() {
    const cell = el("input", { id: "coverage-cell", type: "number", min: "20", max: "2000", step: "10", value: String(this.cov.cellM) });
    cell.addEventListener("change", () => { this.cov.cellM = Number(cell.value); });
    this.cell = cell;
    this.root.append(el("h2", { text: t("coverage.title") }),
      el("p", { class: "muted", text: t("coverage.help") }),
      el("div", { class: "row" }, el("label", {}, `${t("coverage.cell")} `, cell)),
      el("div", { class: "row" },
        el("button", { id: "coverage-draw", onclick: () => this.draw() }, t("coverage.draw")),
        el("button", { id: "coverage-compute", class: "primary", onclick: () => this.compute() }, t("coverage.compute")),
        el("button", { id: "coverage-clear", onclick: () => this.clear() }, t("coverage.clear"))),
      this.result, this.table);
    this.showShares();
  }

  draw() {
    this.cov.outline = [];
    this.cov.result = null;
    this.cov.layer = null;
    this.result.hidden = true;
    this.showShares();
    this.app.setMode({
      kind: "coverage", hint: t("mode.coverage"),
      onClick: (lat, lon) => { this.cov.outline.push([lat, lon]); this.app.redraw(); },
    });
    this.app.redraw();
  }

  clear() {
    this.app.setMode(null);
    this.app.state.coverage = null;
    this.cov = coverageState(this.app.state);
    this.cell.value = String(this.cov.cellM);
    this.result.hidden = true;
    this.showShares();
    this.app.redraw();
  }

  async compute() {
    const cellM = Number(this.cell.value);
    if (this.cov.outline.length < MIN_CORNERS) {
      showResult(this.result, { status: 422, message: t("coverage.need_corners", { n: MIN_CORNERS }), reasons: [] });
      return;
    }
    if (!Number.isFinite(cellM) || cellM < Number(this.cell.min) || cellM > Number(this.cell.max)) {
      showResult(this.result, { status: 422, message: t("coverage.bad_cell", { min: this.cell.min, max: this.cell.max }), reasons: [] });
      return;
    }
    this.app.setMode(null);
    this.cov.cellM = cellM;
    this.root.dataset.busy = "true";
    try {
      const out = await this.app.api.post("/coverage", { outline: this.cov.outline, cell_m: cellM });
      this.cov.result = out;
      this.cov.layer = null;
      this.result.hidden = true;
    } catch (err) {
      // the drawn outline stays: the user can change the cell size and ask again
      showResult(this.result, err.status === 503 ? { ...err, message: t("coverage.no_docks") } : err);
    } finally {
      delete this.root.dataset.busy;
    }
    this.showShares();
    this.app.redraw();
  }

  /** The shares table: the fleet's union first, then each dock; a row picks the map layer. */
  showShares() {
    const out = this.cov.result;
    if (!out) { this.table.replaceChildren(); return; }
    const rings = ringKeys(out);
    const names = new Map(this.app.state.docks.map((d) => [d.dock_key, d.name]));
    const row = (dockId, label, shares) => el("tr", {
      class: `pick ${this.cov.layer === dockId ? "selected" : ""}`, dataset: { dockId: dockId ?? "" },
      onclick: () => { this.cov.layer = dockId; this.showShares(); this.app.redraw(); },
    }, el("td", { text: label }), rings.map((r, i) => el("td", { class: `share ring-${i}`, dataset: { ring: r, share: String(shares[r]) }, text: sharePct(shares[r]) })));
    const docks = Object.keys(out.per_dock).sort();
    this.table.replaceChildren(
      el("p", { class: "sub", id: "coverage-area", text: t("coverage.area", { km2: (out.area_m2 / 1e6).toFixed(2), cell: out.cell_m }) }),
      el("table", { class: "kv shares" },
        el("tr", {}, el("th", { text: t("coverage.dock") }), rings.map((r, i) => el("th", { class: `ring-${i}`, text: t("coverage.within", { m: Number(r) / 60 }) }))),
        row(null, t("coverage.union"), out.union),
        docks.map((k) => row(k, names.get(k) || k, out.per_dock[k]))),
      el("p", { class: "sub", text: docks.length ? t("coverage.pick_layer") : t("coverage.no_docks") }));
  }
}
