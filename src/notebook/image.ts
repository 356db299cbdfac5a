/**
 * Images for notebooks and reports: a minimal PNG encoder (zlib from Node, no dependency) and an
 * HTML grid of labelled images. PNG data URIs render in Jupyter and in a report opened from disk.
 */
import * as zlib from "zlib";
import { escapeHtml } from "../core/html";

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 as PNG chunks use it (ISO 3309). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encodes 8-bit grey (channels 1) or RGB (channels 3) pixels, row-major [height, width, channels], as PNG. */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 3): Buffer {
  if (pixels.length !== width * height * channels) {
    throw new Error(`encodePng: ${pixels.length} bytes for a ${width}×${height}×${channels} image; expected ${width * height * channels}`);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = channels === 1 ? 0 : 2; // colour type: grey or RGB
  const stride = width * channels;
  const raw = Buffer.alloc((stride + 1) * height); // filter byte 0 ("none") before each row
  for (let y = 0; y < height; y++) Buffer.from(pixels.buffer, pixels.byteOffset + y * stride, stride).copy(raw, y * (stride + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(raw)),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

/** Maps normalised values in [lo, hi] (e.g. [-1, 1]) back to bytes 0..255. */
export function toBytes(values: ArrayLike<number>, lo = -1, hi = 1): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(((values[i] - lo) / (hi - lo)) * 255)));
  return out;
}

export interface GridImage {
  /** Bytes, row-major [height, width, channels]. */
  pixels: Uint8Array;
  caption: string;
  /** Drawn with a red frame, e.g. a wrong prediction. */
  highlight?: boolean;
}

/** An HTML grid of images with captions; images are scaled up `scale`× with crisp pixels. */
export function imageGridHtml(images: GridImage[], opts: { width: number; height: number; channels: 1 | 3; scale?: number; columns?: number }): string {
  const scale = opts.scale ?? 3;
  const cols = opts.columns ?? 8;
  const cells = images
    .map((im) => {
      const src = `data:image/png;base64,${encodePng(im.pixels, opts.width, opts.height, opts.channels).toString("base64")}`;
      const border = im.highlight ? "3px solid #d32f2f" : "3px solid transparent";
      return `<figure style="margin:4px;text-align:center;font:12px sans-serif"><img src="${src}" width="${opts.width * scale}" height="${opts.height * scale}" style="image-rendering:pixelated;border:${border}"><figcaption>${escapeHtml(im.caption)}</figcaption></figure>`;
    })
    .join("");
  return `<div style="display:grid;grid-template-columns:repeat(${cols}, max-content);gap:2px">${cells}</div>`;
}
