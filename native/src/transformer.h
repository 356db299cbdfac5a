// The GPT of src/models/transformer.ts trained by one native call per step: embedding, pre-LN
// blocks (causal multi-head attention, GELU-tanh MLP), final layer norm, tied or separate output
// matrix, mean next-token cross-entropy, backward, and the Adam update (optim.h). Matmuls run on
// oneDNN's sgemm (OpenMP threads); layer norm, softmax, GELU, the embedding gather/scatter and the
// loss are plain loops. Weights are in transformerWeightShapes order and tfjs layouts ([in, out]).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "optim.h"

namespace runbook {

struct TransformerSpec {
  int vocabSize = 0, contextLength = 0, dModel = 0, numHeads = 0, numLayers = 0, dFF = 0;
  bool tieWeights = true;
};

struct TransformerActs;  // per-batch-shape activations (transformer.cc)

class TransformerNet {
 public:
  TransformerNet(const TransformerSpec& spec, const OptimizerConfig& adam);
  ~TransformerNet();

  const TransformerSpec& spec() const { return spec_; }
  int numWeights() const { return static_cast<int>(params_.size()); }
  std::vector<float>& param(int i) { return params_.at(i); }
  std::vector<float>& grad(int i) { return grads_.at(i); }

  /**
   * Mean next-token loss of `batch` windows of `length` tokens (row-major [batch, length]; inputs
   * are tokens 0..length−2, targets 1..length−1). With `backward` the gradients are computed too,
   * and with `update` Adam then steps every weight at learning rate lr.
   */
  double run(const int32_t* windows, int batch, int length, bool backward, bool update, float lr);
  /** Bytes held (weights, gradients, Adam's moments, activation buffers), for the JS engine's GC accounting. */
  size_t memoryBytes() const;
  /** Frees everything now; a later run() throws. */
  void release();

 private:
  /** Buffers for batch·T rows and `numBlocks` blocks' activations (all layers to train, one to evaluate). */
  TransformerActs& acts(int batch, int T, int numBlocks);
  /** With keep, every block's activations are kept for backwardPass; without, one block's buffers are reused. */
  void forward(TransformerActs& a, const int32_t* windows, int length, bool keep);
  void backwardPass(TransformerActs& a, const int32_t* windows, int length);

  TransformerSpec spec_;
  std::vector<std::vector<float>> params_, grads_;
  Optimizer optimizer_;
  TransformerActs* acts_ = nullptr;  // activation buffers, grown to the largest batch·T seen
};

}  // namespace runbook
