// HTTP calls to the station's /api with the login token; errors keep the station's reasons.

export class ApiError extends Error {
  constructor(status, body) {
    const detail = body && typeof body.detail === "string" ? body.detail
      : body && body.detail ? JSON.stringify(body.detail) : `HTTP ${status}`;
    super(detail);
    this.status = status;
    this.code = body && body.code ? body.code : "";
    this.reasons = body && Array.isArray(body.reasons) ? body.reasons : [];
  }
}

const TOKEN_KEY = "gcs.token";

export class Api {
  constructor() {
    this.token = sessionStorage.getItem(TOKEN_KEY) || "";
    this.onUnauthorised = () => {};
  }

  setToken(token) {
    this.token = token || "";
    if (token) sessionStorage.setItem(TOKEN_KEY, token); else sessionStorage.removeItem(TOKEN_KEY);
  }

  headers(extra = {}) {
    return this.token ? { Authorization: `Bearer ${this.token}`, ...extra } : extra;
  }

  async request(method, path, body) {
    const init = { method, headers: this.headers() };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers["Content-Type"] = "application/json";
    }
    let response;
    try {
      response = await fetch(`/api${path}`, init);
    } catch (err) {
      throw new ApiError(0, { detail: String(err && err.message ? err.message : err), code: "network" });
    }
    const text = await response.text();
    let data = null;
    if (text) {
      try { data = JSON.parse(text); } catch { data = { detail: text.slice(0, 300) }; }
    }
    if (!response.ok) {
      if (response.status === 401 && path !== "/auth/token") this.onUnauthorised();
      throw new ApiError(response.status, data);
    }
    return data;
  }

  get(path) { return this.request("GET", path); }
  post(path, body) { return this.request("POST", path, body); }
  put(path, body) { return this.request("PUT", path, body); }

  async login(username, password) {
    const out = await this.post("/auth/token", { username, password });
    this.setToken(out.access_token);
    return this.get("/auth/me");
  }
}

/** Not offered by this station: the route is absent (404/405) or its service is off (503). */
export function isAbsent(err) {
  return err instanceof ApiError && [404, 405, 503].includes(err.status);
}

/** An endpoint another part of the station may not run: null instead of an error. */
export async function optional(promise) {
  try {
    return await promise;
  } catch (err) {
    if (isAbsent(err)) return null;
    throw err;
  }
}
