// Live MJPEG in an <img>, and recorded MP4 segments in a <video>, both read with fetch so the
// login token goes in the Authorization header.

const CRLF2 = [13, 10, 13, 10];

function indexOf(buf, pattern, from = 0) {
  outer: for (let i = from; i <= buf.length - pattern.length; i++) {
    for (let j = 0; j < pattern.length; j++) if (buf[i + j] !== pattern[j]) continue outer;
    return i;
  }
  return -1;
}

function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0); out.set(b, a.length);
  return out;
}

/** Split a multipart/x-mixed-replace byte stream into JPEG parts (by Content-Length). */
export class MultipartJpegParser {
  constructor() { this.buf = new Uint8Array(0); }

  push(chunk) {
    this.buf = concat(this.buf, chunk);
    const frames = [];
    for (;;) {
      const headEnd = indexOf(this.buf, CRLF2);
      if (headEnd < 0) break;
      const head = new TextDecoder().decode(this.buf.subarray(0, headEnd));
      const match = /content-length:\s*(\d+)/i.exec(head);
      if (!match) { this.buf = this.buf.subarray(headEnd + 4); continue; }
      const length = Number(match[1]);
      const start = headEnd + 4;
      if (this.buf.length < start + length) break;
      frames.push(this.buf.slice(start, start + length));
      this.buf = this.buf.subarray(start + length);
    }
    if (this.buf.length > 8 * 1024 * 1024) this.buf = new Uint8Array(0); // garbage: resync
    return frames;
  }
}

export class MjpegView {
  constructor(img, headersOf, onState = () => {}) {
    this.img = img;
    this.headersOf = headersOf;
    this.onState = onState;
    this.abort = null;
    this.frames = 0;
    this.url = null;
    this.objectUrl = null;
  }

  async play(url) {
    this.stop();
    this.url = url;
    const abort = new AbortController();
    this.abort = abort;
    try {
      const response = await fetch(url, { headers: this.headersOf(), signal: abort.signal });
      if (!response.ok) { this.onState("error", response.status); return; }
      this.onState("playing");
      const parser = new MultipartJpegParser();
      const reader = response.body.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const frames = parser.push(value);
        if (frames.length) this.show(frames[frames.length - 1]);
      }
      this.onState("ended");
    } catch (err) {
      if (!abort.signal.aborted) this.onState("error", 0);
    }
  }

  show(jpeg) {
    const next = URL.createObjectURL(new Blob([jpeg], { type: "image/jpeg" }));
    const previous = this.objectUrl;
    this.objectUrl = next;
    this.img.src = next;
    this.frames += 1;
    this.img.dataset.frames = String(this.frames);
    if (previous) setTimeout(() => URL.revokeObjectURL(previous), 1000);
  }

  stop() {
    if (this.abort) this.abort.abort();
    this.abort = null;
  }
}

/** Play a recorded segment (fragmented MP4) in a <video>: fetched whole, shown from a blob. */
export async function playRecording(video, url, headers) {
  const response = await fetch(url, { headers });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const blob = await response.blob();
  if (video.dataset.objectUrl) URL.revokeObjectURL(video.dataset.objectUrl);
  const objectUrl = URL.createObjectURL(new Blob([blob], { type: "video/mp4" }));
  video.dataset.objectUrl = objectUrl;
  video.src = objectUrl;
  video.muted = true;
  video.hidden = false;
  await video.play();
}
