// A functional (DAG) network trained by one native call per step: forward, softmax cross-entropy,
// backward and the optimiser update (optim.h), for the layers of a tfjs functional LayersModel such
// as the CIFAR ResNets: Conv2D, BatchNormalization, ReLU, Add, ZeroPadding2D, the option-A
// shortcut, global average pooling, MaxPooling2D, Flatten, Dense and Dropout. Tensors are NHWC like
// TensorFlow.js and parameters use tfjs layouts (seqnet.h). Conv, Dense and MaxPool reuse the
// SeqNet layer passes (layers.h); the other nodes are loops over NHWC (graph_ops.cc).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "optim.h"
#include "seqnet.h"

namespace runbook {

enum class NodeKind { Conv, BatchNorm, Relu, Add, ZeroPad, ShortcutA, GlobalAvgPool, MaxPool, Flatten, Dense, Dropout };

/** One node of the graph; nodes are in topological order and the last one outputs the logits. */
struct GraphNode {
  NodeKind kind = NodeKind::Relu;
  std::vector<int> inputs;  // earlier node indices; -1 = the network input
  bool relu = false;        // Conv/Dense: fused ReLU activation
  bool bias = true;         // Conv/Dense: has a bias parameter
  // Conv: filters = cout, kernel, strides, explicit paddings. MaxPool: kernel and strides (valid).
  // ZeroPad: the paddings. ShortcutA: cout = output channels, sh = sw = stride. Dense: units = cout.
  int cout = 0, kh = 1, kw = 1, sh = 1, sw = 1, padTop = 0, padBottom = 0, padLeft = 0, padRight = 0;
  float momentum = 0.99f, epsilon = 1e-3f;  // BatchNorm (tfjs convention: keep `momentum` of the old average)
  float rate = 0.f;                         // Dropout
};

struct GraphPlan;  // buffers and passes for one batch size (graphnet.cc)

class GraphNet {
 public:
  GraphNet(Shape3 input, const std::vector<GraphNode>& nodes, const OptimizerConfig& opt, uint64_t seed);
  ~GraphNet();

  /** Trainable parameters in node order: Conv kernel [, bias]; BatchNorm gamma, beta; Dense kernel [, bias]. */
  int numParams() const { return static_cast<int>(params_.size()); }
  /** Non-trainable state in node order: BatchNorm moving mean, moving variance. */
  int numStates() const { return static_cast<int>(states_.size()); }
  std::vector<float>& param(int i) { return params_.at(i); }
  std::vector<float>& grad(int i) { return grads_.at(i); }
  std::vector<float>& state(int i) { return states_.at(i); }
  Optimizer& optimizer() { return optimizer_; }
  int inputSize() const { return input_.size(); }
  int numClasses() const { return shapes_.back().size(); }

  /** One training step on x [batch, H, W, C] and labels [batch]: the mean loss; with update, the
   *  optimiser step and the BatchNorm moving statistics too. momentum: SGD's (ignored by Adam). */
  float trainStep(const float* x, const int32_t* labels, int batch, float lr, float momentum, bool update);
  /** Logits [batch, classes] in inference mode (BatchNorm on moving statistics, no dropout). */
  void predict(const float* x, int batch, float* logits);
  /** Which oneDNN implementation each conv uses at this batch size (for reports). */
  std::string implInfo(int batch);
  /** Starts a new training run on the same network: a fresh optimiser and dropout stream, while the
   *  per-batch-size buffers and oneDNN primitives are kept (building them costs seconds of page faults). */
  void restart(const OptimizerConfig& opt, uint64_t seed) {
    optimizer_.reset(opt);
    seed_ = seed;
    steps_ = 0;
  }

 private:
  GraphPlan& plan(int batch);
  void forward(GraphPlan& p, const float* x, bool training, bool updateStats);
  void backward(GraphPlan& p, const float* x);
  const float* nodeInput(GraphPlan& p, const float* x, int node, int edge) const;

  Shape3 input_;
  std::vector<GraphNode> nodes_;
  std::vector<Shape3> shapes_;     // output shape per node
  std::vector<int> paramIndex_;    // first parameter of node i, or -1
  std::vector<int> stateIndex_;    // first state array of node i (BatchNorm), or -1
  std::vector<bool> needsGrad_;    // node i's output depends on a parameter (so its gradient is needed)
  std::vector<std::vector<float>> params_, grads_, states_;
  Optimizer optimizer_;
  uint64_t seed_;
  uint64_t steps_ = 0;             // training forwards so far (fresh dropout masks)
  dnnl::engine eng_;
  dnnl::stream strm_;
  std::map<int, std::unique_ptr<GraphPlan>> plans_;
};

}  // namespace runbook
