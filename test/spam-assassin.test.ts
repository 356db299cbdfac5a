/** The SpamAssassin loader (article §6, §9.4): validation, header/body split, labels. */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as crypto from "node:crypto";
import {
  SPAM_ASSASSIN_GROUPS,
  emailDate,
  emailMetadata,
  emailPlainText,
  emailTimezone,
  headerValue,
  loadSpamAssassin,
  parseEmail,
  type RawSpamAssassinRecord,
} from "../src/data/spam-assassin";

const MSG = [
  "From sender@example.com  Thu Aug 22 12:36:23 2002",
  "Return-Path: <sender@example.com>",
  "Subject: Hello",
  "  world",
  "Date: Thu, 22 Aug 2002 07:36:16 -0400 (EDT)",
  "",
  "<html><style>p{}</style><p>Body &amp; more</p></html>",
  "",
  "second paragraph",
].join("\n");

const record = (id: string, group: string, text: string): RawSpamAssassinRecord => ({
  id,
  group,
  text,
  checksum: { type: "MD5", value: crypto.createHash("md5").update(text).digest("hex") },
});

test("parseEmail splits envelope, unfolded headers and body", () => {
  const p = parseEmail(MSG);
  assert.equal(p.envelope, "From sender@example.com  Thu Aug 22 12:36:23 2002");
  assert.deepEqual(
    p.headers.map((h) => h.name),
    ["Return-Path", "Subject", "Date"],
  );
  assert.equal(headerValue(p, "subject"), "Hello world");
  assert.equal(p.body, "<html><style>p{}</style><p>Body &amp; more</p></html>\n\nsecond paragraph");
  assert.equal(emailDate(p)?.toISOString(), "2002-08-22T11:36:16.000Z");
  assert.equal(emailTimezone(p), "-0400");
  assert.match(emailPlainText(p), /^Hello world\n\s*Body & more\s+second paragraph$/);
  assert.equal(parseEmail(MSG.replace(/\n/g, "\r\n")).body, p.body);
});

test("loadSpamAssassin validates records and labels spam = 1", () => {
  const d = loadSpamAssassin({ records: [record("1", "easy-ham-1", MSG), record("2", "spam-2", MSG)] });
  assert.deepEqual(
    d.emails.map((e) => [e.key, e.label, e.checksumOk]),
    [
      ["easy-ham-1/1", 0, true],
      ["spam-2/2", 1, true],
    ],
  );
  assert.equal(d.checksumMatches, 2);
  const bad = { ...record("3", "spam-1", MSG), checksum: { type: "MD5", value: "0".repeat(32) } };
  assert.equal(loadSpamAssassin({ records: [bad] }).checksumMatches, 0);
  assert.throws(() => loadSpamAssassin({ records: [record("1", "nope", MSG)] }), /group "nope"; expected one of easy-ham-1/);
  assert.throws(() => loadSpamAssassin({ records: [record("1", "spam-1", MSG), record("1", "spam-1", MSG)] }), /duplicate message spam-1\/1/);
  assert.throws(() => loadSpamAssassin({ records: [{ ...record("1", "spam-1", MSG), text: "" }] }), /text must be a non-empty string/);
  assert.throws(() => loadSpamAssassin({ groups: ["x" as never] }), /unknown group "x"/);
});

test("the real corpus: 6,046 messages in five groups, every one with headers and a body", () => {
  const d = loadSpamAssassin();
  assert.equal(d.emails.length, 6046);
  assert.deepEqual(d.groupCounts, SPAM_ASSASSIN_GROUPS);
  assert.equal(d.emails.filter((e) => e.label === 1).length, 500 + 1396);
  assert.ok(d.emails.every((e) => e.headers.length > 0));
  assert.ok(d.emails.filter((e) => headerValue(e, "From") !== "").length > 6000);
  // 5,545 texts hash to the package's MD5 as UTF-8 (measured), a few more as Latin-1; the rest
  // had non-UTF-8 bytes replaced when the package was built.
  assert.ok(d.checksumMatches >= 5545, `${d.checksumMatches}`);
  const spamOnly = loadSpamAssassin({ groups: ["spam-1"] });
  assert.equal(spamOnly.emails.length, 500);
});

test("emailMetadata reads sender domain, time zone, local hour, weekday and mailer", () => {
  const p = parseEmail(['From: "Jane" <Jane@Mail.Example.COM>', "Date: Thu, 22 Aug 2002 07:36:16 -0400 (EDT)", "X-Mailer: Mutt 1.4i", "", "x"].join("\n"));
  assert.deepEqual(emailMetadata(p), { senderDomain: "mail.example.com", timezone: "-0400", hour: 7, weekday: "Thu", mailer: "Mutt 1.4i" });
  assert.equal(emailMetadata(parseEmail("From: nobody\nDate: Thu, 22 Aug 2002 07:36:16 -0400\n\nx")), null);
  assert.equal(emailMetadata(parseEmail("From: a@example.com\nDate: Thu, 22 Aug 2002 07:36:16 -0400\n\nx"))?.mailer, "(none)");
});
