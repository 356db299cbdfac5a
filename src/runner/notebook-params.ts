/**
 * Notebook parameters, papermill-style: a notebook declares its parameters with defaults in the
 * one code cell tagged `parameters`; the runner overrides them by inserting a cell tagged
 * `injected-parameters` right after it. Values used in the quick profile sit beside each default
 * as a trailing `// quick: <value>` comment, so a reader sees both in one place:
 *
 *     let numEpochs = 2;          // quick: 1
 *     let dataset = "auto";       // "auto" | "cifar10" | "fashion-mnist"
 *
 * Only literal numbers, strings and booleans are parameters; anything else in the cell is an error,
 * so a typo cannot silently become "no parameter".
 */

import { type Notebook, type NotebookCell } from "../core/notebook-format";

export type ParamType = "number" | "string" | "boolean";
export type ParamValue = number | string | boolean;

export interface ParamDeclaration {
  name: string;
  type: ParamType;
  defaultValue: ParamValue;
  /** Value for `--profile quick`, from the `// quick: <value>` comment; undefined = same as default. */
  quickValue?: ParamValue;
  /** 1-based line in the parameters cell, for error messages. */
  line: number;
}

export type Profile = "quick" | "full";
export const PROFILES: readonly Profile[] = ["quick", "full"];

export const PARAMETERS_TAG = "parameters";
export const INJECTED_TAG = "injected-parameters";

/** Index of the cell tagged `parameters`, or -1; more than one is an error. */
export function findParametersCell(nb: Notebook, file: string): number {
  const indices = nb.cells.map((c, i) => ((c.metadata.tags ?? []).includes(PARAMETERS_TAG) ? i : -1)).filter((i) => i >= 0);
  if (indices.length > 1) {
    throw new Error(`${file}: ${indices.length} cells are tagged "${PARAMETERS_TAG}" (cells ${indices.join(", ")}); expected one`);
  }
  return indices.length === 1 ? indices[0] : -1;
}

const DECLARATION = /^(?:let|const|var)\s+([A-Za-z_$][\w$]*)\s*(?::\s*(number|string|boolean)\s*)?=\s*(.+?)\s*;?\s*(?:\/\/\s*(.*))?$/;

/** Parses a literal as written in TypeScript source: a number, a double/single-quoted string or a boolean. */
export function parseLiteral(text: string): { type: ParamType; value: ParamValue } | undefined {
  const t = text.trim();
  if (t === "true" || t === "false") return { type: "boolean", value: t === "true" };
  if (/^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(t) || /^-?\d[\d_]*$/.test(t)) {
    return { type: "number", value: Number(t.replace(/_/g, "")) };
  }
  if (/^"(?:[^"\\]|\\.)*"$/.test(t)) {
    try {
      return { type: "string", value: JSON.parse(t) as string };
    } catch {
      return undefined;
    }
  }
  if (/^'(?:[^'\\]|\\.)*'$/.test(t)) {
    // Single-quoted: unescape \' and escape bare double quotes, then read it as JSON.
    const inner = t.slice(1, -1).replace(/\\'/g, "'").replace(/\\"/g, '"').replace(/"/g, '\\"');
    try {
      return { type: "string", value: JSON.parse(`"${inner}"`) as string };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Reads the declarations of a parameters cell; `file` names the notebook in errors. */
export function parseParameters(source: string, file: string): ParamDeclaration[] {
  const params: ParamDeclaration[] = [];
  source.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("//")) return;
    const m = DECLARATION.exec(line);
    if (!m) {
      throw new Error(`${file}: parameters cell line ${i + 1} "${line}" is not a declaration like \`let name = 1; // quick: 0\``);
    }
    const [, name, annotated, valueText, comment] = m;
    const parsed = parseLiteral(valueText);
    if (!parsed) {
      throw new Error(`${file}: parameter "${name}" (line ${i + 1}) has value ${valueText}; expected a number, string or boolean literal`);
    }
    if (annotated && annotated !== parsed.type) {
      throw new Error(`${file}: parameter "${name}" is declared ${annotated} but its default ${valueText} is a ${parsed.type}`);
    }
    let quickValue: ParamValue | undefined;
    const quick = comment ? /^quick:\s*(.+?)\s*$/.exec(comment) : null;
    if (quick) {
      const q = parseLiteral(quick[1]);
      if (!q || q.type !== parsed.type) {
        throw new Error(`${file}: parameter "${name}" has quick value ${quick[1]}; expected a ${parsed.type} literal`);
      }
      quickValue = q.value;
    }
    if (params.some((p) => p.name === name)) {
      throw new Error(`${file}: parameter "${name}" is declared twice in the parameters cell`);
    }
    params.push({ name, type: parsed.type, defaultValue: parsed.value, quickValue, line: i + 1 });
  });
  return params;
}

/** Converts a command-line `-p key=value` string to the declared type, or explains why it cannot. */
export function coerceParam(decl: ParamDeclaration, text: string, file: string): ParamValue {
  switch (decl.type) {
    case "number": {
      const v = Number(text.replace(/_/g, ""));
      if (text.trim() === "" || !Number.isFinite(v)) {
        throw new Error(
          `parameter ${decl.name}=${text}: ${file} declares ${decl.name} as a number (default ${decl.defaultValue}); "${text}" is not a finite number`,
        );
      }
      return v;
    }
    case "boolean":
      if (text === "true" || text === "false") return text === "true";
      throw new Error(`parameter ${decl.name}=${text}: ${file} declares ${decl.name} as a boolean; expected true or false`);
    case "string":
      return text;
  }
}

/** Splits `key=value` (value may contain `=`). */
export function splitAssignment(text: string): [string, string] {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new Error(`-p ${text}: expected key=value`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

export interface ResolvedParams {
  /** Every declared parameter with the value this run uses. */
  values: Record<string, ParamValue>;
  /** Parameters whose value differs from the notebook's default (what gets injected). */
  injected: Record<string, ParamValue>;
}

/**
 * Values for one notebook: defaults, then the profile's quick values, then `-p` overrides.
 * A notebook that declares `profile` always gets the run's profile injected.
 */
export function resolveParams(decls: ParamDeclaration[], profile: Profile, overrides: Record<string, string>, file: string): ResolvedParams {
  const values: Record<string, ParamValue> = {};
  const injected: Record<string, ParamValue> = {};
  for (const d of decls) {
    let v: ParamValue = d.defaultValue;
    if (profile === "quick" && d.quickValue !== undefined) v = d.quickValue;
    if (d.name === "profile") v = profile;
    if (Object.prototype.hasOwnProperty.call(overrides, d.name)) v = coerceParam(d, overrides[d.name], file);
    values[d.name] = v;
    if (v !== d.defaultValue || d.name === "profile") injected[d.name] = v;
  }
  return { values, injected };
}

/** TypeScript source of the injected cell: plain assignments, so the declared types still hold. */
export function injectedCellSource(injected: Record<string, ParamValue>, profile: Profile): string {
  const lines = [`// Injected by scripts/run-notebooks (profile: ${profile}). Values used in this run:`];
  for (const [name, value] of Object.entries(injected)) lines.push(`${name} = ${JSON.stringify(value)};`);
  // tslab echoes a cell's last expression; the assignments above already show the values.
  lines.push("void 0;");
  return lines.join("\n");
}

/** Returns a copy of the notebook with the injected-parameters cell after the parameters cell. */
export function injectParameters(nb: Notebook, paramsIndex: number, source: string): Notebook {
  const copy: Notebook = JSON.parse(JSON.stringify(nb)) as Notebook;
  copy.cells = copy.cells.filter((c) => !(c.metadata.tags ?? []).includes(INJECTED_TAG));
  const cell: NotebookCell = {
    cell_type: "code",
    source,
    metadata: { tags: [INJECTED_TAG] },
    outputs: [],
    execution_count: null,
    id: "injected-parameters",
  };
  copy.cells.splice(paramsIndex + 1, 0, cell);
  return copy;
}
