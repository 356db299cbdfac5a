// See seqnet.h. The layers themselves (primitives, forward and backward per layer kind) are in
// layers.cc; this file holds the network: shapes and parameters, the per-batch-size plan of
// buffers, the forward and backward sweeps, the softmax cross-entropy and the SGD update.
#include "seqnet.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include <omp.h>

#include "layers.h"

namespace runbook {

// The buffers and layer passes for one batch size.
struct Plan {
  int batch = 0;
  int threads = 0;  // OpenMP threads when built: oneDNN primitives keep the count they were created with
  std::vector<std::vector<float>> act, gact;  // owned buffers per layer output and its gradient
  std::vector<float*> out, gout;              // per layer output and its gradient (aliases for Flatten)
  std::vector<std::unique_ptr<LayerPass>> layers;
};

SeqNet::SeqNet(Shape3 input, const std::vector<LayerSpec>& layers)
    : input_(input), layers_(layers), eng_(dnnl::engine::kind::cpu, 0), strm_(eng_) {
  if (input.h <= 0 || input.w <= 0 || input.c <= 0) throw std::invalid_argument("input shape must be positive");
  if (layers.empty()) throw std::invalid_argument("the network has no layers");
  Shape3 s = input;
  shapes_.push_back(s);
  for (const auto& l : layers_) {
    int pi = -1;
    switch (l.kind) {
      case LayerKind::Conv: {
        int oh = (s.h + l.padTop + l.padBottom - l.kh) / l.sh + 1;
        int ow = (s.w + l.padLeft + l.padRight - l.kw) / l.sw + 1;
        if (oh <= 0 || ow <= 0 || l.cout <= 0) throw std::invalid_argument("conv output would be empty");
        pi = static_cast<int>(params_.size());
        params_.emplace_back(static_cast<size_t>(l.kh) * l.kw * s.c * l.cout, 0.f);
        params_.emplace_back(static_cast<size_t>(l.cout), 0.f);
        s = {oh, ow, l.cout};
        break;
      }
      case LayerKind::Pool: {
        int oh = (s.h - l.kh) / l.sh + 1, ow = (s.w - l.kw) / l.sw + 1;
        if (oh <= 0 || ow <= 0) throw std::invalid_argument("pool output would be empty");
        s = {oh, ow, s.c};
        break;
      }
      case LayerKind::Flatten:
        s = {1, 1, s.size()};
        break;
      case LayerKind::Dense: {
        if (s.h != 1 || s.w != 1) throw std::invalid_argument("dense layer needs a flat input (add Flatten)");
        pi = static_cast<int>(params_.size());
        params_.emplace_back(static_cast<size_t>(s.c) * l.cout, 0.f);
        params_.emplace_back(static_cast<size_t>(l.cout), 0.f);
        s = {1, 1, l.cout};
        break;
      }
    }
    paramIndex_.push_back(pi);
    shapes_.push_back(s);
  }
  if (shapes_.back().h != 1 || shapes_.back().w != 1) throw std::invalid_argument("the last layer must output [batch, classes]");
  for (auto& p : params_) {
    grads_.emplace_back(p.size(), 0.f);
    velocity_.emplace_back(p.size(), 0.f);
  }
}

SeqNet::~SeqNet() = default;

Plan& SeqNet::plan(int batch) {
  // Rebuilt after setNumThreads changed the count, so the new count takes effect (see Plan::threads).
  const int threads = omp_get_max_threads();
  auto it = plans_.find(batch);
  if (it != plans_.end() && it->second->threads == threads) return *it->second;
  auto p = std::make_unique<Plan>();
  p->batch = batch;
  p->threads = threads;
  const int L = static_cast<int>(layers_.size());
  p->act.resize(L);
  p->gact.resize(L);
  p->out.resize(L);
  p->gout.resize(L);
  for (int i = 0; i < L; i++) {
    if (layers_[i].kind == LayerKind::Flatten && i > 0) {
      p->out[i] = p->out[i - 1];
      p->gout[i] = p->gout[i - 1];
      continue;
    }
    size_t n = static_cast<size_t>(batch) * shapes_[i + 1].size();
    p->act[i].assign(n, 0.f);
    p->gact[i].assign(n, 0.f);
    p->out[i] = p->act[i].data();
    p->gout[i] = p->gact[i].data();
  }
  bool paramsBefore = false;
  for (int i = 0; i < L; i++) {
    int k = paramIndex_[i];
    LayerIO io{layers_[i], batch, shapes_[i], shapes_[i + 1], i == 0, paramsBefore,
               k >= 0 ? params_[k].data() : nullptr, k >= 0 ? params_[k + 1].data() : nullptr,
               k >= 0 ? grads_[k].data() : nullptr, k >= 0 ? grads_[k + 1].data() : nullptr,
               i > 0 ? p->out[i - 1] : nullptr, p->out[i], p->gout[i], i > 0 ? p->gout[i - 1] : nullptr};
    p->layers.push_back(makeLayerPass(io, eng_, strm_));
    if (k >= 0) paramsBefore = true;
  }
  Plan& ref = *p;
  plans_[batch] = std::move(p);
  return ref;
}

void SeqNet::forward(Plan& p, const float* x) {
  const float* in = x;
  for (size_t i = 0; i < layers_.size(); i++) {
    p.layers[i]->forward(in);
    in = p.out[i];
  }
}

// Softmax cross-entropy of logits [batch, classes], mean over the batch; writes its gradient wrt the
// logits, (softmax − onehot)/batch, into g and returns the loss.
static float softmaxCrossEntropy(const float* logits, const int32_t* labels, int batch, int classes, float* g) {
  double lossSum = 0;
  for (int b = 0; b < batch; b++) {
    const float* z = logits + static_cast<size_t>(b) * classes;
    float* gz = g + static_cast<size_t>(b) * classes;
    int y = labels[b];
    if (y < 0 || y >= classes) throw std::out_of_range("label out of range [0, classes)");
    float m = z[0];
    for (int j = 1; j < classes; j++) m = std::max(m, z[j]);
    double s = 0;
    for (int j = 0; j < classes; j++) s += std::exp(static_cast<double>(z[j] - m));
    double lse = std::log(s) + m;
    lossSum += lse - z[y];
    for (int j = 0; j < classes; j++) gz[j] = static_cast<float>(std::exp(z[j] - lse) / batch);
    gz[y] -= 1.f / batch;
  }
  return static_cast<float>(lossSum / batch);
}

void SeqNet::backward(Plan& p, const float* x) {
  for (int i = static_cast<int>(layers_.size()) - 1; i >= 0; i--) {
    if (layers_[i].relu) {
      // ReLU (fused into the forward pass): dy = 0 where the output was clamped.
      const float* y = p.out[i];
      float* gy = p.gout[i];
      size_t n = static_cast<size_t>(p.batch) * shapes_[i + 1].size();
      for (size_t j = 0; j < n; j++) gy[j] = y[j] > 0.f ? gy[j] : 0.f;
    }
    p.layers[i]->backward(i > 0 ? p.out[i - 1] : x);
  }
}

// tfjs MomentumOptimizer ≡ torch SGD(momentum): v = μ·v + g; w −= lr·v. Plain SGD when μ = 0.
void SeqNet::sgdUpdate(float lr, float momentum) {
  for (size_t k = 0; k < params_.size(); k++) {
    float* w = params_[k].data();
    const float* gk = grads_[k].data();
    float* v = velocity_[k].data();
    size_t n = params_[k].size();
    if (momentum > 0.f) {
      for (size_t j = 0; j < n; j++) { v[j] = momentum * v[j] + gk[j]; w[j] -= lr * v[j]; }
    } else {
      for (size_t j = 0; j < n; j++) w[j] -= lr * gk[j];
    }
  }
}

float SeqNet::trainStep(const float* x, const int32_t* labels, int batch, float lr, float momentum, bool update) {
  if (batch <= 0) throw std::invalid_argument("batch must be positive");
  Plan& p = plan(batch);
  forward(p, x);
  const int L = static_cast<int>(layers_.size());
  float loss = softmaxCrossEntropy(p.out[L - 1], labels, batch, numClasses(), p.gout[L - 1]);
  backward(p, x);
  strm_.wait();
  if (update) sgdUpdate(lr, momentum);
  return loss;
}

void SeqNet::predict(const float* x, int batch, float* logits) {
  if (batch <= 0) throw std::invalid_argument("batch must be positive");
  Plan& p = plan(batch);
  forward(p, x);
  strm_.wait();
  std::memcpy(logits, p.out[layers_.size() - 1], sizeof(float) * static_cast<size_t>(batch) * numClasses());
}

std::string SeqNet::implInfo(int batch) {
  Plan& p = plan(batch);
  std::string s;
  for (size_t i = 0; i < layers_.size(); i++)
    if (layers_[i].kind == LayerKind::Conv)
      s += (s.empty() ? "" : " | ") + std::string("conv") + std::to_string(i) + ": " + p.layers[i]->implInfo();
  return s;
}

}  // namespace runbook
