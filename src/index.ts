/**
 * The library's one entry point for notebooks: `import { … } from "../dist/src/index"`. It re-exports
 * every module of every layer except runner/ (test/layers.test.ts checks that none is missing).
 */
// core/
export * from "./core/atomic-write";
export * from "./core/env";
export * from "./core/facts";
export * from "./core/figure";
export * from "./core/html";
export * from "./core/notebook-format";
export * from "./core/packages";
export * from "./core/paths";
export * from "./core/random";
export * from "./core/statistics";
export * from "./core/validate";
// engine/
export * from "./engine/backend";
export * from "./engine/host-view";
export * from "./engine/native/addon";
export * from "./engine/native/batches";
export * from "./engine/native/graph-train";
export * from "./engine/native/gru-train";
export * from "./engine/native/layer-config";
export * from "./engine/native/seq-train";
export * from "./engine/native/transformer-train";
export * from "./engine/native/wasm-native-kernels";
export * from "./engine/wasm-conv2d-filter-grad";
export * from "./engine/wasm-conv2d-input-grad";
export * from "./engine/wasm-kernel-composition";
// data/
export * from "./data/breast-cancer";
export * from "./data/catalog";
export * from "./data/cifar10";
export * from "./data/csv";
export * from "./data/download";
export * from "./data/fashion-mnist";
export * from "./data/image-dataset";
export * from "./data/locations";
export * from "./data/select";
export * from "./data/sp500";
export * from "./data/spam-assassin";
export * from "./data/spoken-digits";
export * from "./data/star";
export * from "./data/tabular";
export * from "./data/tang-poetry";
export * from "./data/tar";
export * from "./data/wav";
// models/
export * from "./models/embedding";
export * from "./models/flops";
export * from "./models/model-figures";
export * from "./models/model-io";
export * from "./models/model";
export * from "./models/predict";
export * from "./models/resnet";
export * from "./models/sampling";
export * from "./models/transformer";
// from-scratch/
export * from "./from-scratch/activations";
export * from "./from-scratch/backprop";
export * from "./from-scratch/descent";
export * from "./from-scratch/figures";
export * from "./from-scratch/math-models";
// training/
export * from "./training/augment";
export * from "./training/epoch-figures";
export * from "./training/lr-schedule";
export * from "./training/train-lm";
export * from "./training/train";
// evaluation/
export * from "./evaluation/baselines";
export * from "./evaluation/bootstrap";
export * from "./evaluation/metric-figures";
export * from "./evaluation/metrics";
export * from "./evaluation/operating-points";
// text/
export * from "./text/bag-of-words";
export * from "./text/lm-figures";
export * from "./text/ngram";
export * from "./text/sequence-encoder";
export * from "./text/text-models";
export * from "./text/tang-lm-data";
export * from "./text/tfidf";
export * from "./text/tokenizer";
export * from "./text/verse";
export * from "./text/verse-generation";
export * from "./text/word-attribution";
// scenarios/
export * from "./scenarios/audio/features";
export * from "./scenarios/audio/figures";
export * from "./scenarios/audio/speech-models";
export * from "./scenarios/education/early-warning";
export * from "./scenarios/education/figures";
export * from "./scenarios/finance/baselines";
export * from "./scenarios/finance/figures";
export * from "./scenarios/finance/forecast-models";
export * from "./scenarios/finance/risk";
export * from "./scenarios/finance/windows";
export * from "./scenarios/healthcare/decision-cost";
export * from "./scenarios/healthcare/figures";
export * from "./scenarios/privacy/access";
export * from "./scenarios/privacy/encryption";
export * from "./scenarios/privacy/k-anonymity";
export * from "./scenarios/privacy/keys";
export * from "./scenarios/privacy/pii";
export * from "./scenarios/transfer/few-shot";
export * from "./scenarios/transfer/transfer";
// notebook/
export * from "./notebook/article-check";
export * from "./notebook/data-preview";
export * from "./notebook/display";
export * from "./notebook/environment";
export * from "./notebook/image";
export * from "./notebook/plot";
export * from "./notebook/reference-runs";
export * from "./notebook/report-facts";
export * from "./notebook/runbook";
export * from "./notebook/training-view";
