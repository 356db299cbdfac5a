import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as zlib from "node:zlib";
import { crc32, encodePng, imageGridHtml, toBytes } from "../src/notebook/image";

test("crc32 matches the standard check value", () => {
  // The CRC-32 "check" value for the ASCII string 123456789 is 0xCBF43926.
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
});

test("encodePng writes a valid PNG whose pixels decode back", () => {
  const w = 3,
    h = 2;
  const rgb = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  const png = encodePng(rgb, w, h, 3);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  // Walk the chunks, checking each CRC, and collect IDAT.
  let off = 8;
  const types: string[] = [];
  let idat = Buffer.alloc(0);
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString("ascii", off + 4, off + 8);
    const crc = png.readUInt32BE(off + 8 + len);
    assert.equal(crc, crc32(png.subarray(off + 4, off + 8 + len)), `${type} CRC`);
    if (type === "IHDR") {
      assert.equal(png.readUInt32BE(off + 8), w);
      assert.equal(png.readUInt32BE(off + 12), h);
      assert.equal(png[off + 17], 2, "RGB colour type");
    }
    if (type === "IDAT") idat = Buffer.concat([idat, png.subarray(off + 8, off + 8 + len)]);
    types.push(type);
    off += 12 + len;
  }
  assert.deepEqual(types, ["IHDR", "IDAT", "IEND"]);
  const raw = zlib.inflateSync(idat);
  assert.deepEqual([...raw], [0, ...rgb.subarray(0, 9), 0, ...rgb.subarray(9)]);
  assert.throws(() => encodePng(rgb, 4, 2, 3), /18 bytes for a 4×2×3 image; expected 24/);
});

test("toBytes maps [-1, 1] to 0..255 and clamps; the grid escapes captions and marks highlights", () => {
  assert.deepEqual([...toBytes([-1, 0, 1, 2, -3])], [0, 128, 255, 255, 0]);
  const html = imageGridHtml([{ pixels: new Uint8Array(4), caption: "<cat>", highlight: true }], { width: 2, height: 2, channels: 1 });
  assert.match(html, /data:image\/png;base64,/);
  assert.match(html, /&lt;cat&gt;/);
  assert.match(html, /#d32f2f/);
});
