/**
 * `node dist/scripts/reference/export-tang-lm.js --out DIR` (issue #15): everything the PyTorch
 * referee (scripts/reference/tang_gpt.py) needs to train the §8 notebook's GPT exactly as the
 * notebook does — the same windows, the same initial weights, the same batch order — so the two
 * runs differ only in the framework.
 *
 * Writes (int32 and float32 little-endian, row-major; every file atomically):
 *   train-windows.i32   [trainCount, contextLength + 1] token ids (prepareTangLanguageModelData)
 *   val-windows.i32     [valCount, contextLength + 1]
 *   batch-order.i32     [numEpochs, trainCount]: shuffledIndices(trainCount, seed + epoch), as trainLanguageModel draws
 *   weights/<name>.f32  the initial weights of new Transformer(config), transformerWeightShapes order
 *   weights.json        [{ name, shape, file }] in that order
 *   meta.json           settings, V, counts, the schedule, and the sha256 of every file above
 * With --ours it also trains our model (trainLanguageModel, the notebook's engine) on the same data
 * and writes ours.json: the loss of every step and the validation loss, for the referee to compare.
 *
 * Flags (defaults: the notebook's full profile): --forms all --context 72 --d 256 --layers 4
 * --heads 8 --steps 1100 --batch 64 --lr 0.002 --val-fraction 0.05 --min-count 2 --seed 42
 * [--ours [auto|tfjs]].
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writeFileAtomic } from "../../src/core/atomic-write";
import { shuffledIndices } from "../../src/core/random";
import { initBackend } from "../../src/engine/backend";
import { Transformer, transformerWeightShapes, type TransformerConfig } from "../../src/models/transformer";
import { evaluateLanguageModel, LM_ADAM, trainLanguageModel } from "../../src/training/train-lm";
import { resolvedCosineSchedule } from "../../src/training/lr-schedule";
import { parseVerseForms, prepareTangLanguageModelData } from "../../src/text/tang-lm-data";

/** The value after `--name`, or `dflt`; throws naming a flag given without a value. */
function flagText(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith("--")) throw new Error(`--${name} needs a value`);
  return v;
}

function flagNumber(name: string, dflt: number, integer: boolean): number {
  const text = flagText(name, String(dflt));
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new Error(`--${name} must be a positive ${integer ? "integer" : "number"}; got ${text}`);
  }
  return v;
}

function bytesOf(a: Int32Array | Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** The learning-rate schedule and batches trainLanguageModel uses for these settings (its defaults, read from it). */
function scheduleOf(numSteps: number, lr: number, batchSize: number, trainCount: number) {
  const batchesPerEpoch = Math.floor(trainCount / batchSize);
  return {
    batchesPerEpoch,
    numEpochs: Math.ceil(numSteps / batchesPerEpoch),
    ...resolvedCosineSchedule({ lr, numSteps }),
    ...LM_ADAM,
    // The notebook logs the mean training loss every logEvery steps and evaluates every epoch and at the end.
    logEvery: Math.max(5, Math.round(numSteps / 60)),
  };
}

async function main(): Promise<void> {
  if (os.endianness() !== "LE") throw new Error("export-tang-lm: the files are written little-endian from typed arrays; this machine is big-endian");
  const out = flagText("out", "");
  if (out === "") throw new Error("export-tang-lm: --out DIR is required (the folder to write the referee's inputs to)");
  const settings = {
    forms: flagText("forms", "all"),
    contextLength: flagNumber("context", 72, true),
    dModel: flagNumber("d", 256, true),
    numLayers: flagNumber("layers", 4, true),
    numHeads: flagNumber("heads", 8, true),
    numSteps: flagNumber("steps", 1100, true),
    batchSize: flagNumber("batch", 64, true),
    lr: flagNumber("lr", 0.002, false),
    valFraction: flagNumber("val-fraction", 0.05, false),
    minCount: flagNumber("min-count", 2, true),
    seed: flagNumber("seed", 42, true),
  };
  const oursIndex = process.argv.indexOf("--ours");
  const oursEngine = oursIndex < 0 ? null : (process.argv[oursIndex + 1] ?? "auto");
  if (oursEngine !== null && oursEngine !== "auto" && oursEngine !== "tfjs" && !oursEngine.startsWith("--")) {
    throw new Error(`--ours must be followed by auto or tfjs (or nothing); got ${oursEngine}`);
  }

  const backend = await initBackend();
  const data = prepareTangLanguageModelData({ ...settings, forms: parseVerseForms(settings.forms) });
  const { trainSet, valSet, tokenizer } = data;
  const config: Required<TransformerConfig> = {
    vocabSize: tokenizer.size,
    contextLength: settings.contextLength,
    dModel: settings.dModel,
    numHeads: settings.numHeads,
    numLayers: settings.numLayers,
    dFF: 4 * settings.dModel,
    tieWeights: true,
    seed: settings.seed,
  };
  const schedule = scheduleOf(settings.numSteps, settings.lr, settings.batchSize, trainSet.count);
  if (schedule.batchesPerEpoch < 1) throw new Error(`export-tang-lm: ${trainSet.count} training windows are fewer than one batch of ${settings.batchSize}`);

  fs.mkdirSync(path.join(out, "weights"), { recursive: true });
  const files: Record<string, string> = {};
  const write = (name: string, bytes: Uint8Array): void => {
    writeFileAtomic(path.join(out, name), bytes);
    files[name] = crypto.createHash("sha256").update(bytes).digest("hex");
  };
  write("train-windows.i32", bytesOf(trainSet.tokens));
  write("val-windows.i32", bytesOf(valSet.tokens));
  const order = new Int32Array(schedule.numEpochs * trainSet.count); // [numEpochs, trainCount]
  for (let e = 0; e < schedule.numEpochs; e++) order.set(shuffledIndices(trainSet.count, settings.seed + e), e * trainSet.count);
  write("batch-order.i32", bytesOf(order));

  const net = new Transformer(config);
  try {
    const manifest = transformerWeightShapes(config).map(([name, shape]) => {
      const file = `weights/${name}.f32`;
      write(file, bytesOf(net.weights.get(name)!.dataSync() as Float32Array));
      return { name, shape, file };
    });
    writeFileAtomic(path.join(out, "weights.json"), JSON.stringify(manifest, null, 1) + "\n");
    files["weights.json"] = crypto
      .createHash("sha256")
      .update(fs.readFileSync(path.join(out, "weights.json")))
      .digest("hex");

    const meta = {
      format: "runbook tang-lm export 1: int32/float32 little-endian, row-major",
      settings,
      config,
      vocabSize: tokenizer.size,
      windowLength: trainSet.length,
      trainWindows: trainSet.count,
      valWindows: valSet.count,
      trainPoems: data.trainPoems.length,
      valPoems: data.valPoems.length,
      schedule,
      parameters: net.numParameters(),
      files,
    };
    writeFileAtomic(path.join(out, "meta.json"), JSON.stringify(meta, null, 1) + "\n");
    console.log(
      `export-tang-lm: ${out}: V ${tokenizer.size}, ${trainSet.count} train / ${valSet.count} val windows of ${trainSet.length}, ` +
        `${net.numParameters()} parameters, ${schedule.numEpochs} epoch(s) of batch order (backend ${backend.choice})`,
    );

    if (oursEngine !== null) {
      const engine = oursEngine === "tfjs" ? "tfjs" : "auto";
      const initial = evaluateLanguageModel(net, valSet, 128, engine).meanLoss;
      const h = await trainLanguageModel(net, trainSet, {
        numSteps: settings.numSteps,
        batchSize: settings.batchSize,
        lr: settings.lr,
        seed: settings.seed,
        logEvery: 1,
        engine,
      });
      const val = evaluateLanguageModel(net, valSet, 128, engine);
      const ours = {
        engine: h.engine,
        engineReason: h.engineReason,
        initialValLoss: initial,
        stepLosses: h.losses.map((e) => e.meanLoss),
        valLoss: val.meanLoss,
        valPerplexity: val.perplexity,
        seconds: h.seconds,
        tokensPerSec: h.tokensPerSec,
      };
      writeFileAtomic(path.join(out, "ours.json"), JSON.stringify(ours, null, 1) + "\n");
      console.log(
        `export-tang-lm: ours (${h.engine}): val loss ${val.meanLoss.toFixed(5)}, perplexity ${val.perplexity.toFixed(3)}, ${h.seconds.toFixed(1)} s`,
      );
    }
  } finally {
    net.dispose();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
