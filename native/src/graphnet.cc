// See graphnet.h. The network: shapes and parameters, the per-batch-size plan of buffers and passes,
// the forward and backward sweeps over the DAG, the loss, and the optimiser and moving-average updates.
#include "graphnet.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include <omp.h>

#include "graph_ops.h"
#include "layers.h"

namespace runbook {

// The buffers and passes of one node at one batch size.
struct NodeBuffers {
  std::vector<float> y, dy;            // output and its gradient
  std::unique_ptr<LayerPass> pass;     // Conv, Dense, MaxPool: the SeqNet layer pass
  std::vector<float> noBias, noBiasGrad;  // a zero bias (and a discarded gradient) for layers without one
  std::vector<float> scratch;          // the pass's dx when it must be added to what another consumer wrote
  bool accumulate[2] = {false, false};  // per input edge: add into the input's gradient rather than write it
  std::vector<float> mean, invstd, var;  // BatchNorm batch statistics of the last training forward
  std::vector<float> mask;             // Dropout mask of the last training forward
};

struct GraphPlan {
  int batch = 0;
  int threads = 0;  // OpenMP threads when built: oneDNN primitives keep the count they were created with
  std::vector<NodeBuffers> nodes;
};

static const char* kindName(NodeKind k) {
  switch (k) {
    case NodeKind::Conv: return "Conv2D";
    case NodeKind::BatchNorm: return "BatchNormalization";
    case NodeKind::Relu: return "ReLU";
    case NodeKind::Add: return "Add";
    case NodeKind::ZeroPad: return "ZeroPadding2D";
    case NodeKind::ShortcutA: return "ResNetShortcutA";
    case NodeKind::GlobalAvgPool: return "GlobalAveragePooling2D";
    case NodeKind::MaxPool: return "MaxPooling2D";
    case NodeKind::Flatten: return "Flatten";
    case NodeKind::Dense: return "Dense";
    case NodeKind::Dropout: return "Dropout";
  }
  return "?";
}

GraphNet::GraphNet(Shape3 input, const std::vector<GraphNode>& nodes, const OptimizerConfig& opt, uint64_t seed)
    : input_(input), nodes_(nodes), optimizer_(opt), seed_(seed), eng_(dnnl::engine::kind::cpu, 0), strm_(eng_) {
  if (input.h <= 0 || input.w <= 0 || input.c <= 0) throw std::invalid_argument("input shape must be positive");
  if (nodes.empty()) throw std::invalid_argument("the network has no layers");
  for (size_t i = 0; i < nodes_.size(); i++) {
    const GraphNode& n = nodes_[i];
    const std::string where = std::string("node ") + std::to_string(i) + " (" + kindName(n.kind) + ")";
    size_t want = n.kind == NodeKind::Add ? 2 : 1;
    if (n.inputs.size() != want) throw std::invalid_argument(where + ": expected " + std::to_string(want) + " input(s)");
    std::vector<Shape3> in;
    bool grad = false;
    for (int j : n.inputs) {
      if (j < -1 || j >= static_cast<int>(i)) throw std::invalid_argument(where + ": input " + std::to_string(j) + " is not an earlier node");
      in.push_back(j < 0 ? input_ : shapes_[j]);
      grad = grad || (j >= 0 && needsGrad_[j]);
    }
    Shape3 s = in[0], o = s;
    int pi = -1, si = -1;
    auto addParam = [&](size_t size) {
      if (pi < 0) pi = static_cast<int>(params_.size());
      params_.emplace_back(size, 0.f);
    };
    switch (n.kind) {
      case NodeKind::Conv:
        o = {(s.h + n.padTop + n.padBottom - n.kh) / n.sh + 1, (s.w + n.padLeft + n.padRight - n.kw) / n.sw + 1, n.cout};
        addParam(static_cast<size_t>(n.kh) * n.kw * s.c * n.cout);
        if (n.bias) addParam(n.cout);
        break;
      case NodeKind::BatchNorm:
        addParam(s.c);
        addParam(s.c);
        si = static_cast<int>(states_.size());
        states_.emplace_back(s.c, 0.f);
        states_.emplace_back(s.c, 1.f);
        break;
      case NodeKind::Relu:
      case NodeKind::Dropout:
        break;
      case NodeKind::Add:
        if (in[1].h != s.h || in[1].w != s.w || in[1].c != s.c) throw std::invalid_argument(where + ": inputs of different shapes");
        break;
      case NodeKind::ZeroPad:
        o = {s.h + n.padTop + n.padBottom, s.w + n.padLeft + n.padRight, s.c};
        break;
      case NodeKind::ShortcutA:
        if (n.cout < s.c || n.sh < 1) throw std::invalid_argument(where + ": needs outChannels ≥ input channels and stride ≥ 1");
        o = {(s.h + n.sh - 1) / n.sh, (s.w + n.sh - 1) / n.sh, n.cout};
        break;
      case NodeKind::GlobalAvgPool:
        o = {1, 1, s.c};
        break;
      case NodeKind::MaxPool:
        o = {(s.h - n.kh) / n.sh + 1, (s.w - n.kw) / n.sw + 1, s.c};
        break;
      case NodeKind::Flatten:
        o = {1, 1, s.size()};
        break;
      case NodeKind::Dense:
        if (s.h != 1 || s.w != 1) throw std::invalid_argument(where + ": needs a flat input");
        o = {1, 1, n.cout};
        addParam(static_cast<size_t>(s.c) * n.cout);
        if (n.bias) addParam(n.cout);
        break;
    }
    if (o.h <= 0 || o.w <= 0 || o.c <= 0) throw std::invalid_argument(where + ": output would be empty");
    shapes_.push_back(o);
    paramIndex_.push_back(pi);
    stateIndex_.push_back(si);
    needsGrad_.push_back(grad || pi >= 0);
  }
  if (shapes_.back().h != 1 || shapes_.back().w != 1) throw std::invalid_argument("the last layer must output [batch, classes]");
  for (auto& p : params_) grads_.emplace_back(p.size(), 0.f);
}

GraphNet::~GraphNet() = default;

GraphPlan& GraphNet::plan(int batch) {
  // Rebuilt after setNumThreads changed the count, so the new count takes effect (see GraphPlan::threads).
  const int threads = omp_get_max_threads();
  auto it = plans_.find(batch);
  if (it != plans_.end() && it->second->threads == threads) return *it->second;
  auto p = std::make_unique<GraphPlan>();
  p->batch = batch;
  p->threads = threads;
  const int L = static_cast<int>(nodes_.size());
  p->nodes.resize(L);
  for (int i = 0; i < L; i++) {
    size_t n = static_cast<size_t>(batch) * shapes_[i].size();
    p->nodes[i].y.assign(n, 0.f);
    p->nodes[i].dy.assign(n, 0.f);
  }
  // Backward runs in reverse order: the last consumer of a tensor writes its gradient, earlier ones add to it.
  std::vector<bool> written(L, false);
  for (int i = L - 1; i >= 0; i--)
    for (size_t e = 0; e < nodes_[i].inputs.size(); e++) {
      int j = nodes_[i].inputs[e];
      if (j < 0 || !needsGrad_[j]) continue;
      p->nodes[i].accumulate[e] = written[j];
      written[j] = true;
    }
  for (int i = 0; i < L; i++) {
    const GraphNode& g = nodes_[i];
    NodeBuffers& nb = p->nodes[i];
    int j = g.inputs[0];
    Shape3 in = j < 0 ? input_ : shapes_[j];
    if (g.kind == NodeKind::BatchNorm) {
      nb.mean.assign(in.c, 0.f);
      nb.invstd.assign(in.c, 0.f);
      nb.var.assign(in.c, 0.f);
    }
    if (g.kind == NodeKind::Dropout) nb.mask.assign(nb.y.size(), 1.f);
    if (g.kind != NodeKind::Conv && g.kind != NodeKind::Dense && g.kind != NodeKind::MaxPool) continue;
    LayerSpec spec;
    spec.kind = g.kind == NodeKind::Conv ? LayerKind::Conv : g.kind == NodeKind::Dense ? LayerKind::Dense : LayerKind::Pool;
    spec.relu = g.relu;
    spec.cout = g.cout;
    spec.kh = g.kh;
    spec.kw = g.kw;
    spec.sh = g.sh;
    spec.sw = g.sw;
    spec.padTop = g.padTop;
    spec.padBottom = g.padBottom;
    spec.padLeft = g.padLeft;
    spec.padRight = g.padRight;
    bool needDx = j >= 0 && needsGrad_[j];
    float* dx = nullptr;
    if (needDx) {
      if (nb.accumulate[0]) nb.scratch.assign(static_cast<size_t>(batch) * in.size(), 0.f);
      dx = nb.accumulate[0] ? nb.scratch.data() : p->nodes[j].dy.data();
    }
    float *w = nullptr, *b = nullptr, *dw = nullptr, *db = nullptr;
    int k = paramIndex_[i];
    if (k >= 0) {
      w = params_[k].data();
      dw = grads_[k].data();
      if (g.bias) {
        b = params_[k + 1].data();
        db = grads_[k + 1].data();
      } else {
        nb.noBias.assign(g.cout, 0.f);
        nb.noBiasGrad.assign(g.cout, 0.f);
        b = nb.noBias.data();
        db = nb.noBiasGrad.data();
      }
    }
    LayerIO io{spec, batch, in, shapes_[i], j < 0, needDx, w, b, dw, db,
               j < 0 ? nullptr : p->nodes[j].y.data(), nb.y.data(), nb.dy.data(), dx};
    nb.pass = makeLayerPass(io, eng_, strm_);
  }
  GraphPlan& ref = *p;
  plans_[batch] = std::move(p);
  return ref;
}

const float* GraphNet::nodeInput(GraphPlan& p, const float* x, int node, int edge) const {
  int j = nodes_[node].inputs[edge];
  return j < 0 ? x : p.nodes[j].y.data();
}

void GraphNet::forward(GraphPlan& p, const float* x, bool training, bool updateStats) {
  const int B = p.batch;
  if (training) steps_++;
  for (size_t i = 0; i < nodes_.size(); i++) {
    const GraphNode& g = nodes_[i];
    NodeBuffers& nb = p.nodes[i];
    const float* in = nodeInput(p, x, static_cast<int>(i), 0);
    Shape3 si = g.inputs[0] < 0 ? input_ : shapes_[g.inputs[0]];
    size_t n = nb.y.size();
    switch (g.kind) {
      case NodeKind::Conv:
      case NodeKind::Dense:
      case NodeKind::MaxPool:
        nb.pass->forward(in);
        break;
      case NodeKind::BatchNorm: {
        const float* gamma = params_[paramIndex_[i]].data();
        const float* beta = params_[paramIndex_[i] + 1].data();
        float* mm = states_[stateIndex_[i]].data();
        float* mv = states_[stateIndex_[i] + 1].data();
        size_t M = static_cast<size_t>(B) * si.h * si.w;
        if (!training) {
          batchNormInferForward(in, M, si.c, gamma, beta, mm, mv, g.epsilon, nb.y.data());
          break;
        }
        strm_.wait();  // the input may come from a oneDNN primitive
        batchNormTrainForward(in, M, si.c, gamma, beta, g.epsilon, nb.y.data(), nb.mean.data(), nb.invstd.data(), nb.var.data());
        if (updateStats) {
          // tfjs' doMovingAverage: v −= (v − batch value)·(1 − momentum), with the biased batch variance.
          const float decay = 1.f - g.momentum;
          for (int c = 0; c < si.c; c++) {
            mm[c] -= (mm[c] - nb.mean[c]) * decay;
            mv[c] -= (mv[c] - nb.var[c]) * decay;
          }
        }
        break;
      }
      case NodeKind::Relu:
        strm_.wait();
        reluForward(in, n, nb.y.data());
        break;
      case NodeKind::Add:
        strm_.wait();
        addForward(in, nodeInput(p, x, static_cast<int>(i), 1), n, nb.y.data());
        break;
      case NodeKind::ZeroPad:
        strm_.wait();
        zeroPadForward(in, B, si, g.padTop, g.padLeft, shapes_[i], nb.y.data());
        break;
      case NodeKind::ShortcutA:
        strm_.wait();
        shortcutAForward(in, B, si, g.sh, shapes_[i], nb.y.data());
        break;
      case NodeKind::GlobalAvgPool:
        strm_.wait();
        globalAvgPoolForward(in, B, si, nb.y.data());
        break;
      case NodeKind::Flatten:
        strm_.wait();
        std::memcpy(nb.y.data(), in, n * sizeof(float));
        break;
      case NodeKind::Dropout:
        strm_.wait();
        if (!training || g.rate <= 0.f) {
          std::memcpy(nb.y.data(), in, n * sizeof(float));
          std::fill(nb.mask.begin(), nb.mask.end(), 1.f);
        } else {
          dropoutMask(seed_ + i, steps_, n, g.rate, nb.mask.data());
          multiply(in, nb.mask.data(), n, nb.y.data());
        }
        break;
    }
  }
  strm_.wait();
}

// Softmax cross-entropy of logits [batch, classes], mean over the batch (tf.losses.softmaxCrossEntropy
// on one-hot labels); writes its gradient wrt the logits, (softmax − onehot)/batch, into g.
static float softmaxCrossEntropy(const float* logits, const int32_t* labels, int batch, int classes, float* g) {
  double lossSum = 0;
  for (int b = 0; b < batch; b++) {
    const float* z = logits + static_cast<size_t>(b) * classes;
    float* gz = g + static_cast<size_t>(b) * classes;
    int y = labels[b];
    if (y < 0 || y >= classes) throw std::out_of_range("label " + std::to_string(y) + " out of range [0, " + std::to_string(classes) + ")");
    float m = *std::max_element(z, z + classes);
    double s = 0;
    for (int j = 0; j < classes; j++) s += std::exp(static_cast<double>(z[j] - m));
    double lse = std::log(s) + m;
    lossSum += lse - z[y];
    for (int j = 0; j < classes; j++) gz[j] = static_cast<float>(std::exp(z[j] - lse) / batch);
    gz[y] -= 1.f / batch;
  }
  return static_cast<float>(lossSum / batch);
}

void GraphNet::backward(GraphPlan& p, const float* x) {
  const int B = p.batch;
  for (int i = static_cast<int>(nodes_.size()) - 1; i >= 0; i--) {
    if (!needsGrad_[i]) continue;
    const GraphNode& g = nodes_[i];
    NodeBuffers& nb = p.nodes[i];
    int j = g.inputs[0];
    Shape3 si = j < 0 ? input_ : shapes_[j];
    bool needDx = j >= 0 && needsGrad_[j];
    float* dx = needDx ? p.nodes[j].dy.data() : nullptr;
    bool acc = nb.accumulate[0];
    const float* in = nodeInput(p, x, i, 0);
    size_t n = nb.y.size();
    switch (g.kind) {
      case NodeKind::Conv:
      case NodeKind::Dense:
      case NodeKind::MaxPool:
        if (g.relu) reluBackward(nb.y.data(), nb.dy.data(), n, nb.dy.data(), false);
        nb.pass->backward(in);
        if (needDx && acc) {
          strm_.wait();
          passGradient(nb.scratch.data(), nb.scratch.size(), dx, true);
        }
        break;
      case NodeKind::BatchNorm: {
        int k = paramIndex_[i];
        batchNormBackward(in, nb.dy.data(), static_cast<size_t>(B) * si.h * si.w, si.c, params_[k].data(), nb.mean.data(),
                          nb.invstd.data(), grads_[k].data(), grads_[k + 1].data(), dx, acc);
        break;
      }
      case NodeKind::Relu:
        if (dx) reluBackward(nb.y.data(), nb.dy.data(), n, dx, acc);
        break;
      case NodeKind::Add:
        if (dx) passGradient(nb.dy.data(), n, dx, acc);
        if (int j2 = g.inputs[1]; j2 >= 0 && needsGrad_[j2]) passGradient(nb.dy.data(), n, p.nodes[j2].dy.data(), nb.accumulate[1]);
        break;
      case NodeKind::ZeroPad:
        if (dx) zeroPadBackward(nb.dy.data(), B, si, g.padTop, g.padLeft, shapes_[i], dx, acc);
        break;
      case NodeKind::ShortcutA:
        if (dx) shortcutABackward(nb.dy.data(), B, si, g.sh, shapes_[i], dx, acc);
        break;
      case NodeKind::GlobalAvgPool:
        if (dx) globalAvgPoolBackward(nb.dy.data(), B, si, dx, acc);
        break;
      case NodeKind::Flatten:
        if (dx) passGradient(nb.dy.data(), n, dx, acc);
        break;
      case NodeKind::Dropout:
        if (dx) multiplyBackward(nb.dy.data(), nb.mask.data(), n, dx, acc);
        break;
    }
    // A oneDNN primitive may still be writing dx: the next node's loops read it.
    strm_.wait();
  }
}

float GraphNet::trainStep(const float* x, const int32_t* labels, int batch, float lr, float momentum, bool update) {
  if (batch <= 0) throw std::invalid_argument("batch must be positive");
  GraphPlan& p = plan(batch);
  forward(p, x, true, update);
  const int L = static_cast<int>(nodes_.size());
  float loss = softmaxCrossEntropy(p.nodes[L - 1].y.data(), labels, batch, numClasses(), p.nodes[L - 1].dy.data());
  backward(p, x);
  if (update) {
    OptimizerConfig cfg = optimizer_.config();
    if (cfg.kind == OptimizerKind::Sgd && cfg.momentum != momentum) {
      cfg.momentum = momentum;
      optimizer_.setConfig(cfg);
    }
    std::vector<float*> ws;
    std::vector<const float*> gs;
    std::vector<size_t> ns;
    for (size_t k = 0; k < params_.size(); k++) {
      ws.push_back(params_[k].data());
      gs.push_back(grads_[k].data());
      ns.push_back(params_[k].size());
    }
    optimizer_.update(ws, gs, ns, lr);
  }
  return loss;
}

void GraphNet::predict(const float* x, int batch, float* logits) {
  if (batch <= 0) throw std::invalid_argument("batch must be positive");
  GraphPlan& p = plan(batch);
  forward(p, x, false, false);
  std::memcpy(logits, p.nodes.back().y.data(), sizeof(float) * static_cast<size_t>(batch) * numClasses());
}

std::string GraphNet::implInfo(int batch) {
  GraphPlan& p = plan(batch);
  std::string s;
  for (size_t i = 0; i < nodes_.size(); i++)
    if (nodes_[i].kind == NodeKind::Conv)
      s += (s.empty() ? "" : " | ") + std::string("conv") + std::to_string(i) + ": " + p.nodes[i].pass->implInfo();
  return s;
}

}  // namespace runbook
