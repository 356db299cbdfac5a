// The optimisers every native trainer uses, with TensorFlow.js's exact update formulas, so a native
// step and the tfjs path it replaces produce the same weights up to float rounding:
// - SGD, with heavy-ball momentum when momentum > 0 (tf.train.momentum: v = μ·v + g; w -= lr·v);
// - Adam (tf.train.adam, the same formula as torch.optim.Adam): m = β₁m + (1−β₁)g, v = β₂v + (1−β₂)g²,
//   w -= lr · (m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε), ε defaulting to tfjs' float32 epsilon 1e-7;
// - AdamW: Adam plus decoupled weight decay w -= lr·λ·w before the Adam step (Loshchilov & Hutter).
#pragma once
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace runbook {

enum class OptimizerKind { Sgd, Adam, AdamW };

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::Sgd;
  float momentum = 0.f;  // SGD only
  float beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-7f;  // tfjs' Adam defaults
  float weightDecay = 0.f;  // AdamW only
};

inline OptimizerKind parseOptimizerKind(const std::string& s) {
  if (s == "sgd") return OptimizerKind::Sgd;
  if (s == "adam") return OptimizerKind::Adam;
  if (s == "adamw") return OptimizerKind::AdamW;
  throw std::invalid_argument("optimizer must be 'sgd', 'adam' or 'adamw'; got '" + s + "'");
}

/** Optimiser state for a list of parameter tensors (velocity for SGD, m and v for Adam). */
class Optimizer {
 public:
  explicit Optimizer(OptimizerConfig cfg = {}) : cfg_(cfg) {}
  const OptimizerConfig& config() const { return cfg_; }
  void setConfig(const OptimizerConfig& cfg) { cfg_ = cfg; }
  /** A fresh optimiser with this configuration: no moments, step count 0 (a new tfjs optimiser). */
  void reset(const OptimizerConfig& cfg) {
    cfg_ = cfg;
    m_.clear();
    v_.clear();
    t_ = 0;
  }
  long step() const { return t_; }

  /** Updates params[k] from grads[k] (sizes n[k]) with learning rate lr; one call per training step. */
  void update(const std::vector<float*>& params, const std::vector<const float*>& grads, const std::vector<size_t>& n, float lr) {
    if (m_.size() != params.size()) {
      m_.assign(params.size(), {});
      v_.assign(params.size(), {});
      for (size_t k = 0; k < params.size(); k++) {
        m_[k].assign(n[k], 0.f);
        if (cfg_.kind != OptimizerKind::Sgd) v_[k].assign(n[k], 0.f);
      }
    }
    t_++;
    if (cfg_.kind == OptimizerKind::Sgd) {
      for (size_t k = 0; k < params.size(); k++) sgd(params[k], grads[k], m_[k].data(), n[k], lr);
      return;
    }
    const float c1 = static_cast<float>(1.0 - std::pow(static_cast<double>(cfg_.beta1), t_));
    const float c2 = static_cast<float>(1.0 - std::pow(static_cast<double>(cfg_.beta2), t_));
    for (size_t k = 0; k < params.size(); k++) {
      float* w = params[k];
      if (cfg_.kind == OptimizerKind::AdamW && cfg_.weightDecay > 0.f) {
        const float keep = 1.f - lr * cfg_.weightDecay;
#pragma omp parallel for simd if (n[k] > 65536)
        for (size_t j = 0; j < n[k]; j++) w[j] *= keep;
      }
      adam(w, grads[k], m_[k].data(), v_[k].data(), n[k], lr, c1, c2);
    }
  }

  /** State by name for save/restore and tests: "m" (also SGD's velocity) or "v". */
  std::vector<float>& state(const std::string& which, size_t k) {
    if (k >= m_.size()) throw std::out_of_range("optimizer state index " + std::to_string(k) + " (no step taken yet?)");
    return which == "v" ? v_[k] : m_[k];
  }

 private:
  void sgd(float* w, const float* g, float* vel, size_t n, float lr) const {
    const float mu = cfg_.momentum;
    if (mu > 0.f) {
#pragma omp parallel for simd if (n > 65536)
      for (size_t j = 0; j < n; j++) { vel[j] = mu * vel[j] + g[j]; w[j] -= lr * vel[j]; }
    } else {
#pragma omp parallel for simd if (n > 65536)
      for (size_t j = 0; j < n; j++) w[j] -= lr * g[j];
    }
  }

  void adam(float* w, const float* g, float* m, float* v, size_t n, float lr, float c1, float c2) const {
    const float b1 = cfg_.beta1, b2 = cfg_.beta2, eps = cfg_.epsilon;
#pragma omp parallel for simd if (n > 65536)
    for (size_t j = 0; j < n; j++) {
      m[j] = b1 * m[j] + (1.f - b1) * g[j];
      v[j] = b2 * v[j] + (1.f - b2) * g[j] * g[j];
      w[j] -= lr * (m[j] / c1) / (std::sqrt(v[j] / c2) + eps);
    }
  }

  OptimizerConfig cfg_;
  long t_ = 0;
  std::vector<std::vector<float>> m_, v_;
};

}  // namespace runbook
