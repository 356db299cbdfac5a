// A small, incremental reader for ustar / GNU / pax tar archives, enough to unpack
// dataset archives (regular files and directories) without npm dependencies.
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { Writable } from 'stream';
import { pipeline } from 'stream/promises';

/** Tar block size in bytes (article §5.2). */
export const TAR_BLOCK = 512;

/** Kind of a tar entry; links and devices are reported as 'link' / 'other' and never extracted (article §5.2). */
export type TarEntryType = 'file' | 'directory' | 'link' | 'other';

/** One member of a tar archive with its whole content (article §5.2). */
export interface TarEntry {
  /** Path inside the archive, as stored (pax `path` and GNU long names applied). */
  name: string;
  type: TarEntryType;
  /** Raw typeflag character ('0', '5', '2', ...). */
  typeflag: string;
  size: number;
  mode: number;
  /** Modification time, seconds since the epoch. */
  mtime: number;
  data: Buffer;
}

type State = 'header' | 'body' | 'padding' | 'ended';

/** Parse a numeric header field: octal text, or GNU base-256 when the top bit is set (article §5.2). */
export function parseTarNumber(field: Uint8Array): number {
  if (field.length > 0 && (field[0] & 0x80) !== 0) {
    let value = field[0] & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i];
    return value;
  }
  const text = Buffer.from(field).toString('latin1').replace(/[\0 ]+$/g, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new Error(`tar header field "${text}" is not an octal number`);
  return parseInt(text, 8);
}

function cString(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const nul = field.indexOf(0);
  return field.subarray(0, nul < 0 ? field.length : nul).toString('utf8');
}

/** Parse pax extended-header records ("<len> <key>=<value>\n") (article §5.2). */
export function parsePaxRecords(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) break;
    const len = parseInt(data.subarray(pos, space).toString('latin1'), 10);
    if (!Number.isFinite(len) || len <= 0 || pos + len > data.length) throw new Error('malformed pax header record');
    const record = data.subarray(space + 1, pos + len - 1).toString('utf8'); // drop trailing "\n"
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += len;
  }
  return out;
}

/** Incremental tar parser: feed bytes with write(), get each complete entry through the callback (article §5.2). */
export class TarParser {
  private state: State = 'header';
  private need = TAR_BLOCK;
  private have = 0;
  private parts: Buffer[] = [];
  private current: Omit<TarEntry, 'data'> | null = null;
  private pax: Record<string, string> = {};
  private longName: string | null = null;
  private offset = 0; // bytes consumed, for error messages

  constructor(private readonly onEntry: (entry: TarEntry) => void) {}

  /** Consume the next bytes of the archive (article §5.2). */
  write(chunk: Uint8Array): void {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let pos = 0;
    while (pos < buf.length && this.state !== 'ended') {
      const n = Math.min(this.need - this.have, buf.length - pos);
      if (this.state !== 'padding') this.parts.push(buf.subarray(pos, pos + n));
      this.have += n;
      pos += n;
      this.offset += n;
      if (this.have === this.need) this.complete();
    }
  }

  /** Signal end of input; throws if the archive stops inside a header or member (article §5.2). */
  end(): void {
    if (this.state === 'ended' || (this.state === 'header' && this.have === 0)) return;
    const what = this.current ? `member ${this.current.name}` : 'a header';
    throw new Error(`tar archive truncated inside ${what} (after ${this.offset} bytes)`);
  }

  private take(): Buffer {
    const out = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.have);
    this.parts = [];
    this.have = 0;
    return out;
  }

  private expect(state: State, need: number): void {
    this.state = state;
    this.need = need;
  }

  private complete(): void {
    if (this.state === 'header') return this.header(Buffer.from(this.take())); // copy: 512 bytes only
    if (this.state === 'padding') {
      this.have = 0;
      return this.expect('header', TAR_BLOCK);
    }
    const data = this.take();
    const entry = this.current!;
    this.current = null;
    this.member(entry, data);
    const pad = (TAR_BLOCK - (entry.size % TAR_BLOCK)) % TAR_BLOCK;
    this.expect(pad ? 'padding' : 'header', pad || TAR_BLOCK);
  }

  private header(block: Buffer): void {
    if (block.every((b) => b === 0)) return this.expect('ended', 0); // end-of-archive marker
    const stored = parseTarNumber(block.subarray(148, 156));
    let sum = 0;
    for (let i = 0; i < TAR_BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
    if (sum !== stored) {
      throw new Error(`tar header at byte ${this.offset - TAR_BLOCK} has checksum ${stored}; computed ${sum} (not a tar file, or corrupt)`);
    }
    const magic = block.subarray(257, 263).toString('latin1');
    let name = cString(block, 0, 100);
    if (magic === 'ustar\0') {
      const prefix = cString(block, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    if (this.longName !== null) name = this.longName;
    if (this.pax.path !== undefined) name = this.pax.path;
    const typeflag = block[156] === 0 ? '0' : String.fromCharCode(block[156]);
    const size = this.pax.size !== undefined ? Number(this.pax.size) : parseTarNumber(block.subarray(124, 136));
    const meta = typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K';
    if (!meta) {
      this.longName = null;
      this.pax = {};
    }
    this.current = {
      name,
      typeflag,
      type: typeOf(typeflag),
      size,
      mode: parseTarNumber(block.subarray(100, 108)),
      mtime: parseTarNumber(block.subarray(136, 148)),
    };
    if (size > 0) return this.expect('body', size);
    this.member(this.current, Buffer.alloc(0));
    this.current = null;
    this.expect('header', TAR_BLOCK);
  }

  private member(entry: Omit<TarEntry, 'data'>, data: Buffer): void {
    switch (entry.typeflag) {
      case 'x': this.pax = { ...this.pax, ...parsePaxRecords(data) }; return;
      case 'g': return; // global pax header: nothing we use
      case 'L': this.longName = cString(data, 0, data.length); return;
      case 'K': return; // GNU long link name: links are not extracted
      default: this.onEntry({ ...entry, data });
    }
  }
}

function typeOf(typeflag: string): TarEntryType {
  if (typeflag === '0' || typeflag === '7') return 'file';
  if (typeflag === '5') return 'directory';
  if (typeflag === '1' || typeflag === '2') return 'link';
  return 'other';
}

/** All entries of an in-memory tar archive (article §5.2). */
export function parseTar(archive: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  const parser = new TarParser((e) => entries.push(e));
  parser.write(archive);
  parser.end();
  return entries;
}

/** Normalised relative path of an entry; throws on absolute paths or `..` (path traversal) (article §5.2). */
export function safeEntryPath(name: string): string {
  const normal = path.posix.normalize(name.replace(/\\/g, '/'));
  if (name === '' || normal.startsWith('/') || /^[A-Za-z]:/.test(normal) ||
      normal === '..' || normal.startsWith('../')) {
    throw new Error(`tar entry "${name}" would be written outside the target directory`);
  }
  return normal.replace(/\/+$/, '');
}

/**
 * Stream-extract a .tar.gz into `destDir` (regular files and directories only; links skipped);
 * returns the relative paths of the files written (article §5.2).
 */
export async function extractTarGz(archive: string, destDir: string): Promise<string[]> {
  fs.mkdirSync(destDir, { recursive: true });
  const written: string[] = [];
  const parser = new TarParser((entry) => {
    const rel = safeEntryPath(entry.name);
    if (rel === '.') return;
    const target = path.join(destDir, rel);
    if (entry.type === 'directory') {
      fs.mkdirSync(target, { recursive: true });
    } else if (entry.type === 'file') {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, entry.data);
      written.push(rel);
    }
  });
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      try { parser.write(chunk); done(); } catch (err) { done(err as Error); }
    },
    final(done) {
      try { parser.end(); done(); } catch (err) { done(err as Error); }
    },
  });
  try {
    await pipeline(fs.createReadStream(archive), zlib.createGunzip(), sink);
  } catch (err) {
    throw new Error(`could not extract ${archive}: ${(err as Error).message}`, { cause: err });
  }
  return written;
}
