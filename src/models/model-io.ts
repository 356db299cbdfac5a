/**
 * Save and load a tf.LayersModel to a directory under plain Node (no tfjs-node, so no file://
 * handler): `model.json` (tfjs Layers format) + one `weights.bin`, the same pair tfjs-node writes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { writeFileAtomic } from "../core/atomic-write";

const MODEL_JSON = "model.json";
const WEIGHTS_BIN = "weights.bin";

const BYTES_PER_ELEMENT: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** Bytes a weight spec occupies in weights.bin (quantised weights use their stored dtype). */
function specBytes(spec: tf.io.WeightsManifestEntry): number {
  const size = spec.shape.reduce((p, d) => p * d, 1);
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const bytes = BYTES_PER_ELEMENT[dtype];
  if (bytes === undefined) throw new Error(`weight ${spec.name} has unsupported dtype ${dtype}`);
  return size * bytes;
}

/** A tf.io.IOHandler that saves model artifacts as `dir/model.json` + `dir/weights.bin`. */
export function fileSaveHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error("saveModel: binary (GraphDef) topologies are not supported; expected a Layers model");
      }
      fs.mkdirSync(dir, { recursive: true });
      const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig !== undefined) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata !== undefined) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      // Weights first, then model.json: a present model.json always has complete weights beside it.
      writeFileAtomic(path.join(dir, WEIGHTS_BIN), new Uint8Array(weightData));
      const json = JSON.stringify(modelJson);
      writeFileAtomic(path.join(dir, MODEL_JSON), json);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: "JSON",
          modelTopologyBytes: Buffer.byteLength(JSON.stringify(modelJson.modelTopology)),
          weightSpecsBytes: Buffer.byteLength(JSON.stringify(modelJson.weightsManifest)),
          weightDataBytes: weightData.byteLength,
        },
      };
    },
  };
}

/** A tf.io.IOHandler that loads `dir/model.json` + its weight files, with errors naming the file at fault. */
export function fileLoadHandler(dir: string): tf.io.IOHandler {
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => {
      const jsonPath = path.join(dir, MODEL_JSON);
      if (!fs.existsSync(jsonPath)) throw new Error(`loadModel: ${jsonPath} not found`);
      let modelJson: tf.io.ModelJSON;
      try {
        modelJson = JSON.parse(fs.readFileSync(jsonPath, "utf8")) as tf.io.ModelJSON;
      } catch (err) {
        throw new Error(`loadModel: ${jsonPath} is not valid JSON (${(err as Error).message})`, { cause: err });
      }
      if (modelJson === null || typeof modelJson !== "object" || modelJson.modelTopology == null || !Array.isArray(modelJson.weightsManifest)) {
        throw new Error(`loadModel: ${jsonPath} is not a tfjs model.json; expected "modelTopology" and a "weightsManifest" array`);
      }
      const weightSpecs: tf.io.WeightsManifestEntry[] = [];
      const buffers: ArrayBuffer[] = [];
      for (const group of modelJson.weightsManifest) {
        const groupBuffers: Buffer[] = [];
        for (const p of group.paths) {
          const weightsPath = path.join(dir, p);
          if (!fs.existsSync(weightsPath)) throw new Error(`loadModel: weights file ${weightsPath} (listed in ${jsonPath}) not found`);
          groupBuffers.push(fs.readFileSync(weightsPath));
        }
        const groupBytes = groupBuffers.reduce((s, b) => s + b.byteLength, 0);
        const expected = group.weights.reduce((s, spec) => s + specBytes(spec), 0);
        if (groupBytes !== expected) {
          const files = group.paths.map((p) => path.join(dir, p)).join(", ");
          throw new Error(
            `loadModel: weights file ${files} has ${groupBytes} bytes; expected ${expected} ` + `(${group.weights.length} tensors listed in ${jsonPath})`,
          );
        }
        weightSpecs.push(...group.weights);
        for (const b of groupBuffers) buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
      }
      return {
        modelTopology: modelJson.modelTopology,
        format: modelJson.format,
        generatedBy: modelJson.generatedBy,
        convertedBy: modelJson.convertedBy,
        trainingConfig: modelJson.trainingConfig,
        userDefinedMetadata: modelJson.userDefinedMetadata,
        weightSpecs,
        weightData: tf.io.CompositeArrayBuffer.join(buffers),
      };
    },
  };
}

/** Save `net` to `dir` as model.json + weights.bin (atomic writes), e.g. the trained classifier of article §5.2. */
export async function saveModel(net: tf.LayersModel, dir: string): Promise<tf.io.SaveResult> {
  return net.save(fileSaveHandler(dir));
}

/** Load a LayersModel saved by {@link saveModel} from `dir`; throws naming the file when missing or corrupt. */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  return tf.loadLayersModel(fileLoadHandler(dir));
}
