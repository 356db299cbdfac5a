/**
 * A small RFC 4180 CSV reader for the committed and packaged tables (§6 scenarios): quoted fields
 * with commas, doubled quotes and newlines inside quotes; every row must have the header's width.
 * Errors name the file, the line and what was expected, so a malformed row is found at once.
 */
import * as fs from "fs";

export interface CsvTable {
  /** Column names from the first row. */
  header: string[];
  /** Data rows as strings, each `header.length` long; `lines[i]` is the 1-based line where row i starts. */
  rows: string[][];
  lines: number[];
}

/**
 * Parses CSV text; `source` names it in errors (a file path, usually). With `columns`, the header
 * must be exactly those names in order (checked before the rows, so a wrong file says so first).
 */
export function parseCsv(text: string, source: string, columns?: readonly string[]): CsvTable {
  const records: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = "";
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  let quoteLine = 1;
  let fieldStarted = false; // the current record has content (so a blank line is not a record)
  const endRecord = () => {
    if (fieldStarted || fields.length > 0) records.push({ fields: [...fields, field], line: recordLine });
    fields = [];
    field = "";
    fieldStarted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else inQuotes = false;
      } else {
        if (c === "\n") line++;
        field += c;
      }
      continue;
    }
    if (c === '"') {
      if (field !== "") throw new Error(`${source} line ${line}: a quote inside an unquoted field ("${field}"); expected quotes around the whole field`);
      inQuotes = true;
      quoteLine = line;
      fieldStarted = true;
    } else if (c === ",") {
      fields.push(field);
      field = "";
      fieldStarted = true;
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      if (!fieldStarted) recordLine = line;
      field += c;
      fieldStarted = true;
    }
  }
  if (inQuotes) throw new Error(`${source} line ${quoteLine}: a quoted field is never closed; expected a closing "`);
  endRecord();
  if (records.length === 0) throw new Error(`${source} is empty; expected a header row and data rows`);
  const header = records[0].fields;
  if (columns) expectColumns(header, columns, source);
  const rows: string[][] = [];
  const lines: number[] = [];
  for (const r of records.slice(1)) {
    if (r.fields.length !== header.length) {
      throw new Error(`${source} line ${r.line} has ${r.fields.length} fields; expected ${header.length} (${header.slice(0, 4).join(", ")}${header.length > 4 ? ", …" : ""})`);
    }
    rows.push(r.fields);
    lines.push(r.line);
  }
  return { header, rows, lines };
}

/** Reads and parses a CSV file (see {@link parseCsv}); a missing file is an error naming it. */
export function readCsv(file: string, columns?: readonly string[]): CsvTable {
  if (!fs.existsSync(file)) throw new Error(`CSV file ${file} not found`);
  return parseCsv(fs.readFileSync(file, "utf8"), file, columns);
}

function expectColumns(header: readonly string[], expected: readonly string[], source: string): void {
  const same = header.length === expected.length && expected.every((c, i) => header[i] === c);
  if (!same) {
    const missing = expected.filter((c) => !header.includes(c));
    throw new Error(`${source} line 1 has columns [${header.join(", ")}]; expected [${expected.join(", ")}]${missing.length ? ` (missing: ${missing.join(", ")})` : ""}`);
  }
}
