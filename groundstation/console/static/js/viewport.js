// Two interchangeable map viewports: Leaflet (shipped with the station, optional tiles) and a
// plain Web-Mercator canvas base when Leaflet is not installed. Both give the overlay the same
// calls: project, unproject, metresPerPixel, size, setView, and view/click/move callbacks.

const TILE_PX = 256;
const EARTH_M = 40075016.686;

function mercX(lon, z) { return TILE_PX * 2 ** z * (lon + 180) / 360; }
function mercY(lat, z) {
  const s = Math.sin((Math.max(-85.05, Math.min(85.05, lat)) * Math.PI) / 180);
  return TILE_PX * 2 ** z * (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI));
}
function invX(x, z) { return (x / (TILE_PX * 2 ** z)) * 360 - 180; }
function invY(y, z) {
  const n = Math.PI - (2 * Math.PI * y) / (TILE_PX * 2 ** z);
  return (180 / Math.PI) * Math.atan(Math.sinh(n));
}

export function metresPerPixelAt(lat, zoom) {
  return (EARTH_M * Math.cos((lat * Math.PI) / 180)) / (TILE_PX * 2 ** zoom);
}

class Callbacks {
  constructor() { this.view = []; this.click = []; this.move = []; }
}

export class LeafletViewport {
  constructor(element, L, { center, zoom, tileUrl, attribution }) {
    this.kind = "leaflet";
    this.tiles = Boolean(tileUrl);
    this.cb = new Callbacks();
    this.L = L;
    this.element = element;
    this.map = L.map(element, {
      center, zoom, zoomAnimation: false, fadeAnimation: false, attributionControl: this.tiles,
      worldCopyJump: false, maxZoom: 20, minZoom: 3,
    });
    if (tileUrl) L.tileLayer(tileUrl, { attribution: attribution || "", maxZoom: 20 }).addTo(this.map);
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(this.map);
    const fire = () => this.cb.view.forEach((f) => f());
    this.map.on("move zoom resize viewreset", fire);
    this.map.on("click", (e) => this.cb.click.forEach((f) => f(e.latlng.lat, e.latlng.lng, e.containerPoint.x, e.containerPoint.y)));
    this.map.on("mousemove", (e) => this.cb.move.forEach((f) => f(e.latlng.lat, e.latlng.lng)));
  }

  project(lat, lon) {
    const p = this.map.latLngToContainerPoint([lat, lon]);
    return [p.x, p.y];
  }

  unproject(x, y) {
    const ll = this.map.containerPointToLatLng([x, y]);
    return [ll.lat, ll.lng];
  }

  metresPerPixel() { return metresPerPixelAt(this.map.getCenter().lat, this.map.getZoom()); }
  size() { const s = this.map.getSize(); return [s.x, s.y]; }
  setView(lat, lon, zoom) { this.map.setView([lat, lon], zoom ?? this.map.getZoom()); }
  invalidate() { this.map.invalidateSize(); }
  drawsScale() { return true; }
}

export class PlainViewport {
  constructor(element, { center, zoom }) {
    this.kind = "plain";
    this.tiles = false;
    this.cb = new Callbacks();
    this.element = element;
    this.lat = center[0];
    this.lon = center[1];
    this.zoom = zoom;
    this.drag = null;
    element.style.touchAction = "none";
    element.addEventListener("pointerdown", (e) => this.down(e));
    element.addEventListener("pointermove", (e) => this.pointerMove(e));
    element.addEventListener("pointerup", (e) => this.up(e));
    element.addEventListener("wheel", (e) => this.wheel(e), { passive: false });
    new ResizeObserver(() => this.changed()).observe(element);
  }

  changed() { this.cb.view.forEach((f) => f()); }

  size() { return [this.element.clientWidth, this.element.clientHeight]; }

  project(lat, lon) {
    const [w, h] = this.size();
    return [mercX(lon, this.zoom) - mercX(this.lon, this.zoom) + w / 2,
      mercY(lat, this.zoom) - mercY(this.lat, this.zoom) + h / 2];
  }

  unproject(x, y) {
    const [w, h] = this.size();
    return [invY(mercY(this.lat, this.zoom) + y - h / 2, this.zoom),
      invX(mercX(this.lon, this.zoom) + x - w / 2, this.zoom)];
  }

  metresPerPixel() { return metresPerPixelAt(this.lat, this.zoom); }

  setView(lat, lon, zoom) {
    this.lat = lat; this.lon = lon;
    if (zoom !== undefined) this.zoom = zoom;
    this.changed();
  }

  invalidate() { this.changed(); }
  drawsScale() { return false; }

  local(e) {
    const r = this.element.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  down(e) {
    this.element.setPointerCapture(e.pointerId);
    const [x, y] = this.local(e);
    this.drag = { x, y, moved: false, lat: this.lat, lon: this.lon };
  }

  pointerMove(e) {
    const [x, y] = this.local(e);
    const [lat, lon] = this.unproject(x, y);
    this.cb.move.forEach((f) => f(lat, lon));
    if (!this.drag) return;
    const dx = x - this.drag.x, dy = y - this.drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 4) this.drag.moved = true;
    if (!this.drag.moved) return;
    this.lat = invY(mercY(this.drag.lat, this.zoom) - dy, this.zoom);
    this.lon = invX(mercX(this.drag.lon, this.zoom) - dx, this.zoom);
    this.changed();
  }

  up(e) {
    const drag = this.drag;
    this.drag = null;
    if (drag && !drag.moved) {
      const [x, y] = this.local(e);
      const [lat, lon] = this.unproject(x, y);
      this.cb.click.forEach((f) => f(lat, lon, x, y));
    }
  }

  wheel(e) {
    e.preventDefault();
    const [x, y] = this.local(e);
    const [lat, lon] = this.unproject(x, y);
    this.zoom = Math.max(3, Math.min(20, this.zoom + (e.deltaY < 0 ? 0.5 : -0.5)));
    // keep the point under the cursor where it was
    const [nx, ny] = this.project(lat, lon);
    const [clat, clon] = this.unproject(this.size()[0] / 2 + nx - x, this.size()[1] / 2 + ny - y);
    this.lat = clat; this.lon = clon;
    this.changed();
  }
}

/** Load Leaflet's script and stylesheet from the station; resolves to window.L or null. */
export function loadLeaflet(base = "/console/vendor/leaflet") {
  return new Promise((resolve) => {
    const css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = `${base}/leaflet.css`;
    document.head.appendChild(css);
    const script = document.createElement("script");
    script.src = `${base}/leaflet.js`;
    script.onload = () => resolve(window.L || null);
    script.onerror = () => resolve(null);
    document.head.appendChild(script);
  });
}
