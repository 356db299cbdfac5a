/**
 * The data key for encryption at rest and keyed pseudonyms (article §9.4). It comes from the
 * environment (`RUNBOOK_DATA_KEY`, 32 bytes as hex or base64), from a key file named by
 * `RUNBOOK_DATA_KEY_FILE`, or from the default `.keys/runbook-data.key` that `scripts/setup.sh`
 * creates (32 random bytes, mode 0600) — never from a literal in a notebook. A key file readable
 * by group or others is refused. The key material never leaves a `DataKey` object: printing,
 * inspecting or JSON-serialising one shows only its id (a short hash) and where it came from.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../core/paths";
import { type EnvironmentValues, envDataKey, envDataKeyFile } from "../../core/env";

const DATA_KEY_ENV = "RUNBOOK_DATA_KEY";
const DATA_KEY_FILE_ENV = "RUNBOOK_DATA_KEY_FILE";
export const DEFAULT_DATA_KEY_FILE = path.join(PROJECT_ROOT, ".keys", "runbook-data.key");
/** AES-256 and HMAC-SHA-256 keys: 32 bytes. */
export const DATA_KEY_BYTES = 32;

const material = new WeakMap<DataKey, Buffer>();

/** A 32-byte secret key; only its id and source are visible (article §9.4). */
export class DataKey {
  /** 16 hex digits of SHA-256("runbook data key id\0" ‖ key): names the key without revealing it. */
  readonly id: string;
  /** Where the key came from, e.g. "env RUNBOOK_DATA_KEY" or "file .keys/runbook-data.key". */
  readonly source: string;

  constructor(bytes: Uint8Array, source: string) {
    if (bytes.length !== DATA_KEY_BYTES) throw new Error(`DataKey: the key from ${source} has ${bytes.length} bytes; expected ${DATA_KEY_BYTES}`);
    const copy = Buffer.from(bytes);
    material.set(this, copy);
    this.id = keyId(copy);
    this.source = source;
    Object.freeze(this);
  }

  /** Runs `fn` with the key bytes (library use: ciphers, HMACs); do not keep or print them. */
  use<T>(fn: (bytes: Buffer) => T): T {
    const bytes = material.get(this);
    if (!bytes) throw new Error("DataKey: key material missing");
    return fn(bytes);
  }

  toString(): string {
    return `DataKey(id ${this.id}, from ${this.source})`;
  }

  toJSON(): { id: string; source: string } {
    return { id: this.id, source: this.source };
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** The key id of raw key bytes (see {@link DataKey.id}). */
export function keyId(bytes: Uint8Array): string {
  return crypto.createHash("sha256").update("runbook data key id\0").update(bytes).digest("hex").slice(0, 16);
}

/** Decodes a key written as 64 hex digits or base64 (standard or URL-safe) of 32 bytes; errors never echo the value. */
export function parseKeyText(text: string, source: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, "hex");
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const b = Buffer.from(t.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    if (b.length === DATA_KEY_BYTES) return b;
  }
  throw new Error(`the key from ${source} is ${t.length} characters that are neither 64 hex digits nor base64 of ${DATA_KEY_BYTES} bytes`);
}

/** Reads a key file: 32 raw bytes, or 64 hex digits / base64 text. Refuses files readable by group or others. */
export function readKeyFile(file: string): DataKey {
  const rel = path.relative(PROJECT_ROOT, file);
  const shown = rel && !rel.startsWith("..") ? rel : file;
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new Error(`data key file ${shown} does not exist; run scripts/setup.sh (creates it) or set ${DATA_KEY_ENV} / ${DATA_KEY_FILE_ENV}`);
  }
  if (!st.isFile()) throw new Error(`data key file ${shown} is not a regular file`);
  if (process.platform !== "win32" && (st.mode & 0o077) !== 0) {
    throw new Error(
      `data key file ${shown} has mode ${(st.mode & 0o777).toString(8).padStart(4, "0")}: it must not be readable by group or others; run chmod 600 ${shown}`,
    );
  }
  const raw = fs.readFileSync(file);
  const source = `file ${shown}`;
  const bytes = raw.length === DATA_KEY_BYTES ? raw : parseKeyText(raw.toString("latin1"), source);
  return new DataKey(bytes, source);
}

/** The data key: RUNBOOK_DATA_KEY, else the file named by RUNBOOK_DATA_KEY_FILE, else .keys/runbook-data.key (article §9.4). */
export function loadDataKey(env: EnvironmentValues = process.env, defaultFile = DEFAULT_DATA_KEY_FILE): DataKey {
  const fromEnv = envDataKey(env);
  if (fromEnv !== undefined) return new DataKey(parseKeyText(fromEnv, `env ${DATA_KEY_ENV}`), `env ${DATA_KEY_ENV}`);
  const file = envDataKeyFile(env);
  if (file !== undefined) return readKeyFile(path.resolve(file));
  return readKeyFile(defaultFile);
}

/** Writes a fresh random key file with mode 0600 (refuses to overwrite); for tests and first-time setup. */
export function createKeyFile(file: string): DataKey {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const bytes = crypto.randomBytes(DATA_KEY_BYTES);
  const fd = fs.openSync(file, "wx", 0o600);
  try {
    fs.writeSync(fd, bytes);
  } finally {
    fs.closeSync(fd);
  }
  fs.chmodSync(file, 0o600);
  return new DataKey(bytes, `file ${file}`);
}
