// Getting CIFAR-10 onto disk for users with internet: a resumable HTTP(S) download with
// progress and MD5 check, then an atomic extract-verify-rename of the archive.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as path from 'path';
import { checkCifar10Dir, CIFAR10_RECORDS_PER_BATCH } from './cifar10';
import { CIFAR10_DIR_NAME } from './locations';
import { extractTarGz } from './tar';

/** Official CIFAR-10 binary archive (article §5.2). */
export const CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
/** MD5 of the official archive, from the CIFAR-10 page (article §5.2). */
export const CIFAR10_MD5 = 'c32a1d4ab5d03f1284b67883e8d87530';
/** File name of the archive in `<dataRoot>/cache/` (article §5.2). */
export const CIFAR10_ARCHIVE_NAME = 'cifar-10-binary.tar.gz';

// ---------------------------------------------------------------- progress

/** Where a download stands; plain numbers for any display (article §5.2). */
export interface DownloadProgress {
  label: string;
  /** Bytes on disk so far, including a resumed prefix. */
  received: number;
  /** Total size when the server says, else null. */
  total: number | null;
  /** Average speed of this session, bytes per second. */
  bytesPerSecond: number;
}

/** Receives progress updates; `finish` is called once at the end of a transfer (article §5.2). */
export interface ProgressSink {
  update(p: DownloadProgress): void;
  finish(p: DownloadProgress): void;
}

/** The part of a stream a progress bar needs (process.stderr fits) (article §5.2). */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/** "1.5 MB" style size, decimal units (article §5.2). */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) { v /= 1000; u += 1; }
  return u === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/** "m:ss" or "h:mm:ss"; "--:--" when unknown (article §5.2). */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** One progress line: bar, %, bytes, speed, ETA (article §5.2). */
export function formatProgress(p: DownloadProgress, width = 24): string {
  const speed = `${formatBytes(Math.round(p.bytesPerSecond))}/s`;
  if (p.total === null || p.total <= 0) return `${p.label} ${formatBytes(p.received)} ${speed}`;
  const frac = Math.min(1, p.received / p.total);
  const filled = Math.round(frac * width);
  const eta = p.bytesPerSecond > 0 ? (p.total - p.received) / p.bytesPerSecond : null;
  return `${p.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(frac * 100).toFixed(1).padStart(5)}% ` +
    `${formatBytes(p.received)} / ${formatBytes(p.total)} ${speed} ETA ${formatDuration(eta)}`;
}

/**
 * Progress bar on a stream: on a TTY one line redrawn with \r (at most every `intervalMs`),
 * otherwise one line per 10% (or per 10 MB when the size is unknown) (article §5.2).
 */
export function progressBar(stream: ProgressStream = process.stderr, intervalMs = 100): ProgressSink {
  let lastDraw = 0;
  let lastStep = -1;
  const step = (p: DownloadProgress) =>
    p.total ? Math.floor((10 * p.received) / p.total) : Math.floor(p.received / 10_000_000);
  return {
    update(p) {
      if (stream.isTTY) {
        const now = Date.now();
        if (now - lastDraw < intervalMs) return;
        lastDraw = now;
        stream.write(`\r${formatProgress(p)}\x1b[K`);
      } else if (step(p) !== lastStep) {
        lastStep = step(p);
        stream.write(`${formatProgress(p)}\n`);
      }
    },
    finish(p) {
      if (stream.isTTY) stream.write(`\r${formatProgress(p)}\x1b[K\n`);
      else if (step(p) !== lastStep) stream.write(`${formatProgress(p)}\n`);
      lastStep = step(p);
    },
  };
}

// ---------------------------------------------------------------- HTTP

/** An HTTP status that retrying will not fix (404, 403, ...) (article §5.2). */
export class HttpStatusError extends Error {
  constructor(readonly status: number, readonly url: string, statusMessage: string) {
    super(`HTTP ${status}${statusMessage ? ` ${statusMessage}` : ''} for ${url}`);
    this.name = 'HttpStatusError';
  }
}

/** GET `url` following up to `maxRedirects` redirects; resolves with the final response (article §5.2). */
export function httpGet(
  url: string, headers: Record<string, string>, maxRedirects = 10, timeoutMs = 60_000,
): Promise<{ res: http.IncomingMessage; url: string }> {
  return new Promise((resolve, reject) => {
    let parsed: URL;
    try { parsed = new URL(url); } catch { return reject(new Error(`invalid URL ${url}`)); }
    const client = parsed.protocol === 'https:' ? https : parsed.protocol === 'http:' ? http : null;
    if (!client) return reject(new Error(`unsupported protocol in ${url}; expected http: or https:`));
    const req = client.get(parsed, { headers: { 'User-Agent': 'dl-runbook-downloader', ...headers } }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && status !== 304) {
        res.resume();
        const location = res.headers.location;
        if (!location) return reject(new Error(`HTTP ${status} redirect without Location from ${url}`));
        if (maxRedirects <= 0) return reject(new Error(`too many redirects fetching ${url}`));
        const next = new URL(location, parsed).toString();
        return httpGet(next, headers, maxRedirects - 1, timeoutMs).then(resolve, reject);
      }
      resolve({ res, url });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no data from ${url} for ${timeoutMs / 1000} s`)));
    req.on('error', (err) => reject(new Error(`cannot fetch ${url}: ${err.message}`)));
  });
}

/** Parse a Content-Range value: "bytes a-b/total" or "bytes &ast;/total" (article §5.2). */
export function parseContentRange(value: string | undefined): { start: number | null; total: number | null } {
  const m = /^bytes\s+(?:(\d+)-\d+|\*)\/(\d+|\*)$/.exec((value ?? '').trim());
  if (!m) return { start: null, total: null };
  return { start: m[1] === undefined ? null : Number(m[1]), total: m[2] === '*' ? null : Number(m[2]) };
}

interface Transfer { restarted: boolean; resumedFrom: number }

/** Fetch `url` into `part`, resuming from its current size with a Range request (article §5.2). */
async function fetchToPart(
  url: string, part: string, label: string, sink: ProgressSink | null, log: (line: string) => void, timeoutMs: number,
): Promise<Transfer> {
  const have = fs.existsSync(part) ? fs.statSync(part).size : 0;
  const { res, url: finalUrl } = await httpGet(url, have > 0 ? { Range: `bytes=${have}-` } : {}, 10, timeoutMs);
  const status = res.statusCode ?? 0;
  const length = res.headers['content-length'] !== undefined ? Number(res.headers['content-length']) : null;
  let start = 0;
  let total: number | null = length;
  let restarted = false;
  if (status === 206 && have > 0) {
    const range = parseContentRange(res.headers['content-range']);
    if (range.start !== have) {
      res.destroy();
      log(`server answered Range bytes=${have}- with ${res.headers['content-range'] ?? 'no Content-Range'}; starting again`);
      fs.unlinkSync(part);
      return { ...(await fetchToPart(url, part, label, sink, log, timeoutMs)), restarted: true };
    }
    start = have;
    total = range.total ?? (length === null ? null : have + length);
  } else if (status === 416 && have > 0) {
    res.resume();
    const { total: size } = parseContentRange(res.headers['content-range']);
    if (size === have) return { restarted: false, resumedFrom: have }; // already complete
    log(`server cannot resume ${path.basename(part)} at byte ${have}; starting again`);
    fs.unlinkSync(part);
    return { ...(await fetchToPart(url, part, label, sink, log, timeoutMs)), restarted: true };
  } else if (status === 200) {
    if (have > 0) {
      log(`server ignored the Range request; downloading ${path.basename(part)} again from byte 0`);
      restarted = true;
    }
  } else {
    res.resume();
    throw new HttpStatusError(status, finalUrl, res.statusMessage ?? '');
  }
  if (start > 0) log(`resuming ${path.basename(part)} at ${formatBytes(start)}`);

  const fd = fs.openSync(part, start > 0 ? 'a' : 'w');
  const began = Date.now();
  let received = start;
  const progress = (): DownloadProgress => ({
    label, received, total, bytesPerSecond: (received - start) / Math.max(1e-3, (Date.now() - began) / 1000),
  });
  try {
    await new Promise<void>((resolve, reject) => {
      let writeError: Error | null = null;
      res.on('data', (chunk: Buffer) => {
        if (writeError) return;
        try {
          // synchronous: the .part file is always an exact prefix of the resource
          for (let off = 0; off < chunk.length;) off += fs.writeSync(fd, chunk, off, chunk.length - off);
        } catch (err) {
          writeError = new Error(`cannot write ${part}: ${(err as Error).message}`);
          res.destroy();
          return;
        }
        received += chunk.length;
        sink?.update(progress());
      });
      res.on('error', () => { /* reported by 'close' below */ });
      res.on('close', () => {
        if (writeError) return reject(writeError);
        if (res.complete && (total === null || received === total)) return resolve();
        reject(new Error(`connection closed after ${formatBytes(received)}` +
          `${total === null ? '' : ` of ${formatBytes(total)}`}`));
      });
    });
  } finally {
    fs.closeSync(fd);
    sink?.finish(progress());
  }
  return { restarted, resumedFrom: start };
}

/** Hex MD5 of a file, streamed (article §5.2). */
export async function md5File(file: string): Promise<string> {
  const hash = crypto.createHash('md5');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Options for downloadFile (article §5.2). */
export interface DownloadOptions {
  url: string;
  /** Final path; data goes to `<dest>.part` until complete and verified. */
  dest: string;
  /** Expected hex MD5; null skips the check. */
  md5: string | null;
  /** Progress display; null for none. Default: a progress bar on stderr. */
  progress?: ProgressSink | null;
  /** One-line status messages. Default: stderr. */
  log?: (line: string) => void;
  /** Automatic resumes after a dropped connection (default 3). */
  retries?: number;
  /** Give up when no data arrives for this long (default 60 s). */
  timeoutMs?: number;
}

/** What downloadFile did (article §5.2). */
export interface DownloadResult {
  path: string;
  bytes: number;
  md5: string;
  /** Byte offset the first request resumed from (0 = fresh download). */
  resumedFrom: number;
  /** True if the server ignored Range / could not resume and the file was fetched again from 0. */
  restarted: boolean;
}

const stderrLog = (line: string): void => { process.stderr.write(`${line}\n`); };

/**
 * Download `url` to `dest` via `<dest>.part`: resumes a partial file with a Range request,
 * follows redirects, verifies MD5 (deleting the file on mismatch) and renames into place (article §5.2).
 */
export async function downloadFile(options: DownloadOptions): Promise<DownloadResult> {
  const { url, dest, md5 } = options;
  const log = options.log ?? stderrLog;
  const sink = options.progress === undefined ? progressBar(process.stderr) : options.progress;
  const retries = options.retries ?? 3;
  const part = `${dest}.part`;
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const resumedFrom = partSize(part);
  let restarted = false;
  for (let attempt = 0; ; attempt++) {
    try {
      const t = await fetchToPart(url, part, path.basename(dest), sink, log, options.timeoutMs ?? 60_000);
      restarted ||= t.restarted;
      break;
    } catch (err) {
      if (err instanceof HttpStatusError) throw err;
      const kept = partSize(part);
      const message = `download of ${url} ${kept > 0 ? 'interrupted' : 'failed'}: ${(err as Error).message}`;
      if (attempt >= retries) {
        throw new Error(kept > 0 ? `${message}; ${formatBytes(kept)} kept in ${part} — run again to resume` : message, { cause: err });
      }
      log(`${message}; retrying (${attempt + 1}/${retries})`);
      await new Promise((r) => setTimeout(r, 250 * (attempt + 1)));
    }
  }
  const actual = await md5File(part);
  if (md5 !== null && actual !== md5.toLowerCase()) {
    fs.unlinkSync(part);
    throw new Error(`MD5 mismatch for ${part}: expected ${md5}, got ${actual}; the file was deleted — run again to download it afresh`);
  }
  fs.renameSync(part, dest);
  return { path: dest, bytes: fs.statSync(dest).size, md5: actual, resumedFrom, restarted };
}

function partSize(file: string): number {
  return fs.existsSync(file) ? fs.statSync(file).size : 0;
}

// ---------------------------------------------------------------- CIFAR-10

/** Options for ensureCifar10 (article §5.2). */
export interface EnsureCifar10Options {
  /** Data root: the archive goes to `<dataRoot>/cache/`, the data to `<dataRoot>/cifar-10-batches-bin/`. */
  dataRoot: string;
  /** Archive URL; default env CIFAR10_URL, else the official URL. */
  url?: string;
  /** Expected MD5 of the archive; default the official one; null skips the check. */
  md5?: string | null;
  /** Records per batch file to expect (tests use tiny archives); default 10000. */
  recordsPerBatch?: number;
  progress?: ProgressSink | null;
  log?: (line: string) => void;
  retries?: number;
  timeoutMs?: number;
}

/** What ensureCifar10 did: found it, downloaded and extracted it, or extracted a cached archive (article §5.2). */
export interface EnsureCifar10Result {
  dir: string;
  status: 'present' | 'downloaded' | 'extracted';
}

/**
 * Make `<dataRoot>/cifar-10-batches-bin` hold a complete CIFAR-10 copy: no-op if already valid;
 * else download (resumable, MD5-checked) into `<dataRoot>/cache/`, extract into a temp directory
 * beside the target, verify every batch file, and only then rename it into place (article §5.2).
 */
export async function ensureCifar10(options: EnsureCifar10Options): Promise<EnsureCifar10Result> {
  const log = options.log ?? stderrLog;
  const records = options.recordsPerBatch ?? CIFAR10_RECORDS_PER_BATCH;
  const url = options.url ?? process.env.CIFAR10_URL ?? CIFAR10_URL;
  const md5 = options.md5 === undefined ? CIFAR10_MD5 : options.md5;
  const target = path.join(options.dataRoot, CIFAR10_DIR_NAME);

  if (checkCifar10Dir(target, records).length === 0) {
    log(`CIFAR-10 already present in ${target} (6 batch files, sizes verified); nothing to do`);
    return { dir: target, status: 'present' };
  }
  if (fs.existsSync(target)) {
    const problems = checkCifar10Dir(target, records);
    throw new Error(`${target} exists but is incomplete (${problems[0]}${problems.length > 1 ? `; +${problems.length - 1} more` : ''}); ` +
      'delete it and run again');
  }

  const archive = path.join(options.dataRoot, 'cache', CIFAR10_ARCHIVE_NAME);
  let status: EnsureCifar10Result['status'] = 'extracted';
  if (fs.existsSync(archive) && md5 !== null && (await md5File(archive)) !== md5.toLowerCase()) {
    log(`cached ${archive} fails the MD5 check; deleting it and downloading again`);
    fs.unlinkSync(archive);
  }
  if (fs.existsSync(archive)) {
    log(`using cached ${archive}`);
  } else {
    log(`downloading ${url} to ${archive}`);
    await downloadFile({
      url, dest: archive, md5, progress: options.progress, log, retries: options.retries, timeoutMs: options.timeoutMs,
    });
    status = 'downloaded';
  }

  removeLeftovers(options.dataRoot, log);
  const tmp = fs.mkdtempSync(path.join(options.dataRoot, `${TMP_PREFIX}`));
  try {
    log(`extracting ${archive}`);
    await extractTarGz(archive, tmp);
    const extracted = path.join(tmp, CIFAR10_DIR_NAME);
    const problems = checkCifar10Dir(extracted, records);
    if (problems.length > 0) {
      throw new Error(`archive ${archive} does not hold a complete CIFAR-10 copy: ${problems[0]}` +
        `${problems.length > 1 ? `; +${problems.length - 1} more` : ''}`);
    }
    fs.renameSync(extracted, target); // atomic: the target appears only once complete
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  log(`CIFAR-10 ready in ${target}`);
  return { dir: target, status };
}

const TMP_PREFIX = `.${CIFAR10_DIR_NAME}.tmp-`;

/** Delete temp directories left by an interrupted extraction (article §5.2). */
function removeLeftovers(dataRoot: string, log: (line: string) => void): void {
  for (const name of fs.readdirSync(dataRoot)) {
    if (!name.startsWith(TMP_PREFIX)) continue;
    log(`removing ${path.join(dataRoot, name)} left by an interrupted run`);
    fs.rmSync(path.join(dataRoot, name), { recursive: true, force: true });
  }
}
