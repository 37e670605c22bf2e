// Main-thread lag measured in the page: animation-frame gaps, long tasks, message handling time.

export class PerfProbe {
  constructor() {
    this.running = false;
    this.gaps = [];
    this.longTasks = [];
    this.handleMs = [];
    this.drawMs = [];
    this.observer = null;
    this.last = 0;
  }

  start() {
    this.gaps = []; this.longTasks = []; this.handleMs = []; this.drawMs = [];
    this.running = true;
    this.generation = (this.generation || 0) + 1;
    const generation = this.generation;
    this.last = performance.now();
    if ("PerformanceObserver" in window && PerformanceObserver.supportedEntryTypes?.includes("longtask")) {
      this.observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) this.longTasks.push(e.duration);
      });
      this.observer.observe({ entryTypes: ["longtask"] });
    }
    const tick = (now) => {
      if (!this.running || generation !== this.generation) return; // an earlier run's chain ends
      this.gaps.push(now - this.last);
      this.last = now;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  recordHandling(ms) { if (this.running) this.handleMs.push(ms); }

  recordDraw(ms) { if (this.running) this.drawMs.push(ms); }

  stop() {
    this.running = false;
    if (this.observer) this.observer.disconnect();
    const sorted = (xs) => xs.slice().sort((a, b) => a - b);
    const pct = (xs, p) => (xs.length ? sorted(xs)[Math.min(xs.length - 1, Math.floor(p * xs.length))] : 0);
    const sum = (xs) => xs.reduce((a, b) => a + b, 0);
    return {
      frames: this.gaps.length,
      frame_gap_p50_ms: pct(this.gaps, 0.5), frame_gap_p95_ms: pct(this.gaps, 0.95),
      frame_gap_max_ms: this.gaps.length ? Math.max(...this.gaps) : 0,
      long_tasks: this.longTasks.length, long_task_total_ms: sum(this.longTasks),
      messages: this.handleMs.length, handle_p50_ms: pct(this.handleMs, 0.5),
      handle_p95_ms: pct(this.handleMs, 0.95), handle_max_ms: this.handleMs.length ? Math.max(...this.handleMs) : 0,
      draws: this.drawMs.length, draw_p50_ms: pct(this.drawMs, 0.5), draw_p95_ms: pct(this.drawMs, 0.95),
    };
  }
}

/** Synthetic telemetry of ``count`` drones circling the view centre, step ``k`` of a run. */
export function syntheticTelemetry(count, k, centre, firstId = 1000) {
  const vehicles = [];
  for (let i = 0; i < count; i++) {
    const a = (i / count) * 2 * Math.PI + k * 0.02;
    const r = 0.004 + 0.016 * ((i * 7919) % count) / count;
    vehicles.push({ system_id: firstId + i, online: true, armed: true, flying: true, mode: "AUTO",
      autopilot: "ARDUPILOTMEGA", system_status: 4,
      lat_deg: centre[0] + r * Math.sin(a), lon_deg: centre[1] + r * Math.cos(a),
      alt_rel_m: 60 + (i % 40), alt_amsl_m: 170, heading_deg: ((a * 180) / Math.PI + 90) % 360,
      groundspeed_mps: 12, climb_mps: 0, battery_pct: 30 + (i % 70), battery_v: 15.8,
      gps_fix: 3, satellites: 14, mission_current: k % 40, mission_total: 40, link_loss_pct: 0 });
  }
  return { type: "telemetry", at: new Date().toISOString(), vehicles };
}

/**
 * Measure the page under load: feed ``drones`` synthetic drones at ``rateHz`` through the
 * live-message path for ``seconds`` (0 drones: the idle baseline) and return the lag figures.
 * Only this page sees the synthetic drones; nothing is sent to the station.
 */
export async function loadTest(live, probe, centre, { drones, rateHz, seconds }) {
  probe.start();
  const steps = Math.round(rateHz * seconds);
  for (let k = 0; k < steps; k++) {
    if (drones > 0) live.inject(syntheticTelemetry(drones, k, centre));
    await new Promise((resolve) => setTimeout(resolve, 1000 / rateHz));
  }
  return { drones, rate_hz: rateHz, seconds, ...probe.stop() };
}
