// Small DOM helpers shared by the panels: elements, confirmation, results, role checks.

import { t } from "./i18n.js";

/** Which roles may use which controls (the station checks again on every request). */
export const PERMISSIONS = Object.freeze({
  command: ["admin", "pilot"],
  route: ["admin", "pilot", "commander"],
  incident_create: ["admin", "commander", "pilot"],
  incident_update: ["admin", "commander", "pilot"],
  incident_close: ["admin", "commander"],
  dispatch: ["admin", "commander", "pilot"],
  dock_control: ["admin", "pilot"],
  coverage: ["admin", "pilot", "commander", "automation", "viewer"], // read-only: every role
});

export function can(role, action) {
  return (PERMISSIONS[action] || []).includes(role);
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** A key/value table. */
export function kv(rows) {
  return el("table", { class: "kv" }, rows.map(([k, v]) => el("tr", {}, el("td", { text: k }), el("td", {}, v ?? "–"))));
}

/** Ask before acting; resolves true when confirmed. */
export function confirmAction(text) {
  const dialog = document.getElementById("confirm");
  document.getElementById("confirm-text").textContent = text;
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.returnValue = "";
    dialog.showModal();
  });
}

export function toast(text) {
  const box = document.getElementById("toast");
  const line = el("div", { text });
  box.append(line);
  setTimeout(() => line.remove(), 5000);
}

/** Show an API outcome in a result box: the refusal reasons when the station said no. */
export function showResult(box, err, okText) {
  box.hidden = false;
  box.replaceChildren();
  if (!err) {
    box.className = "result ok";
    box.dataset.outcome = "ok";
    box.textContent = okText;
    return;
  }
  box.className = "result refused";
  box.dataset.outcome = "refused";
  const head = err.status === 403 ? t("result.forbidden") : err.status === 0 ? t("result.network") : t("result.refused");
  box.append(el("strong", { text: head }), el("div", { class: "reason", text: err.message }));
  for (const r of err.reasons || []) box.append(el("div", { class: "reason", text: `• ${r}` }));
}

export function fmtNum(value, digits = 0, unit = "") {
  return value === null || value === undefined ? "–" : `${Number(value).toFixed(digits)}${unit}`;
}

export function distanceM(lat1, lon1, lat2, lon2) {
  const r = 6371008.8, rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad, dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * r * Math.asin(Math.sqrt(a));
}
