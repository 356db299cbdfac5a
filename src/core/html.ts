/** HTML text escaping, shared by the notebook display and the runner's report pages. */

/** `s` with the five HTML-special characters escaped, safe inside element text and quoted attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}
