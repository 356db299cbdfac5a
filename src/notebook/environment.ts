/**
 * What this runbook runs on: tool versions, the TensorFlow.js backend and the data sets found.
 * The article's §5.1 lists its Python environment; this is ours, printed by every report.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { BackendReport } from "../engine/backend";
import { backendSummary } from "../engine/backend";
import { packageVersion } from "../core/packages";
import { PROJECT_ROOT } from "../core/paths";
import { findCifar10 } from "../data/cifar10";
import { CIFAR10_DIR_NAME, FASHION_MNIST_DEBIAN_DIR } from "../data/locations";

export interface DatasetLocation {
  name: string;
  path: string;
  found: boolean;
  note: string;
}

/** The data sets the runbook can use and whether each is on this machine. */
export function datasetLocations(dataRoot = path.join(PROJECT_ROOT, "data")): DatasetLocation[] {
  const fashion = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];
  const cifarDir = findCifar10(dataRoot);
  return [
    {
      name: "Fashion-MNIST",
      path: FASHION_MNIST_DEBIAN_DIR,
      found: fashion.every((f) => fs.existsSync(path.join(FASHION_MNIST_DEBIAN_DIR, f))),
      note: "Debian package dataset-fashion-mnist (installed by setup)",
    },
    {
      name: "CIFAR-10",
      path: cifarDir ?? path.join(dataRoot, CIFAR10_DIR_NAME),
      found: cifarDir !== null,
      note: "needs internet once: npm run data:cifar10",
    },
  ];
}

/** Rows for the environment table (versions, backend, data sets). */
export function environmentRows(backend?: BackendReport): { component: string; value: string }[] {
  let tslabVersions: { tslab: string; typescript: string } | null;
  try {
    tslabVersions = (require("tslab") as typeof import("tslab")).versions;
  } catch {
    tslabVersions = null;
  }
  const rows = [
    { component: "Node.js", value: process.version },
    { component: "tslab", value: tslabVersions?.tslab ?? packageVersion("tslab") },
    { component: "TypeScript (tslab's compiler)", value: tslabVersions?.typescript ?? "unknown" },
    { component: "TensorFlow.js", value: packageVersion("@tensorflow/tfjs") },
    { component: "TensorFlow.js backend", value: backend ? backendSummary(backend) : "not initialised" },
    { component: "danfo.js (danfojs-node)", value: packageVersion("danfojs-node") },
    { component: "plotly.js", value: packageVersion("plotly.js-dist-min") },
    { component: "machine", value: `${os.platform()} ${os.arch()}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB` },
  ];
  for (const d of datasetLocations()) {
    rows.push({ component: `data: ${d.name}`, value: d.found ? `found at ${d.path}` : `not found (${d.note})` });
  }
  return rows;
}
