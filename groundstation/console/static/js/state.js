// The console's picture of the station: live vehicles with trails, records, incidents, alerts.

export const TRAIL_POINTS = 30;
export const ALERT_KEEP = 200;

export function createState() {
  return {
    me: null,
    config: null,
    vehicles: new Map(),     // system_id -> {t: telemetry, trail: [[lat, lon]], seenMs, record, mission}
    records: new Map(),      // system_id -> registered vehicle (id, name, dock_id, cruise_speed_mps)
    incidents: new Map(),    // id -> incident
    docks: [],
    zones: [],
    groundUnits: [],
    basemap: [],
    alerts: [],
    rings: [],
    coverage: null,          // a district's coverage: {outline, cellM, result, layer} (coverage.js)
    draft: null,             // {shape: "waypoints" | "polygon" | "polyline", points: [[lat, lon]]}
    draftPath: null,         // the validated route's places: [[item index, lat, lon]]
    selected: null,          // {kind: "drone" | "incident" | "dock" | "unit", id}
    mode: null,              // a map click in progress: {kind, ...}
    show: { zones: true, trails: true, rings: false },
    telemetryAtMs: 0,
    stale: false,            // nothing from the station for longer than the stale limit
  };
}

/** Take one telemetry message into the state; returns system ids seen for the first time. */
export function applyTelemetry(state, message, nowMs) {
  const fresh = [];
  state.telemetryAtMs = nowMs;
  for (const tm of message.vehicles || []) {
    let v = state.vehicles.get(tm.system_id);
    if (!v) {
      v = { t: tm, trail: [], seenMs: nowMs, record: state.records.get(tm.system_id) || null, mission: null };
      state.vehicles.set(tm.system_id, v);
      fresh.push(tm.system_id);
    }
    v.t = tm;
    v.seenMs = nowMs;
    if (tm.lat_deg !== null && tm.lon_deg !== null) {
      const last = v.trail[v.trail.length - 1];
      if (!last || last[0] !== tm.lat_deg || last[1] !== tm.lon_deg) {
        v.trail.push([tm.lat_deg, tm.lon_deg]);
        if (v.trail.length > TRAIL_POINTS) v.trail.shift();
      }
    }
  }
  return fresh;
}

export function setRecords(state, records) {
  state.records = new Map(records.map((r) => [r.system_id, r]));
  for (const [sysid, v] of state.vehicles) v.record = state.records.get(sysid) || null;
}

export function addAlert(state, alert) {
  state.alerts.unshift(alert);
  if (state.alerts.length > ALERT_KEEP) state.alerts.length = ALERT_KEEP;
}

export function vehicleName(state, systemId) {
  const rec = state.records.get(systemId);
  return rec ? rec.name : `#${systemId}`;
}
