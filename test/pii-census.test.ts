import { test } from "node:test";
import * as assert from "node:assert/strict";
import { validateFigure } from "../src/core/figure";
import { PII_TYPES, bluntMask, piiCensus, piiCensusFigure } from "../src/scenarios/privacy/pii";

test("bluntMask: address- and number-shaped strings the detectors leave, counted", () => {
  const cases: [string, string, number][] = [
    // addresses: bare host, Unicode domain, inside angle brackets and parentheses (kept), trailing full stop kept
    ["write to jo@localhost now", "write to [EMAIL?] now", 1],
    ["mail jürgen@müller.de.", "mail [EMAIL?].", 1],
    ["<jo@example.com> (ann@example.org)", "<[EMAIL?]> ([EMAIL?])", 2],
    // numbers: 7+ digits with phone punctuation; a reverse-DNS host that spells an IP address
    ["call 555-0199 or (0)20 7946 0958", "call [DIGITS?] or ([DIGITS?]", 2],
    ["from 12-34-56-78.client.example.net", "from [DIGITS?].client.example.net", 1],
    ["dial tel:+15551234567", "dial tel:[DIGITS?]", 1],
    // not masked: 6 digits, digits inside a word, a time after ":", an already-masked tag
    ["code 12 34 56, id abc1234567, at 10:30:45 1234, [PHONE]", "code 12 34 56, id abc1234567, at 10:30:45 1234, [PHONE]", 0],
  ];
  for (const [input, expected, replaced] of cases) {
    assert.deepEqual(bluntMask(input), { text: expected, replaced }, input);
  }
});

test("piiCensus: detections split at the body, per-message presence and distinct values, counted by hand", () => {
  const messages = [
    { text: "From: a@example.com\r\nReceived: from 192.0.2.1\r\n\r\nmail a@example.com or b@example.org", body: "mail a@example.com or b@example.org" },
    { text: "From: c@example.com\n\ncall (212) 555-0142 from 192.0.2.1", body: "call (212) 555-0142 from 192.0.2.1" },
    { text: "Subject: hi\n\nnothing here", body: "nothing here" },
  ];
  const c = piiCensus(messages);
  assert.equal(c.messages, 3);
  assert.deepEqual(c.inHeaders, { email: 2, phone: 0, ipv4: 1, ipv6: 0, card: 0 });
  assert.deepEqual(c.inBodies, { email: 2, phone: 1, ipv4: 1, ipv6: 0, card: 0 });
  assert.deepEqual(c.messagesWith, { email: 2, phone: 1, ipv4: 2, ipv6: 0, card: 0 });
  assert.deepEqual(c.distinctValues, { email: 3, phone: 1, ipv4: 1, ipv6: 0, card: 0 });
  assert.throws(() => piiCensus([{ text: "x", body: "longer than x" }]), /body .* is longer than its text/);
});

test("piiCensusFigure: headers and bodies per type, log axis", () => {
  const c = piiCensus([{ text: "From: a@example.com\n\nb@example.org c@example.org", body: "b@example.org c@example.org" }]);
  const fig = piiCensusFigure(c);
  validateFigure(fig);
  assert.deepEqual(
    fig.data.map((t) => t.name),
    ["headers", "bodies"],
  );
  assert.deepEqual(fig.data[0].x, [...PII_TYPES]);
  assert.deepEqual(fig.data[0].y, [1, 0, 0, 0, 0]);
  assert.deepEqual(fig.data[1].y, [2, 0, 0, 0, 0]);
  assert.equal((fig.layout as { yaxis: { type: string } }).yaxis.type, "log");
});
