// Offline tests of the download → verify → extract → load path, against a local HTTP server
// (127.0.0.1 only) serving a tiny CIFAR-format .tar.gz built here with a small tar writer.
import test from "node:test";
import assert from "node:assert/strict";
import { spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import * as tf from "@tensorflow/tfjs";
import { CIFAR10_FILES, CIFAR10_RECORD_BYTES, loadCifar10 } from "../src/data/cifar10";
import {
  DownloadProgress,
  ensureCifar10,
  EnsureCifar10Options,
  formatBytes,
  formatDuration,
  formatProgress,
  parseContentRange,
  progressBar,
} from "../src/data/download";
import { disposeDataset } from "../src/data/image-dataset";
import { extractTarGz, parseTar, parseTarNumber, safeEntryPath, TarParser } from "../src/data/tar";

// ------------------------------------------------------------ a tiny tar writer

interface TarSpec {
  name: string;
  data?: Buffer;
  type?: string;
  prefix?: string;
}

function tarHeader(spec: TarSpec, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(spec.name, 0, 100, "utf8");
  h.write("0000644\0", 100, "latin1");
  h.write("0000000\0", 108, "latin1");
  h.write("0000000\0", 116, "latin1");
  h.write(`${size.toString(8).padStart(11, "0")}\0`, 124, "latin1");
  h.write("14712345670\0", 136, "latin1");
  h.write("        ", 148, "latin1");
  h.write(spec.type ?? "0", 156, "latin1");
  h.write("ustar\0", 257, "latin1");
  h.write("00", 263, "latin1");
  if (spec.prefix) h.write(spec.prefix, 345, 155, "utf8");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return h;
}

function tar(specs: TarSpec[], endBlocks = 2): Buffer {
  const parts: Buffer[] = [];
  for (const spec of specs) {
    const data = spec.data ?? Buffer.alloc(0);
    parts.push(tarHeader(spec, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(512 * endBlocks));
  return Buffer.concat(parts);
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

// ------------------------------------------------------------ a tiny CIFAR archive

const RECORDS = 3; // records per batch file in the fixture

/** Deterministic pseudo-random bytes (so the archive does not compress to nothing). */
function noise(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s & 0xff;
  }
  return out;
}

function batch(index: number): Buffer {
  const buf = noise(RECORDS * CIFAR10_RECORD_BYTES, index + 1);
  for (let r = 0; r < RECORDS; r++) buf[r * CIFAR10_RECORD_BYTES] = (index * RECORDS + r) % 10;
  return buf;
}

function cifarArchive(omit: string | null = null): Buffer {
  const names = [...CIFAR10_FILES.train, ...CIFAR10_FILES.test];
  const specs: TarSpec[] = [{ name: "cifar-10-batches-bin/", type: "5" }];
  names.forEach((name, i) => {
    if (name !== omit) specs.push({ name: `cifar-10-batches-bin/${name}`, data: batch(i) });
  });
  specs.push({ name: "cifar-10-batches-bin/batches.meta.txt", data: Buffer.from("airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n") });
  specs.push({ name: "cifar-10-batches-bin/readme.html", data: Buffer.from("<p>tiny</p>") });
  return zlib.gzipSync(tar(specs));
}

const md5 = (b: Buffer) => crypto.createHash("md5").update(b).digest("hex");
const ARCHIVE = cifarArchive();
const ARCHIVE_MD5 = md5(ARCHIVE);

// ------------------------------------------------------------ a local server

interface Seen {
  url: string;
  range: string | undefined;
}
interface Server {
  base: string;
  seen: Seen[];
  close(): Promise<void>;
}

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void): Promise<Server> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? "", range: req.headers.range });
    handler(req, res, seen.length);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Send `body`, honouring "Range: bytes=N-" unless `ignoreRange`; `dropAt` closes the connection after that many bytes. */
function send(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, opts: { ignoreRange?: boolean; dropAt?: number } = {}): void {
  const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
  let start = 0;
  if (m && !opts.ignoreRange) {
    start = Number(m[1]);
    if (start >= body.length) {
      res.writeHead(416, { "Content-Range": `bytes */${body.length}` });
      res.end();
      return;
    }
    res.writeHead(206, { "Content-Length": body.length - start, "Content-Range": `bytes ${start}-${body.length - 1}/${body.length}` });
  } else {
    res.writeHead(200, { "Content-Length": body.length });
  }
  if (opts.dropAt !== undefined) {
    res.write(body.subarray(start, opts.dropAt), () => res.socket?.destroy());
    return;
  }
  res.end(body.subarray(start));
}

// ------------------------------------------------------------ helpers

const tmpRoot = () => fs.mkdtempSync(path.join(os.tmpdir(), "cifar-dl-test-"));
const cleanup = (root: string) => fs.rmSync(root, { recursive: true, force: true });
const part = (root: string) => path.join(root, "cache", "cifar-10-binary.tar.gz.part");
const final = (root: string) => path.join(root, "cache", "cifar-10-binary.tar.gz");
const target = (root: string) => path.join(root, "cifar-10-batches-bin");

function options(root: string, url: string, logs: string[], extra: Partial<EnsureCifar10Options> = {}): EnsureCifar10Options {
  return { dataRoot: root, url, md5: ARCHIVE_MD5, recordsPerBatch: RECORDS, progress: null, log: (l) => logs.push(l), retries: 0, ...extra };
}

/** Assert nothing that could look like data is left after a failed run. */
function assertNoData(root: string): void {
  assert.equal(fs.existsSync(target(root)), false, "no extracted folder");
  assert.equal(fs.existsSync(final(root)), false, "no final archive");
  const tmp = fs.existsSync(root) ? fs.readdirSync(root).filter((n) => n.includes(".tmp-")) : [];
  assert.deepEqual(tmp, [], "no temp directories");
}

function assertLoads(root: string): void {
  const ds = loadCifar10({ dir: target(root), split: "train", recordsPerBatch: RECORDS });
  assert.deepEqual(ds.X.shape, [5 * RECORDS, 32, 32, 3]);
  assert.deepEqual(
    Array.from(ds.y.dataSync()),
    Array.from({ length: 5 * RECORDS }, (_, r) => r % 10),
  );
  const min = ds.X.min();
  const max = ds.X.max();
  assert.ok(min.dataSync()[0] >= -1 && max.dataSync()[0] <= 1);
  tf.dispose([min, max]);
  disposeDataset(ds);
  const testSet = loadCifar10({ dir: target(root), split: "test", recordsPerBatch: RECORDS });
  assert.deepEqual(testSet.X.shape, [RECORDS, 32, 32, 3]);
  disposeDataset(testSet);
}

test.before(async () => {
  await tf.setBackend("cpu");
});

// ------------------------------------------------------------ tar reader

test("tar: files, directories, empty and block-sized members round-trip", () => {
  const a = noise(1000, 7);
  const b = noise(512, 8);
  const archive = tar([
    { name: "top/", type: "5" },
    { name: "top/a.bin", data: a },
    { name: "top/empty" },
    { name: "top/sub/b.bin", data: b },
    { name: "top/link", type: "2" },
  ]);
  const entries = parseTar(archive);
  assert.deepEqual(
    entries.map((e) => [e.name, e.type, e.size]),
    [
      ["top/", "directory", 0],
      ["top/a.bin", "file", 1000],
      ["top/empty", "file", 0],
      ["top/sub/b.bin", "file", 512],
      ["top/link", "link", 0],
    ],
  );
  assert.ok(entries[1].data.equals(a));
  assert.ok(entries[3].data.equals(b));
  assert.equal(entries[1].mode, 0o644);
  assert.equal(entries[1].mtime, 0o14712345670);

  // the same archive fed in awkward chunk sizes parses identically; data after the end marker is ignored
  const chunked: string[] = [];
  const parser = new TarParser((e) => chunked.push(`${e.name}:${md5(e.data)}`));
  const withTrailer = Buffer.concat([archive, Buffer.from("trailing junk")]);
  for (let i = 0; i < withTrailer.length; i += 7) parser.write(withTrailer.subarray(i, i + 7));
  parser.end();
  assert.deepEqual(
    chunked,
    entries.map((e) => `${e.name}:${md5(e.data)}`),
  );
  assert.equal(parseTar(tar([{ name: "x", data: a }], 1)).length, 1, "one end block is enough");
});

test("tar: long names via ustar prefix, GNU ././@LongLink and pax path", () => {
  const long = `${"d".repeat(120)}/file.bin`;
  const pax = "données/ünïcode-名前.bin";
  const entries = parseTar(
    tar([
      { name: "file.bin", prefix: "d".repeat(120), data: Buffer.from("1") },
      { name: "././@LongLink", type: "L", data: Buffer.from(`${long}-gnu\0`) },
      { name: "truncated-name", data: Buffer.from("2") },
      { name: "PaxHeader/x", type: "x", data: Buffer.from(paxRecord("path", pax) + paxRecord("mtime", "1.5")) },
      { name: "ascii-fallback", data: Buffer.from("3") },
      { name: "plain", data: Buffer.from("4") },
    ]),
  );
  assert.deepEqual(
    entries.map((e) => e.name),
    [long, `${long}-gnu`, pax, "plain"],
  );
  assert.deepEqual(
    entries.map((e) => e.data.toString()),
    ["1", "2", "3", "4"],
  );
});

test("tar: numbers, checksum, truncation and unsafe paths", () => {
  assert.equal(parseTarNumber(Buffer.from("00000001750\0")), 1000);
  assert.equal(parseTarNumber(Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0])), 256, "GNU base-256");
  assert.equal(parseTarNumber(Buffer.alloc(8)), 0);

  const archive = tar([{ name: "a", data: noise(2000, 3) }]);
  const corrupt = Buffer.from(archive);
  corrupt[10] ^= 0xff;
  assert.throws(() => parseTar(corrupt), /tar header at byte 0 has checksum \d+; computed \d+/);
  assert.throws(() => parseTar(archive.subarray(0, 1200)), /tar archive truncated inside member a/);
  assert.throws(() => parseTar(archive.subarray(0, 100)), /tar archive truncated inside a header/);

  assert.equal(safeEntryPath("./a/b/"), "a/b");
  assert.equal(safeEntryPath("a/../b"), "b");
  for (const bad of ["../evil", "/etc/passwd", "a/../../b", "C:/x", "..\\x"]) {
    assert.throws(() => safeEntryPath(bad), /outside the target directory/, bad);
  }
});

test("tar: extractTarGz writes files, skips links and refuses path traversal", async () => {
  const root = tmpRoot();
  try {
    const good = path.join(root, "good.tar.gz");
    fs.writeFileSync(
      good,
      zlib.gzipSync(
        tar([
          { name: "x/", type: "5" },
          { name: "x/y/z.txt", data: Buffer.from("hi") },
          { name: "x/l", type: "2" },
        ]),
      ),
    );
    assert.deepEqual(await extractTarGz(good, path.join(root, "out")), ["x/y/z.txt"]);
    assert.equal(fs.readFileSync(path.join(root, "out", "x", "y", "z.txt"), "utf8"), "hi");
    assert.equal(fs.existsSync(path.join(root, "out", "x", "l")), false);

    const evil = path.join(root, "evil.tar.gz");
    fs.writeFileSync(evil, zlib.gzipSync(tar([{ name: "../escaped.txt", data: Buffer.from("no") }])));
    await assert.rejects(
      extractTarGz(evil, path.join(root, "out2")),
      /could not extract .*evil\.tar\.gz: tar entry "\.\.\/escaped\.txt" would be written outside/,
    );
    assert.equal(fs.existsSync(path.join(root, "escaped.txt")), false);

    const notGzip = path.join(root, "plain.tar.gz");
    fs.writeFileSync(notGzip, "not gzip at all");
    await assert.rejects(extractTarGz(notGzip, path.join(root, "out3")), /could not extract .*plain\.tar\.gz: incorrect header check/);
  } finally {
    cleanup(root);
  }
});

// ------------------------------------------------------------ progress bar

test("progress: formatting and TTY / non-TTY output", () => {
  assert.equal(formatBytes(512), "512 B");
  assert.equal(formatBytes(1_500_000), "1.50 MB");
  assert.equal(formatBytes(170_498_071), "170.5 MB");
  assert.equal(formatDuration(75), "1:15");
  assert.equal(formatDuration(3725), "1:02:05");
  assert.equal(formatDuration(null), "--:--");
  const p: DownloadProgress = { label: "f.tar.gz", received: 50_000_000, total: 200_000_000, bytesPerSecond: 5_000_000 };
  assert.equal(formatProgress(p, 8), "f.tar.gz [##------]  25.0% 50.0 MB / 200.0 MB 5.00 MB/s ETA 0:30");
  assert.equal(formatProgress({ ...p, total: null }), "f.tar.gz 50.0 MB 5.00 MB/s");

  const lines: string[] = [];
  const plain = progressBar({ isTTY: false, write: (s) => lines.push(s) });
  for (let i = 0; i <= 100; i++) plain.update({ ...p, received: i * 2_000_000 });
  plain.finish({ ...p, received: 200_000_000 });
  assert.equal(lines.length, 11, "one line per 10% without a TTY");
  assert.ok(lines.every((l) => l.endsWith("\n") && !l.includes("\r")));
  assert.match(lines[10], /100\.0%/);

  const tty: string[] = [];
  const bar = progressBar({ isTTY: true, write: (s) => tty.push(s) }, 0);
  bar.update(p);
  bar.finish({ ...p, received: p.total ?? 0 });
  assert.ok(tty[0].startsWith("\r") && !tty[0].includes("\n"), "redrawn in place");
  assert.ok(tty[1].startsWith("\r") && tty[1].endsWith("\n"), "final line ends with a newline");

  assert.deepEqual(parseContentRange("bytes 100-199/200"), { start: 100, total: 200 });
  assert.deepEqual(parseContentRange("bytes */200"), { start: null, total: 200 });
  assert.deepEqual(parseContentRange(undefined), { start: null, total: null });
});

// ------------------------------------------------------------ the whole path

test("download → MD5 → extract → load, through a redirect; second run is a no-op", async () => {
  const root = tmpRoot();
  const server = await serve((req, res) => {
    if (req.url === "/mirror/cifar.tar.gz") return void res.writeHead(302, { Location: "/files/cifar.tar.gz" }).end();
    if (req.url === "/files/cifar.tar.gz") return send(req, res, ARCHIVE);
    res.writeHead(404).end();
  });
  try {
    const logs: string[] = [];
    const result = await ensureCifar10(options(root, `${server.base}/mirror/cifar.tar.gz`, logs));
    assert.deepEqual(result, { dir: target(root), status: "downloaded" });
    assert.deepEqual(
      server.seen.map((s) => s.url),
      ["/mirror/cifar.tar.gz", "/files/cifar.tar.gz"],
    );
    assert.deepEqual(fs.readdirSync(root).sort(), ["cache", "cifar-10-batches-bin"]);
    assert.deepEqual(fs.readdirSync(path.join(root, "cache")), ["cifar-10-binary.tar.gz"]);
    assert.ok(fs.readFileSync(final(root)).equals(ARCHIVE));
    assert.ok(fs.readFileSync(path.join(target(root), "data_batch_2.bin")).equals(batch(1)));
    assertLoads(root);

    const again: string[] = [];
    const second = await ensureCifar10(options(root, `${server.base}/mirror/cifar.tar.gz`, again));
    assert.equal(second.status, "present");
    assert.equal(server.seen.length, 2, "no request on the second run");
    assert.match(again.join("\n"), /already present .*nothing to do/);

    // extracted folder deleted but archive cached: re-extract without the network
    fs.rmSync(target(root), { recursive: true });
    const third = await ensureCifar10(options(root, `${server.base}/mirror/cifar.tar.gz`, []));
    assert.equal(third.status, "extracted");
    assert.equal(server.seen.length, 2);
    assertLoads(root);
  } finally {
    await server.close();
    cleanup(root);
  }
});

test("an interrupted download resumes with a Range request on the next run", async () => {
  const root = tmpRoot();
  const half = Math.floor(ARCHIVE.length / 2);
  const server = await serve((req, res, n) => send(req, res, ARCHIVE, n === 1 ? { dropAt: half } : {}));
  try {
    const url = `${server.base}/cifar.tar.gz`;
    await assert.rejects(ensureCifar10(options(root, url, [])), (e: Error) =>
      /download of .* interrupted: connection closed after .* kept in .*\.part — run again to resume/.test(e.message),
    );
    const kept = fs.statSync(part(root)).size;
    assert.ok(kept > 0 && kept <= half, `partial file of ${kept} bytes`);
    assertNoData(root);

    const logs: string[] = [];
    const result = await ensureCifar10(options(root, url, logs));
    assert.equal(result.status, "downloaded");
    assert.equal(server.seen.length, 2);
    assert.equal(server.seen[0].range, undefined);
    assert.equal(server.seen[1].range, `bytes=${kept}-`, "second request asks for the rest only");
    assert.match(logs.join("\n"), /resuming cifar-10-binary\.tar\.gz\.part/);
    assert.ok(fs.readFileSync(final(root)).equals(ARCHIVE));
    assert.equal(fs.existsSync(part(root)), false);
    assertLoads(root);
  } finally {
    await server.close();
    cleanup(root);
  }
});

test("with retries, one run recovers from a dropped connection by itself", async () => {
  const root = tmpRoot();
  const server = await serve((req, res, n) => send(req, res, ARCHIVE, n === 1 ? { dropAt: 5000 } : {}));
  try {
    const logs: string[] = [];
    const result = await ensureCifar10(options(root, `${server.base}/c.tar.gz`, logs, { retries: 2 }));
    assert.equal(result.status, "downloaded");
    assert.match(server.seen[1].range ?? "", /^bytes=\d+-$/);
    assert.match(logs.join("\n"), /retrying \(1\/2\)/);
    assertLoads(root);
  } finally {
    await server.close();
    cleanup(root);
  }
});

test("a server that ignores Range: the partial file is discarded and the download restarts cleanly", async () => {
  const root = tmpRoot();
  const server = await serve((req, res) => send(req, res, ARCHIVE, { ignoreRange: true }));
  try {
    fs.mkdirSync(path.join(root, "cache"), { recursive: true });
    fs.writeFileSync(part(root), Buffer.from("garbage from some earlier attempt"));
    const logs: string[] = [];
    const result = await ensureCifar10(options(root, `${server.base}/c.tar.gz`, logs));
    assert.equal(result.status, "downloaded");
    assert.equal(server.seen[0].range, "bytes=33-");
    assert.match(logs.join("\n"), /server ignored the Range request/);
    assert.ok(fs.readFileSync(final(root)).equals(ARCHIVE));
    assertLoads(root);
  } finally {
    await server.close();
    cleanup(root);
  }
});

test("a 206 for the wrong offset is not appended: the download restarts from 0", async () => {
  const root = tmpRoot();
  const server = await serve((req, res) => {
    if (req.headers.range) {
      res.writeHead(206, { "Content-Length": ARCHIVE.length, "Content-Range": `bytes 0-${ARCHIVE.length - 1}/${ARCHIVE.length}` });
      return void res.end(ARCHIVE);
    }
    send(req, res, ARCHIVE);
  });
  try {
    fs.mkdirSync(path.join(root, "cache"), { recursive: true });
    fs.writeFileSync(part(root), ARCHIVE.subarray(0, 100));
    const logs: string[] = [];
    await ensureCifar10(options(root, `${server.base}/c.tar.gz`, logs));
    assert.deepEqual(
      server.seen.map((s) => s.range),
      ["bytes=100-", undefined],
    );
    assert.match(logs.join("\n"), /with bytes 0-\d+\/\d+; starting again/);
    assertLoads(root);
  } finally {
    await server.close();
    cleanup(root);
  }
});

test("a complete .part (server answers 416) is verified, not downloaded again", async () => {
  const root = tmpRoot();
  const server = await serve((req, res) => send(req, res, ARCHIVE));
  try {
    fs.mkdirSync(path.join(root, "cache"), { recursive: true });
    fs.writeFileSync(part(root), ARCHIVE);
    const result = await ensureCifar10(options(root, `${server.base}/c.tar.gz`, []));
    assert.equal(result.status, "downloaded");
    assert.equal(server.seen[0].range, `bytes=${ARCHIVE.length}-`);
    assertLoads(root);
  } finally {
    await server.close();
    cleanup(root);
  }
});

test("a corrupted archive fails the MD5 check: clear error, file deleted, nothing extracted", async () => {
  const root = tmpRoot();
  const bad = Buffer.from(ARCHIVE);
  bad[bad.length >> 1] ^= 0x55;
  const server = await serve((req, res) => send(req, res, bad));
  try {
    await assert.rejects(ensureCifar10(options(root, `${server.base}/c.tar.gz`, [])), {
      message: `MD5 mismatch for ${part(root)}: expected ${ARCHIVE_MD5}, got ${md5(bad)}; the file was deleted — run again to download it afresh`,
    });
    assertNoData(root);
    assert.equal(fs.existsSync(part(root)), false, "bad download deleted");
  } finally {
    await server.close();
    cleanup(root);
  }
});

test("an archive with the right MD5 but missing a batch is not moved into place", async () => {
  const root = tmpRoot();
  const partial = cifarArchive("test_batch.bin");
  const server = await serve((req, res) => send(req, res, partial));
  try {
    await assert.rejects(
      ensureCifar10(options(root, `${server.base}/c.tar.gz`, [], { md5: md5(partial) })),
      /archive .*cifar-10-binary\.tar\.gz does not hold a complete CIFAR-10 copy: CIFAR-10 batch .*test_batch\.bin not found/,
    );
    assert.equal(fs.existsSync(target(root)), false);
    assert.deepEqual(
      fs.readdirSync(root).filter((n) => n.includes(".tmp-")),
      [],
    );
  } finally {
    await server.close();
    cleanup(root);
  }
});

test("HTTP 404 gives a clear error and leaves nothing behind", async () => {
  const root = tmpRoot();
  const server = await serve((_req, res) => void res.writeHead(404).end("no such file"));
  try {
    await assert.rejects(ensureCifar10(options(root, `${server.base}/gone.tar.gz`, [], { retries: 3 })), {
      message: `HTTP 404 Not Found for ${server.base}/gone.tar.gz`,
    });
    assert.equal(server.seen.length, 1, "a 404 is not retried");
    assertNoData(root);
    assert.equal(fs.existsSync(part(root)), false);
  } finally {
    await server.close();
    cleanup(root);
  }
});

test("an incomplete existing folder is reported, not overwritten; CIFAR10_URL is honoured", async () => {
  const root = tmpRoot();
  const server = await serve((req, res) => send(req, res, ARCHIVE));
  const saved = process.env.CIFAR10_URL;
  try {
    fs.mkdirSync(target(root), { recursive: true });
    fs.writeFileSync(path.join(target(root), "data_batch_1.bin"), "x");
    await assert.rejects(
      ensureCifar10(options(root, `${server.base}/c.tar.gz`, [])),
      /cifar-10-batches-bin exists but is incomplete .*delete it and run again/,
    );
    assert.equal(server.seen.length, 0);
    fs.rmSync(target(root), { recursive: true });

    process.env.CIFAR10_URL = `${server.base}/from-env.tar.gz`;
    const { url: _omit, ...rest } = options(root, "", []);
    await ensureCifar10(rest);
    assert.deepEqual(
      server.seen.map((s) => s.url),
      ["/from-env.tar.gz"],
    );
  } finally {
    if (saved === undefined) delete process.env.CIFAR10_URL;
    else process.env.CIFAR10_URL = saved;
    await server.close();
    cleanup(root);
  }
});

// ------------------------------------------------------------ CLI

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = path.join(__dirname, "..", "scripts", "download-cifar10.js");
  const env = { ...process.env };
  delete env.CIFAR10_URL;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test("CLI: one-line errors with non-zero exit; no-op when the data is present", async () => {
  const root = tmpRoot();
  const server = await serve((_req, res) => void res.writeHead(404).end());
  try {
    const missing = await cli(["--data-dir", root, "--url", `${server.base}/x.tar.gz`]);
    assert.equal(missing.code, 1);
    const last = missing.stderr.trimEnd().split("\n").pop();
    assert.equal(last, `download-cifar10: HTTP 404 Not Found for ${server.base}/x.tar.gz`);

    const badFlag = await cli(["--bogus"]);
    assert.equal(badFlag.code, 1);
    assert.match(badFlag.stderr, /^download-cifar10: Unknown option '--bogus'.*\n$/);
    const badMd5 = await cli(["--md5", "xyz"]);
    assert.equal(badMd5.code, 1);
    assert.equal(badMd5.stderr, 'download-cifar10: --md5 must be 32 hex digits or "none"; got xyz\n');

    // official-size (sparse) batch files: the CLI recognises the copy and does nothing
    fs.mkdirSync(target(root), { recursive: true });
    for (const name of [...CIFAR10_FILES.train, ...CIFAR10_FILES.test]) {
      fs.writeFileSync(path.join(target(root), name), "");
      fs.truncateSync(path.join(target(root), name), 30730000);
    }
    const present = await cli(["--data-dir", root]);
    assert.equal(present.code, 0, present.stderr);
    assert.match(present.stderr, /already present .*nothing to do/);
    assert.equal(present.stdout.trim(), target(root));
    assert.equal(server.seen.length, 1);
  } finally {
    await server.close();
    cleanup(root);
  }
});
