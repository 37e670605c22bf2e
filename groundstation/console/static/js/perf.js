// Main-thread lag measured in the page: animation-frame gaps, long tasks, message handling time.

export class PerfProbe {
  constructor() {
    this.running = false;
    this.gaps = [];
    this.longTasks = [];
    this.handleMs = [];
    this.observer = null;
    this.last = 0;
  }

  start() {
    this.gaps = []; this.longTasks = []; this.handleMs = [];
    this.running = true;
    this.last = performance.now();
    if ("PerformanceObserver" in window && PerformanceObserver.supportedEntryTypes?.includes("longtask")) {
      this.observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) this.longTasks.push(e.duration);
      });
      this.observer.observe({ entryTypes: ["longtask"] });
    }
    const tick = (now) => {
      if (!this.running) return;
      this.gaps.push(now - this.last);
      this.last = now;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  recordHandling(ms) { if (this.running) this.handleMs.push(ms); }

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
    };
  }
}
