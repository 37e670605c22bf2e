// The live WebSocket: reconnects by itself (station restarts) and reports staleness.

export const LinkState = Object.freeze({
  CONNECTING: "connecting", LIVE: "live", RECONNECTING: "reconnecting", UNAUTHORISED: "unauthorised",
});

export class Live {
  constructor({ tokenOf, intervalS, staleAfterS, onMessage, onState, retry = { firstS: 0.5, maxS: 5 } }) {
    this.tokenOf = tokenOf;
    this.intervalS = intervalS;
    this.staleAfterMs = staleAfterS * 1000;
    this.onMessage = onMessage;
    this.onState = onState;
    this.retry = retry;
    this.socket = null;
    this.state = LinkState.CONNECTING;
    this.lastMessageMs = 0;
    this.attempt = 0;
    this.timer = null;
    this.stopped = true;
    this.reconnects = 0;
  }

  start() {
    this.stopped = false;
    this.open();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.socket) this.socket.close();
    this.socket = null;
  }

  setState(state) {
    if (state !== this.state) {
      this.state = state;
      this.onState(state);
    }
  }

  open() {
    clearTimeout(this.timer);
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const query = new URLSearchParams({ token: this.tokenOf(), interval_s: String(this.intervalS) });
    const socket = new WebSocket(`${scheme}://${location.host}/api/ws?${query}`);
    this.socket = socket;
    socket.onmessage = (ev) => {
      this.lastMessageMs = performance.now();
      let message;
      try { message = JSON.parse(ev.data); } catch { return; }
      if (message.type === "hello") {
        this.attempt = 0;
        this.setState(LinkState.LIVE);
      }
      this.onMessage(message);
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) return;
      if (ev.code === 1008) {
        this.setState(LinkState.UNAUTHORISED);
        return;
      }
      this.setState(this.lastMessageMs ? LinkState.RECONNECTING : LinkState.CONNECTING);
      const delayS = Math.min(this.retry.maxS, this.retry.firstS * 2 ** this.attempt);
      this.attempt += 1;
      this.reconnects += 1;
      this.timer = setTimeout(() => this.open(), delayS * 1000);
    };
  }

  /** Feed a message as if the station sent it (used to load-test the page's drawing). */
  inject(message) {
    this.lastMessageMs = performance.now();
    this.onMessage(message);
  }

  /** True when connected but nothing arrived for longer than the stale limit. */
  isStale(nowMs = performance.now()) {
    return this.state !== LinkState.LIVE || nowMs - this.lastMessageMs > this.staleAfterMs;
  }
}
