/**
 * Access control and audit (article §9.4). A small policy says which role may do what with which
 * data set; {@link guardLoader} wraps a data loader so every call is checked against it and
 * written to an append-only audit log. The log is JSON lines; each entry carries the hash of the
 * previous one and its own hash (HMAC-SHA-256 under the data key when one is given, so that an
 * attacker without the key cannot rewrite the chain consistently), and {@link verifyAuditLog}
 * detects edited, deleted, inserted or reordered entries. Cutting entries off the end leaves a
 * valid shorter chain: compare the head hash or length with a copy kept elsewhere (`expected`).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { DataKey } from "./keys";
import { requireNonEmptyString } from "../../core/validate";

export type Action = "read" | "write" | "decrypt";

/** role → data set → allowed actions; "*" as a data set name matches every data set. */
export interface AccessPolicy {
  roles: Record<string, Record<string, readonly Action[]>>;
}

/** Who asks, and why (the purpose is recorded in the audit log). */
export interface AccessContext {
  role: string;
  purpose: string;
}

/** Thrown when the policy does not allow an access; names role, action and data set. */
export class AccessDeniedError extends Error {
  constructor(
    readonly role: string,
    readonly action: Action,
    readonly dataset: string,
    allowed: string,
  ) {
    super(`access denied: role "${role}" may not ${action} data set "${dataset}" (${allowed})`);
    this.name = "AccessDeniedError";
  }
}

/** Whether `role` may perform `action` on `dataset` under `policy` (article §9.4). */
export function isAllowed(policy: AccessPolicy, role: string, dataset: string, action: Action): boolean {
  const grants = policy.roles[role];
  if (!grants) return false;
  return (grants[dataset] ?? []).includes(action) || (grants["*"] ?? []).includes(action);
}

function allowedText(policy: AccessPolicy, role: string, dataset: string): string {
  const grants = policy.roles[role];
  if (!grants) return `unknown role; roles are ${Object.keys(policy.roles).join(", ")}`;
  const acts = [...new Set([...(grants[dataset] ?? []), ...(grants["*"] ?? [])])];
  return acts.length ? `it may only ${acts.join(", ")} it` : "it has no access to it";
}

/** Throws AccessDeniedError unless allowed; logs the decision when an audit log is given (article §9.4). */
export function checkAccess(policy: AccessPolicy, ctx: AccessContext, dataset: string, action: Action, audit?: AuditLog): void {
  if (!ctx || typeof ctx.role !== "string" || typeof ctx.purpose !== "string" || ctx.purpose.trim() === "") {
    throw new Error("checkAccess: expected a context { role, purpose } with a non-empty purpose");
  }
  const ok = isAllowed(policy, ctx.role, dataset, action);
  audit?.append({ role: ctx.role, action, dataset, outcome: ok ? "granted" : "denied", purpose: ctx.purpose });
  if (!ok) throw new AccessDeniedError(ctx.role, action, dataset, allowedText(policy, ctx.role, dataset));
}

/** Wraps a loader so each call is checked (action "read") and audited: `guarded(ctx, ...args)` (article §9.4). */
export function guardLoader<Args extends unknown[], T>(
  dataset: string,
  loader: (...args: Args) => T,
  opts: { policy: AccessPolicy; audit?: AuditLog },
): (ctx: AccessContext, ...args: Args) => T {
  return (ctx, ...args) => {
    checkAccess(opts.policy, ctx, dataset, "read", opts.audit);
    return loader(...args);
  };
}

/** What a caller records; the log adds seq, time and the hashes. Never put personal data here. */
export interface AuditEvent {
  role: string;
  action: string;
  dataset: string;
  outcome: "granted" | "denied" | "done";
  purpose?: string;
  detail?: string;
}

/** One line of the log. */
export interface AuditEntry extends AuditEvent {
  seq: number;
  time: string;
  /** Hash of the previous entry (64 zeros for the first). */
  prev: string;
  /** Hash of this entry's other fields. */
  hash: string;
}

export const GENESIS = "0".repeat(64);
const FIELDS = ["seq", "time", "role", "action", "dataset", "outcome", "purpose", "detail", "prev"] as const;

function entryHash(e: Omit<AuditEntry, "hash">, key?: DataKey): string {
  // Canonical form: the fields in a fixed order, absent optional fields as null.
  const canonical = JSON.stringify(FIELDS.map((f) => (e as unknown as Record<string, unknown>)[f] ?? null));
  return key ? key.use((k) => crypto.createHmac("sha256", k).update(canonical).digest("hex")) : crypto.createHash("sha256").update(canonical).digest("hex");
}

/** The result of {@link verifyAuditLog}. */
export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** Hash of the last entry (GENESIS for an empty log). */
  head: string;
  /** One line per problem found, naming the line: empty when ok. */
  problems: string[];
}

/** Checks the chain: every entry's hash, its link to the previous entry and its sequence number (article §9.4). */
export function verifyAuditLog(text: string, opts: { key?: DataKey; expected?: { head?: string; entries?: number } } = {}): AuditVerification {
  const lines = text.split("\n").filter((l, i, a) => l !== "" || i < a.length - 1);
  const problems: string[] = [];
  let prev = GENESIS;
  lines.forEach((line, i) => {
    const where = `line ${i + 1}`;
    let e: AuditEntry;
    try {
      e = JSON.parse(line) as AuditEntry;
    } catch {
      problems.push(`${where}: not valid JSON`);
      prev = "?";
      return;
    }
    if (e.seq !== i) problems.push(`${where}: sequence number ${e.seq}, expected ${i} (an entry was deleted, inserted or moved)`);
    if (e.prev !== prev) problems.push(`${where}: does not chain to the entry before it (an entry was deleted, inserted, moved or edited)`);
    const { hash, ...rest } = e;
    if (entryHash(rest, opts.key) !== hash)
      problems.push(`${where}: hash mismatch (the entry was edited${opts.key ? ", or the log was written under another key" : ""})`);
    prev = hash;
  });
  const head = lines.length ? prev : GENESIS;
  if (opts.expected?.entries !== undefined && opts.expected.entries !== lines.length) {
    problems.push(`the log has ${lines.length} entries; ${opts.expected.entries} were expected (entries cut off the end or appended)`);
  }
  if (opts.expected?.head !== undefined && opts.expected.head !== head) problems.push("the last entry's hash differs from the expected head");
  return { ok: problems.length === 0, entries: lines.length, head, problems };
}

/** An append-only, hash-chained audit log in a JSON-lines file (article §9.4). */
export class AuditLog {
  private seq: number;
  private last: string;

  /** Opens (or creates) `file`; an existing log must verify, else this throws with the problems. */
  constructor(
    readonly file: string,
    private readonly opts: { key?: DataKey; clock?: () => Date } = {},
  ) {
    if (fs.existsSync(file)) {
      const v = verifyAuditLog(fs.readFileSync(file, "utf8"), { key: opts.key });
      if (!v.ok) throw new Error(`audit log ${file} does not verify: ${v.problems.join("; ")}`);
      this.seq = v.entries;
      this.last = v.head;
    } else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      this.seq = 0;
      this.last = GENESIS;
    }
  }

  /** Appends one event (one line, written with O_APPEND) and returns the stored entry. */
  append(event: AuditEvent): AuditEntry {
    for (const f of ["role", "action", "dataset", "outcome"] as const) {
      requireNonEmptyString("AuditLog.append", f, event[f]);
    }
    const base = {
      seq: this.seq,
      time: (this.opts.clock ?? (() => new Date()))().toISOString(),
      role: event.role,
      action: event.action,
      dataset: event.dataset,
      outcome: event.outcome,
      ...(event.purpose !== undefined ? { purpose: event.purpose } : {}),
      ...(event.detail !== undefined ? { detail: event.detail } : {}),
      prev: this.last,
    };
    const entry: AuditEntry = { ...base, hash: entryHash(base, this.opts.key) };
    fs.appendFileSync(this.file, JSON.stringify(entry) + "\n", { mode: 0o600, flag: "a" });
    this.seq++;
    this.last = entry.hash;
    return entry;
  }

  /** Number of entries written so far. */
  get length(): number {
    return this.seq;
  }

  /** Hash of the last entry: keep it elsewhere to detect entries cut off the end. */
  get head(): string {
    return this.last;
  }
}
