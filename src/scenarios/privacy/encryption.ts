/**
 * Encryption at rest (article §9.4): AES-256-GCM from Node's `crypto`, streamed so files larger
 * than memory work, with a random 96-bit nonce per file and an authenticated header.
 *
 * File format, version 1 (all integers big-endian):
 *
 *   offset  size  field
 *   0       6     magic "RBKENC"
 *   6       1     format version (1)
 *   7       1     algorithm (1 = AES-256-GCM)
 *   8       8     key id (the first 8 bytes of the DataKey id)
 *   16      12    nonce (random per file)
 *   28      8     plaintext length in bytes
 *   36      n     ciphertext
 *   36+n    16    GCM tag (authenticates header + ciphertext)
 *
 * The whole header is the GCM "additional authenticated data", so changing any header byte fails
 * the tag just like changing a ciphertext byte. Decryption writes to a temporary file and renames
 * it into place only after the tag verifies: a wrong key, truncated file, flipped byte or unknown
 * version is a clear {@link EncryptedFileError}, never garbage plaintext. Every write is atomic
 * (temporary file in the same directory, fsync, rename). With random nonces one key should
 * encrypt at most 2^32 files (NIST SP 800-38D).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import { Readable } from "stream";
import { pipeline } from "stream/promises";
import type { DataKey } from "./keys";
import { writeAtomically } from "../../core/atomic-write";

export { writeAtomically };

export const MAGIC = Buffer.from("RBKENC", "ascii");
export const FORMAT_VERSION = 1;
export const ALGORITHM_AES_256_GCM = 1;
export const HEADER_BYTES = 36;
export const TAG_BYTES = 16;
export const NONCE_BYTES = 12;

/** Why a file could not be decrypted. */
export type EncryptedFileErrorCode =
  "NOT_ENCRYPTED" | "UNSUPPORTED_VERSION" | "UNSUPPORTED_ALGORITHM" | "WRONG_KEY" | "TRUNCATED" | "TRAILING_DATA" | "AUTH_FAILED";

/** A decryption failure with a machine-readable code and a message naming the file and the cause. */
export class EncryptedFileError extends Error {
  readonly code: EncryptedFileErrorCode;
  constructor(code: EncryptedFileErrorCode, message: string) {
    super(message);
    this.name = "EncryptedFileError";
    this.code = code;
  }
}

/** The clear-text header of an encrypted file (authenticated, not secret). */
export interface EncryptedHeader {
  version: number;
  algorithm: "AES-256-GCM";
  /** 16 hex digits: which key encrypted the file. */
  keyId: string;
  /** The 96-bit nonce, hex. */
  nonce: string;
  plaintextBytes: number;
}

function buildHeader(key: DataKey, nonce: Buffer, length: number): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(h, 0);
  h.writeUInt8(FORMAT_VERSION, 6);
  h.writeUInt8(ALGORITHM_AES_256_GCM, 7);
  Buffer.from(key.id, "hex").copy(h, 8);
  nonce.copy(h, 16);
  h.writeBigUInt64BE(BigInt(length), 28);
  return h;
}

/** Parses and checks a header; `what` names the file in errors. */
export function parseHeader(h: Buffer, what: string): EncryptedHeader {
  if (h.length < 8 || !h.subarray(0, 6).equals(MAGIC)) {
    throw new EncryptedFileError("NOT_ENCRYPTED", `${what} is not a runbook encrypted file (no "RBKENC" magic at the start)`);
  }
  const version = h.readUInt8(6);
  if (version !== FORMAT_VERSION) {
    throw new EncryptedFileError("UNSUPPORTED_VERSION", `${what} has format version ${version}; this library reads version ${FORMAT_VERSION}`);
  }
  const alg = h.readUInt8(7);
  if (alg !== ALGORITHM_AES_256_GCM) {
    throw new EncryptedFileError("UNSUPPORTED_ALGORITHM", `${what} uses algorithm id ${alg}; expected ${ALGORITHM_AES_256_GCM} (AES-256-GCM)`);
  }
  if (h.length < HEADER_BYTES) {
    throw new EncryptedFileError("TRUNCATED", `${what} is truncated: its header has ${h.length} of ${HEADER_BYTES} bytes`);
  }
  const len = h.readBigUInt64BE(28);
  if (len > BigInt(Number.MAX_SAFE_INTEGER)) throw new EncryptedFileError("AUTH_FAILED", `${what}: header length field is corrupt`);
  return {
    version,
    algorithm: "AES-256-GCM",
    keyId: h.subarray(8, 16).toString("hex"),
    nonce: h.subarray(16, 28).toString("hex"),
    plaintextBytes: Number(len),
  };
}

function checkKey(header: EncryptedHeader, key: DataKey, what: string): void {
  if (header.keyId !== key.id) {
    throw new EncryptedFileError(
      "WRONG_KEY",
      `${what} was encrypted with key id ${header.keyId}, but the key provided (${key.source}) has id ${key.id}: wrong key, or the header was modified`,
    );
  }
}

function checkSize(header: EncryptedHeader, actual: number, what: string): void {
  const expected = HEADER_BYTES + header.plaintextBytes + TAG_BYTES;
  if (actual < expected)
    throw new EncryptedFileError(
      "TRUNCATED",
      `${what} is truncated: ${actual} bytes, expected ${expected} (header + ${header.plaintextBytes} bytes of ciphertext + tag)`,
    );
  if (actual > expected)
    throw new EncryptedFileError("TRAILING_DATA", `${what} has ${actual - expected} unexpected trailing bytes (${actual}, expected ${expected})`);
}

function authFailed(what: string): EncryptedFileError {
  return new EncryptedFileError("AUTH_FAILED", `${what} failed authentication: it was modified after encryption (or the key is wrong); nothing was decrypted`);
}

function newCipher(key: DataKey, nonce: Buffer): crypto.CipherGCM {
  return key.use((k) => crypto.createCipheriv("aes-256-gcm", k, nonce, { authTagLength: TAG_BYTES }));
}

function newDecipher(key: DataKey, nonce: Buffer): crypto.DecipherGCM {
  return key.use((k) => crypto.createDecipheriv("aes-256-gcm", k, nonce, { authTagLength: TAG_BYTES }));
}

/** Encrypts file `src` into `dest` (streaming, atomic, mode 0600) with AES-256-GCM (article §9.4). */
export async function encryptFile(src: string, dest: string, key: DataKey): Promise<EncryptedHeader> {
  const size = fs.statSync(src).size;
  const nonce = crypto.randomBytes(NONCE_BYTES);
  const header = buildHeader(key, nonce, size);
  const cipher = newCipher(key, nonce);
  cipher.setAAD(header);
  let seen = 0;
  await writeAtomically(dest, async (tmp) => {
    await pipeline(
      fs.createReadStream(src),
      async function* (source: AsyncIterable<Buffer>) {
        yield header;
        for await (const chunk of source) {
          seen += chunk.length;
          yield cipher.update(chunk);
        }
        yield cipher.final();
        yield cipher.getAuthTag();
      },
      fs.createWriteStream(tmp, { flags: "wx", mode: 0o600 }),
    );
    if (seen !== size) throw new Error(`encryptFile: ${src} changed size while being encrypted (${size} → ${seen} bytes)`);
  });
  return parseHeader(header, dest);
}

/** Reads and checks the header of an encrypted file (no key needed). */
export function readEncryptedHeader(file: string): EncryptedHeader {
  const fd = fs.openSync(file, "r");
  try {
    const h = Buffer.alloc(HEADER_BYTES);
    const n = fs.readSync(fd, h, 0, HEADER_BYTES, 0);
    return parseHeader(h.subarray(0, n), file);
  } finally {
    fs.closeSync(fd);
  }
}

/** Decrypts `src` into `dest`; `dest` appears only if the tag verifies (article §9.4). */
export async function decryptFile(src: string, dest: string, key: DataKey): Promise<EncryptedHeader> {
  const header = readEncryptedHeader(src);
  checkKey(header, key, src);
  const size = fs.statSync(src).size;
  checkSize(header, size, src);
  const headerBytes = Buffer.alloc(HEADER_BYTES);
  const tag = Buffer.alloc(TAG_BYTES);
  const fd = fs.openSync(src, "r");
  try {
    fs.readSync(fd, headerBytes, 0, HEADER_BYTES, 0);
    fs.readSync(fd, tag, 0, TAG_BYTES, size - TAG_BYTES);
  } finally {
    fs.closeSync(fd);
  }
  const decipher = newDecipher(key, Buffer.from(header.nonce, "hex"));
  decipher.setAAD(headerBytes);
  decipher.setAuthTag(tag);
  await writeAtomically(dest, async (tmp) => {
    const n = header.plaintextBytes;
    await pipeline(
      n > 0 ? fs.createReadStream(src, { start: HEADER_BYTES, end: HEADER_BYTES + n - 1 }) : Readable.from([] as Buffer[]),
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) yield decipher.update(chunk);
        let last: Buffer;
        try {
          last = decipher.final();
        } catch {
          throw authFailed(src);
        }
        yield last;
      },
      fs.createWriteStream(tmp, { flags: "wx", mode: 0o600 }),
    );
  });
  return header;
}

/** Encrypts a buffer in memory into the same format as {@link encryptFile} (small data, cached tensors). */
export function encryptBuffer(plain: Uint8Array, key: DataKey): Buffer {
  const nonce = crypto.randomBytes(NONCE_BYTES);
  const header = buildHeader(key, nonce, plain.length);
  const cipher = newCipher(key, nonce);
  cipher.setAAD(header);
  return Buffer.concat([header, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

/** Decrypts {@link encryptBuffer}'s output; the same errors as {@link decryptFile}. */
export function decryptBuffer(data: Uint8Array, key: DataKey, what = "encrypted buffer"): Buffer {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const header = parseHeader(buf.subarray(0, HEADER_BYTES), what);
  checkKey(header, key, what);
  checkSize(header, buf.length, what);
  const decipher = newDecipher(key, Buffer.from(header.nonce, "hex"));
  decipher.setAAD(buf.subarray(0, HEADER_BYTES));
  decipher.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
  const body = decipher.update(buf.subarray(HEADER_BYTES, buf.length - TAG_BYTES));
  try {
    return Buffer.concat([body, decipher.final()]);
  } catch {
    throw authFailed(what);
  }
}
