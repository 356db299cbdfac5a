/**
 * Security test for the generated reports (article §9.4): the privacy notebook is executed by the
 * runner (quick profile, a fresh key from a temporary key file) into a temporary folder, and every
 * artefact (html, ipynb, json, xml) — plus reports/ and test-reports/ when they exist — is scanned
 * for any raw email address or phone number that occurs in the SpamAssassin corpus (the set is
 * built with the same detectors that desensitise the corpus) and for the data keys in hex and
 * base64. Failures name the file, the type and a hash of the value, never the value itself.
 * RUNBOOK_LEAK_NOTEBOOK overrides the notebook (used once to show the test fails on a leak).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadSpamAssassin } from "../src/data/spam-assassin";
import { detectPii, normalizePii, type PiiType } from "../src/scenarios/privacy/pii";
import { DEFAULT_DATA_KEY_FILE, createKeyFile, parseKeyText } from "../src/scenarios/privacy/keys";
import { envDataKey, envLeakNotebook } from "../src/core/env";

const ROOT = path.resolve(__dirname, "..", "..");
const NOTEBOOK = envLeakNotebook() ?? path.join(ROOT, "notebooks", "09-4-privacy-and-security.ipynb");
const SCANNED = /\.(html|ipynb|json|xml)$/;
const TYPES: PiiType[] = ["email", "phone"];

/** The corpus's raw email addresses and phone numbers: exact strings and normalised forms. */
function corpusValues(): { exact: Set<string>; normalised: Set<string> } {
  const exact = new Set<string>();
  const normalised = new Set<string>();
  for (const e of loadSpamAssassin().emails) {
    for (const m of detectPii(e.text, TYPES)) {
      exact.add(m.value);
      normalised.add(`${m.type}:${normalizePii(m.type, m.value)}`);
    }
  }
  return { exact, normalised };
}

/** Every textual form a 32-byte key could take in an artefact. */
function keyForms(bytes: Buffer): string[] {
  const b64 = bytes.toString("base64");
  return [bytes.toString("hex"), bytes.toString("hex").toUpperCase(), b64, b64.replace(/=+$/, ""), bytes.toString("base64url")];
}

function keyBytesOf(file: string): Buffer {
  const raw = fs.readFileSync(file);
  return raw.length === 32 ? raw : parseKeyText(raw.toString("latin1"), file);
}

function artefacts(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && SCANNED.test(d.name))
    .map((d) => path.join(d.parentPath ?? (d as unknown as { path: string }).path, d.name));
}

const hash = (v: string): string => crypto.createHash("sha256").update(v).digest("hex").slice(0, 12);

/** Leaks found in the files: "file: type (sha256 prefix) at offset". */
function scan(files: string[], corpus: { exact: Set<string>; normalised: Set<string> }, keys: string[]): string[] {
  const leaks: string[] = [];
  for (const f of files) {
    const text = fs.readFileSync(f, "utf8");
    for (const k of keys) if (text.includes(k)) leaks.push(`${f}: contains the data key (a ${k.length}-character form)`);
    for (const m of detectPii(text, TYPES)) {
      if (corpus.exact.has(m.value) || corpus.normalised.has(`${m.type}:${normalizePii(m.type, m.value)}`)) {
        leaks.push(`${f}: a raw ${m.type} of the corpus (sha256 ${hash(m.value)}…) at offset ${m.start}`);
      }
    }
  }
  return leaks;
}

test("the privacy notebook's report leaks no corpus email address, phone number or key", { timeout: 600_000 }, () => {
  const corpus = corpusValues();
  assert.ok(corpus.exact.size > 10_000, `only ${corpus.exact.size} raw values found in the corpus`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "report-leaks-"));
  try {
    const keyFile = path.join(tmp, "keys", "test.key");
    createKeyFile(keyFile);
    const out = path.join(tmp, "report");
    const env: NodeJS.ProcessEnv = { ...process.env, RUNBOOK_DATA_KEY_FILE: keyFile, RUNBOOK_BROWSER_CHECK: "off" };
    delete env.RUNBOOK_DATA_KEY;
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, "dist", "scripts", "run-notebooks.js"), NOTEBOOK, "--profile", "quick", "--out", out, "--jobs", "1"],
      { cwd: ROOT, env, encoding: "utf8", timeout: 540_000 },
    );
    assert.equal(r.status, 0, `the runner failed:\n${r.stdout}\n${r.stderr}`);
    const files = artefacts(out);
    const exts = new Set(files.map((f) => path.extname(f)));
    for (const ext of [".html", ".ipynb", ".json", ".xml"]) assert.ok(exts.has(ext), `no ${ext} artefact in ${out}`);
    const keys = keyForms(keyBytesOf(keyFile));
    // Also the keys a developer's own reports could contain: the default key file and the env key.
    if (fs.existsSync(DEFAULT_DATA_KEY_FILE)) keys.push(...keyForms(keyBytesOf(DEFAULT_DATA_KEY_FILE)));
    const envKey = envDataKey();
    if (envKey) keys.push(...keyForms(parseKeyText(envKey, "env")));
    const leaks = scan(files, corpus, keys);
    assert.deepEqual(leaks, [], `leaks in the generated report:\n${leaks.join("\n")}`);
    // The notebook really ran on the data: its executed copy shows masked values.
    const executed = fs.readFileSync(files.find((f) => f.endsWith(".ipynb")) as string, "utf8");
    assert.ok(executed.includes("[PHONE]") && executed.includes("[EMAIL"), "the executed notebook shows no masked values");
    // Existing report folders (full runs, npm test) must be clean too.
    const existing = [path.join(ROOT, "reports"), path.join(ROOT, "test-reports")].flatMap(artefacts);
    const old = scan(existing, corpus, keys);
    assert.deepEqual(old, [], `leaks in reports/ or test-reports/:\n${old.join("\n")}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
