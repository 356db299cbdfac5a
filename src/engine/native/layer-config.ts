/** Reading tfjs layer configs for the native trainers (seq-train.ts, graph-train.ts): sizes, activations, 'same' paddings. */

/** A layer's `getConfig()` as the native planners read it. */
export type LayerConfig = Record<string, unknown>;

/** A size given as n or [a, b] → [a, b]; throws naming `name` otherwise. */
export function pair(v: unknown, name: string): [number, number] {
  if (typeof v === "number") return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === "number")) return [v[0] as number, v[1] as number];
  throw new Error(`${name} ${JSON.stringify(v)}`);
}

/** Whether a layer's activation is ReLU (true) or linear (false); throws for any other. */
export function activation(cfg: LayerConfig, layer: string): boolean {
  const a = cfg.activation ?? "linear";
  if (a === "relu") return true;
  if (a === "linear") return false;
  throw new Error(`${layer} activation '${String(a)}'`);
}

/** Throws when a layer has regularisers or constraints (the native step applies none). */
export function noRegularizers(cfg: LayerConfig, layer: string): void {
  for (const key of ["kernelRegularizer", "biasRegularizer", "activityRegularizer", "kernelConstraint", "biasConstraint"]) {
    if (cfg[key] != null) throw new Error(`${layer} ${key}`);
  }
}

/** TensorFlow's 'same' padding: total = max((out − 1)·s + k − in, 0), the extra pixel at the end. */
export function samePads(size: number, k: number, s: number): [number, number] {
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + k - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** Conv2D's explicit paddings and output size for input h×w, from its config. */
export function convGeometry(
  cfg: LayerConfig,
  h: number,
  w: number,
): { kh: number; kw: number; sh: number; sw: number; padTop: number; padBottom: number; padLeft: number; padRight: number; oh: number; ow: number } {
  const [kh, kw] = pair(cfg.kernelSize, "kernelSize");
  const [sh, sw] = pair(cfg.strides ?? 1, "strides");
  const [dh, dw] = pair(cfg.dilationRate ?? 1, "dilationRate");
  if (dh !== 1 || dw !== 1) throw new Error("dilated Conv2D");
  let pads = { padTop: 0, padBottom: 0, padLeft: 0, padRight: 0 };
  if (cfg.padding === "same") {
    const [t, b] = samePads(h, kh, sh);
    const [l, r] = samePads(w, kw, sw);
    pads = { padTop: t, padBottom: b, padLeft: l, padRight: r };
  } else if (cfg.padding !== "valid") throw new Error(`Conv2D padding '${String(cfg.padding)}'`);
  const oh = Math.floor((h + pads.padTop + pads.padBottom - kh) / sh) + 1;
  const ow = Math.floor((w + pads.padLeft + pads.padRight - kw) / sw) + 1;
  return { kh, kw, sh, sw, ...pads, oh, ow };
}
