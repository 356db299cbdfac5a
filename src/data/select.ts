/**
 * The `dataset` parameter of the image notebooks: "auto" (CIFAR-10 if a complete copy is on disk,
 * else Fashion-MNIST), "cifar10" or "fashion-mnist" — with the reason, so the notebook can say
 * which data it trains on and why.
 */
import * as path from "path";
import { PROJECT_ROOT } from "../core/paths";
import { findCifar10, loadCifar10 } from "./cifar10";
import { CIFAR10_DIR_NAME, FASHION_MNIST_DEBIAN_DIR } from "./locations";
import { loadFashionMnist } from "./fashion-mnist";
import type { ImageDataset } from "./image-dataset";

export type DatasetChoice = "auto" | "cifar10" | "fashion-mnist";
export const DATASET_CHOICES: readonly DatasetChoice[] = ["auto", "cifar10", "fashion-mnist"];

export interface SelectedImageData {
  name: "cifar10" | "fashion-mnist";
  /** Why this data set, in one sentence for the notebook. */
  reason: string;
  trainSet: ImageDataset;
  testSet: ImageDataset;
  /** [32, 32, channels]: both data sets fit the seed's 32×32 network (Fashion-MNIST zero-padded). */
  inputShape: [number, number, number];
}

/** Loads train and test sets for `dataset`; sizes of 0 mean the whole split (article §5.2). */
export function selectImageData(opts: {
  dataset: string;
  trainSize: number;
  testSize: number;
  dataRoot?: string;
}): SelectedImageData {
  const { dataset } = opts;
  if (!(DATASET_CHOICES as readonly string[]).includes(dataset)) {
    throw new Error(`dataset="${dataset}": expected one of ${DATASET_CHOICES.join(", ")}`);
  }
  for (const [name, v] of [["trainSize", opts.trainSize], ["testSize", opts.testSize]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`${name}=${v}: expected a whole number ≥ 0 (0 = the whole split)`);
  }
  const dataRoot = opts.dataRoot ?? path.join(PROJECT_ROOT, "data");
  const cifarDir = findCifar10(dataRoot);
  const limit = (n: number): number | undefined => (n > 0 ? n : undefined);
  let useCifar: boolean;
  let reason: string;
  if (dataset === "cifar10") {
    if (!cifarDir) {
      throw new Error(
        `dataset="cifar10" but no complete CIFAR-10 copy is in ${path.join(dataRoot, CIFAR10_DIR_NAME)}: ` +
          "run `npm run data:cifar10` on a machine with internet (or use dataset=\"fashion-mnist\")",
      );
    }
    useCifar = true;
    reason = `CIFAR-10, as requested (found at ${cifarDir}).`;
  } else if (dataset === "fashion-mnist") {
    useCifar = false;
    reason = "Fashion-MNIST, as requested.";
  } else {
    useCifar = cifarDir !== null;
    reason = cifarDir
      ? `CIFAR-10, the article's data set, is on disk at ${cifarDir}.`
      : `CIFAR-10, the article's data set, is not on disk (no internet here; \`npm run data:cifar10\` fetches it), so this run uses Fashion-MNIST from Debian's dataset-fashion-mnist (${FASHION_MNIST_DEBIAN_DIR}), zero-padded to 32×32 so the seed's network applies unchanged with 1 input channel.`;
  }
  if (useCifar && cifarDir) {
    const trainSet = loadCifar10({ dir: cifarDir, split: "train", limit: limit(opts.trainSize) });
    const testSet = loadCifar10({ dir: cifarDir, split: "test", limit: limit(opts.testSize) });
    return { name: "cifar10", reason, trainSet, testSet, inputShape: [32, 32, 3] };
  }
  const trainSet = loadFashionMnist({ split: "train", limit: limit(opts.trainSize), padTo32: true });
  const testSet = loadFashionMnist({ split: "test", limit: limit(opts.testSize), padTo32: true });
  return { name: "fashion-mnist", reason, trainSet, testSet, inputShape: [32, 32, 1] };
}
