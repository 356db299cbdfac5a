/**
 * Desensitisation (article §9.4): detectors for personal data in free text — email addresses,
 * phone numbers (North-American and "+country" international forms), IPv4 and IPv6 addresses,
 * payment-card numbers (issuer prefix + Luhn check) — with masking ("[EMAIL]") and keyed
 * pseudonymisation: HMAC-SHA-256 under the data key maps the same value to the same token
 * ("[EMAIL:3f9a0c21d4e7]"), so records stay linkable, but a token cannot be reversed or recomputed
 * without the key. Pseudonymised data is still personal data under the GDPR (Recital 26): the key
 * holder can re-link it. Names in free text are not detected (that needs NER); display names in
 * address headers are handled by {@link maskAddressNames}.
 */
import * as crypto from "crypto";
import * as net from "net";
import type { Figure } from "../../core/figure";
import type { DataKey } from "./keys";

export type PiiType = "email" | "phone" | "ipv4" | "ipv6" | "card";
export const PII_TYPES: readonly PiiType[] = ["email", "phone", "ipv4", "ipv6", "card"];

/** One detection: `text.slice(start, end) === value`. */
export interface PiiMatch {
  type: PiiType;
  start: number;
  end: number;
  value: string;
}

const EMAIL_RE = /(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])/g;
// North-American numbers: optional +1 / 1, area code (in parentheses or followed by a separator),
// exchange and line separated by a space, dot or dash: (800) 555-0199, 1-800-555-0199, 800.555.0199.
const NANP_RE = /(?<![\w+.-])(?:\+?1[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w-]|\.\d)/g;
// International: "+" country code, an optional "(0)", then 2–5 groups of digits.
const INTL_RE = /(?<![\w+])\+\d{1,3}[ .-]?(?:\(0\)[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]\d{2,4}){1,4}(?![\w-]|\.\d)/g;
const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4_RE = new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?!\\w|\\.\\d)`, "g");
const IPV6_CANDIDATE_RE = /(?<![\w:.$])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{1,4})?(?![\w:]|\.\d)/g;
const CARD_RE = /(?<![\d.-])\d(?:[ -]?\d){12,18}(?![\d-]|\.\d)/g;

/** The Luhn (mod 10) check that payment-card numbers satisfy (ISO/IEC 7812-1). */
export function luhnValid(digits: string): boolean {
  if (!/^\d{2,}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Issuer prefixes and lengths of the major card schemes (Visa, Mastercard, Amex, Discover, JCB, Diners). */
function plausibleCard(digits: string): boolean {
  const n = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p4 = Number(digits.slice(0, 4));
  if (digits[0] === "4") return n === 13 || n === 16 || n === 19;
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16;
  if (p2 === 34 || p2 === 37) return n === 15;
  if (p4 === 6011 || p2 === 65) return n === 16 || n === 19;
  if (p2 === 35) return n >= 16 && n <= 19;
  if (p2 === 36 || p2 === 38 || (p2 === 30 && Number(digits[2]) <= 5)) return n === 14;
  return false;
}

function collect(text: string, re: RegExp, type: PiiType, accept: (v: string) => boolean, out: PiiMatch[]): void {
  re.lastIndex = 0;
  for (const m of text.matchAll(re)) {
    const value = m[0];
    if (accept(value)) out.push({ type, start: m.index as number, end: (m.index as number) + value.length, value });
  }
}

function digitCount(v: string): number {
  return v.replace(/\D/g, "").length;
}

const PRIORITY: Record<PiiType, number> = { email: 0, card: 1, ipv6: 2, ipv4: 3, phone: 4 };

/** All PII of the given types in `text`, in order, without overlaps (the longer / higher-priority match wins) (article §9.4). */
export function detectPii(text: string, types: readonly PiiType[] = PII_TYPES): PiiMatch[] {
  const want = new Set(types);
  const found: PiiMatch[] = [];
  if (want.has("email")) collect(text, EMAIL_RE, "email", () => true, found);
  if (want.has("card"))
    collect(
      text,
      CARD_RE,
      "card",
      (v) => {
        const d = v.replace(/\D/g, "");
        return plausibleCard(d) && luhnValid(d);
      },
      found,
    );
  // Valid IPv6 with at least three non-empty groups, or an IPv4 tail (::ffff:192.0.2.1): "A0::" in quoted-printable text is not an address.
  if (want.has("ipv6")) collect(text, IPV6_CANDIDATE_RE, "ipv6", (v) => net.isIPv6(v) && (v.split(":").filter(Boolean).length >= 3 || v.includes(".")), found);
  if (want.has("ipv4")) collect(text, IPV4_RE, "ipv4", () => true, found);
  if (want.has("phone")) {
    collect(
      text,
      NANP_RE,
      "phone",
      (v) => {
        const n = digitCount(v);
        return n === 10 || n === 11;
      },
      found,
    );
    collect(
      text,
      INTL_RE,
      "phone",
      (v) => {
        const n = digitCount(v);
        return n >= 8 && n <= 15;
      },
      found,
    );
  }
  found.sort((a, b) => PRIORITY[a.type] - PRIORITY[b.type] || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: PiiMatch[] = [];
  for (const m of found) {
    if (!kept.some((k) => m.start < k.end && k.start < m.end)) kept.push(m);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** Number of detections per type in `text`. */
export function countPii(text: string, types: readonly PiiType[] = PII_TYPES): Record<PiiType, number> {
  const counts = Object.fromEntries(PII_TYPES.map((t) => [t, 0])) as Record<PiiType, number>;
  for (const m of detectPii(text, types)) counts[m.type]++;
  return counts;
}

/** Replaces every match with `replacement(match)` (default "[EMAIL]", "[PHONE]", …) (article §9.4). */
export function maskPii(text: string, opts: { types?: readonly PiiType[]; replacement?: (m: PiiMatch) => string } = {}): string {
  const replacement = opts.replacement ?? ((m: PiiMatch) => `[${m.type.toUpperCase()}]`);
  let out = "";
  let last = 0;
  for (const m of detectPii(text, opts.types)) {
    out += text.slice(last, m.start) + replacement(m);
    last = m.end;
  }
  return out + text.slice(last);
}

/** The canonical form of a value, so that one person's value maps to one token: lower-case emails, phone digits, compressed IPv6. */
export function normalizePii(type: PiiType, value: string): string {
  switch (type) {
    case "email":
      return value.toLowerCase();
    case "phone": {
      const d = value.replace(/\D/g, "");
      return d.length === 11 && d.startsWith("1") ? d.slice(1) : d; // +1 800… ≡ 800…
    }
    case "card":
      return value.replace(/\D/g, "");
    case "ipv6":
      return new URL(`http://[${value}]/`).hostname.slice(1, -1);
    case "ipv4":
      return value;
  }
}

/** A stable token for `value`: HMAC-SHA-256(key, type ‖ 0 ‖ normalised value), 12 hex digits (article §9.4). */
export function pseudonym(type: PiiType, value: string, key: DataKey): string {
  const mac = key.use((k) =>
    crypto
      .createHmac("sha256", k)
      .update(`${type}\0${normalizePii(type, value)}`)
      .digest("hex"),
  );
  return `[${type.toUpperCase()}:${mac.slice(0, 12)}]`;
}

/** Replaces every match with its keyed pseudonym: the same value always gets the same token under one key (article §9.4). */
export function pseudonymizePii(text: string, key: DataKey, types?: readonly PiiType[]): string {
  return maskPii(text, { types, replacement: (m) => pseudonym(m.type, m.value, key) });
}

/**
 * Masks display names in an address header value ("Jane Doe" <jane@example.com>, Jane <…>,
 * jane@example.com (Jane Doe)) with "[NAME]"; the addresses themselves are left to the detectors.
 */
export function maskAddressNames(headerValue: string): string {
  return headerValue
    .replace(/(^|,)\s*(?:"[^"]*"|[^,<>"]+?)\s*(<[^>]*>)/g, (_, sep: string, addr: string) => `${sep}${sep ? " " : ""}[NAME] ${addr}`)
    .replace(/(@[^\s,()]+)\s*\([^)]*\)/g, "$1 ([NAME])");
}

// The blunt pass: anything still shaped like an address (x@y, a Unicode domain included) ...
const BLUNT_ADDRESS_RE = /[^\s<>()[\]"]+@[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)*/gu;
// ... or a run of 7+ digits with phone punctuation, not inside a word or after ":" (a time or an
// IPv6 tail), except after "tel:" (a dialable number).
const BLUNT_NUMBER_RE = /(?:(?<![\p{L}\p{N}_:])|(?<=tel:))\+?\d[\d ().-]{6,}\d/gu;

/**
 * A last, blunt pass before text is shown (article §9.4): replaces whatever the detectors left
 * that is still shaped like an address (`x@y` → "[EMAIL?]") or a long number (7 or more digits
 * with phone punctuation → "[DIGITS?]"). It over-masks (dates, order numbers) on purpose; apply
 * it after {@link maskPii}. Returns the text and how many strings it replaced.
 */
export function bluntMask(text: string): { text: string; replaced: number } {
  let replaced = 0;
  const out = text
    .replace(BLUNT_ADDRESS_RE, () => {
      replaced++;
      return "[EMAIL?]";
    })
    .replace(BLUNT_NUMBER_RE, (m) => (digitCount(m) >= 7 ? (replaced++, "[DIGITS?]") : m));
  return { text: out, replaced };
}

/** Where personal data sits in a corpus: detections per type in headers and bodies, messages and distinct values. */
export interface PiiCensus {
  messages: number;
  inHeaders: Record<PiiType, number>;
  inBodies: Record<PiiType, number>;
  /** Messages with at least one detection of the type. */
  messagesWith: Record<PiiType, number>;
  distinctValues: Record<PiiType, number>;
}

const zeroCounts = (): Record<PiiType, number> => Object.fromEntries(PII_TYPES.map((t) => [t, 0])) as Record<PiiType, number>;

/**
 * Runs every detector over each message's full text (CRLF read as LF) and counts the detections
 * by type, split at the start of the body (article §8, §9.4). `body` must be the tail of `text`.
 */
export function piiCensus(messages: readonly { text: string; body: string }[]): PiiCensus {
  const census: PiiCensus = {
    messages: messages.length,
    inHeaders: zeroCounts(),
    inBodies: zeroCounts(),
    messagesWith: zeroCounts(),
    distinctValues: zeroCounts(),
  };
  const distinct = Object.fromEntries(PII_TYPES.map((t) => [t, new Set<string>()])) as Record<PiiType, Set<string>>;
  for (const m of messages) {
    const text = m.text.replace(/\r\n/g, "\n");
    const bodyStart = text.length - m.body.length;
    if (bodyStart < 0)
      throw new Error(`piiCensus: a message's body (${m.body.length} chars) is longer than its text (${text.length}); expected the body to be the text's tail`);
    const seenHere = new Set<PiiType>();
    for (const d of detectPii(text)) {
      (d.start >= bodyStart ? census.inBodies : census.inHeaders)[d.type]++;
      distinct[d.type].add(d.value);
      seenHere.add(d.type);
    }
    for (const t of seenHere) census.messagesWith[t]++;
  }
  for (const t of PII_TYPES) census.distinctValues[t] = distinct[t].size;
  return census;
}

/** Detections by type, headers beside bodies, on a log axis (the census of {@link piiCensus}). */
export function piiCensusFigure(census: PiiCensus, title = "PII detections by type"): Figure {
  return {
    data: [
      { type: "bar", name: "headers", x: [...PII_TYPES], y: PII_TYPES.map((t) => census.inHeaders[t]) },
      { type: "bar", name: "bodies", x: [...PII_TYPES], y: PII_TYPES.map((t) => census.inBodies[t]) },
    ],
    layout: {
      barmode: "group",
      title: { text: title },
      yaxis: { title: { text: "detections (log scale)" }, type: "log", automargin: true },
      xaxis: { automargin: true },
    },
  };
}

/** A labelled or detected value for scoring. */
export interface PiiLabel {
  type: PiiType;
  value: string;
}

/** Precision / recall of one detector type against labels. */
export interface DetectorScore {
  type: PiiType;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
}

/** Scores detections against labels per type, matching (type, exact value) as multisets; 0/0 counts as 1. */
export function scoreDetections(detected: readonly PiiLabel[], labelled: readonly PiiLabel[]): DetectorScore[] {
  return PII_TYPES.map((type) => {
    const want = new Map<string, number>();
    for (const l of labelled) if (l.type === type) want.set(l.value, (want.get(l.value) ?? 0) + 1);
    let tp = 0;
    let fp = 0;
    for (const d of detected) {
      if (d.type !== type) continue;
      const left = want.get(d.value) ?? 0;
      if (left > 0) {
        tp++;
        want.set(d.value, left - 1);
      } else fp++;
    }
    const fn = [...want.values()].reduce((a, b) => a + b, 0);
    return {
      type,
      truePositives: tp,
      falsePositives: fp,
      falseNegatives: fn,
      precision: tp + fp === 0 ? 1 : tp / (tp + fp),
      recall: tp + fn === 0 ? 1 : tp / (tp + fn),
    };
  });
}
