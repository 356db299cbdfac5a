/**
 * Checking the article's claims. A check compares what the article says with what we computed,
 * gives a verdict with a one-line reason, lands in the report's summary (`reports/summary.json`
 * and the index), and renders as a visible "article says / computed / verdict" row. Notebooks
 * assert their own computed values separately, so a regression fails CI whatever the verdict.
 */
import { showHtml } from "./display";
import { escapeHtml } from "../core/html";
import { recordFact } from "./report-facts";

export type ClaimValue = number | string | boolean | readonly number[];

export interface Claim {
  /** Where the claim is, e.g. "§4.1.1 MLP output Z". */
  id: string;
  articleSays: ClaimValue;
  computed: ClaimValue;
  /** Absolute tolerance for numbers (default 1e-9); ignored for text. */
  tolerance?: number;
  /** Why the values agree or differ, shown in the verdict column. */
  reason?: string;
}

export interface ClaimResult {
  id: string;
  articleSays: string;
  computed: string;
  ok: boolean;
  reason: string;
}

export function formatClaimValue(v: ClaimValue): string {
  if (typeof v === "number") return Number.isInteger(v) ? v.toLocaleString("en-US") : String(+v.toPrecision(6));
  if (Array.isArray(v)) return `[${v.map((x) => formatClaimValue(x)).join(", ")}]`;
  return String(v);
}

function agree(a: ClaimValue, b: ClaimValue, tol: number): { ok: boolean; detail: string } {
  if (typeof a === "number" && typeof b === "number") {
    const d = Math.abs(a - b);
    return { ok: d <= tol, detail: d <= tol ? "agrees" : `differs by ${+d.toPrecision(4)} (tolerance ${tol})` };
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return { ok: false, detail: `${a.length} values vs ${b.length}` };
    const d = Math.max(0, ...a.map((x, i) => Math.abs(x - b[i])));
    return { ok: d <= tol, detail: d <= tol ? "agrees" : `differs by up to ${+d.toPrecision(4)} (tolerance ${tol})` };
  }
  const ok = String(a) === String(b);
  return { ok, detail: ok ? "agrees" : "differs" };
}

/** Compares one claim, records it for the report and returns the verdict (article §4–§9 checks). */
export function checkClaim(claim: Claim): ClaimResult {
  const { ok, detail } = agree(claim.articleSays, claim.computed, claim.tolerance ?? 1e-9);
  const result: ClaimResult = {
    id: claim.id,
    articleSays: formatClaimValue(claim.articleSays),
    computed: formatClaimValue(claim.computed),
    ok,
    reason: claim.reason ?? detail,
  };
  recordFact({ kind: "check", ...result });
  return result;
}

/** HTML table of claim verdicts: article says / computed / ✓ or ✗ with the reason. */
export function claimsTableHtml(results: ClaimResult[], caption = "The article's claims, checked"): string {
  const rows = results
    .map(
      (r) =>
        `<tr style="background:${r.ok ? "#eef8ee" : "#fdeeee"}">${[r.id, r.articleSays, r.computed, `${r.ok ? "✓" : "✗"} ${r.reason}`].map((v) => `<td style="text-align:left">${escapeHtml(v)}</td>`).join("")}</tr>`,
    )
    .join("");
  return `<table class="runbook-claims" style="text-align:left"><caption style="caption-side:top;text-align:left;font-weight:bold">${escapeHtml(caption)}</caption><thead><tr>${["Claim", "Article says", "Computed here", "Verdict"].map((h) => `<th style="text-align:left">${h}</th>`).join("")}</tr></thead><tbody>${rows}</tbody></table>`;
}

/** Checks claims, shows them as one table, and returns the results. */
export function showClaims(claims: Claim[], caption?: string): ClaimResult[] {
  const results = claims.map(checkClaim);
  showHtml(claimsTableHtml(results, caption));
  return results;
}
