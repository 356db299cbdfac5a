// One Keras/TF.js GRU layer (last state) followed by one linear Dense layer, trained by one native
// call per step: forward over time, the regression loss, backpropagation through time and the
// optimiser update (article §6.3, issue #14). At §6.3's sizes (GRU(16) on [20, 4] windows) the
// tfjs engine spends its time dispatching ≈600 tiny kernels per step; here the step is plain loops
// over matrices that stay in L1.
//
// The cell is tfjs 4.22's GRUCell (resetAfter false, the only mode it has), parameters in its layout:
//   kernel [F, 3U], recurrentKernel [U, 3U], bias [3U], columns in gate order (z, r, h);
//   xz, xr, xh = x·kernel + bias;  z = σ(xz + h₋·rk_z);  r = σ(xr + h₋·rk_r)
//   ĥ = tanh(xh + (r ⊙ h₋)·rk_h)   (the reset gate is applied before the recurrent product)
//   h = z ⊙ h₋ + (1 − z) ⊙ ĥ,   h at t = −1 is zero
// with σ tfjs' default recurrent activation hardSigmoid: clip(0.2·x + 0.5, 0, 1), whose gradient
// is 0.2 where 0 ≤ 0.2·x + 0.5 ≤ 1 (tf.clipByValue's gradient includes both ends).
// Dense: kernel [U, K], bias [K]. Losses: tf.losses.absoluteDifference and meanSquaredError, both a
// mean over batch·K.
#pragma once
#include <vector>

#include "optim.h"

namespace runbook {

enum class RegressionLoss { MeanAbsolute, MeanSquared };

/** One pass's sizes, weights, buffers and gradients, for the loops in gru_kernels.inc. */
struct GruPass {
  int B = 0, T = 0, F = 0, U = 0, K = 0;
  const float *x = nullptr, *W = nullptr, *RK = nullptr, *bias = nullptr, *DW = nullptr, *db = nullptr;
  float *xm = nullptr, *gates = nullptr, *h = nullptr, *rh = nullptr, *dxm = nullptr, *out = nullptr, *dout = nullptr;
  float *dh = nullptr, *dhPrev = nullptr, *drh = nullptr, *rkT = nullptr, *dkT = nullptr;
  float *dW = nullptr, *dRK = nullptr, *dBias = nullptr, *dDW = nullptr, *dDb = nullptr;
};

/** The forward and backward loops of one instruction set and state size. */
struct GruKernels {
  void (*forward)(const GruPass&) = nullptr;
  void (*backward)(const GruPass&) = nullptr;
};

struct GruSpec {
  int steps = 0;     // T: time steps per window
  int features = 0;  // F: features per step
  int units = 0;     // U: GRU state size
  int outputs = 0;   // K: Dense units
  RegressionLoss loss = RegressionLoss::MeanAbsolute;
};

class GruNet {
 public:
  /** Weight indices, the order of a tfjs Sequential([gru, dense]).trainableWeights. */
  enum Weight { Kernel = 0, RecurrentKernel, Bias, DenseKernel, DenseBias, NumWeights };

  GruNet(const GruSpec& spec, const OptimizerConfig& optimizer);

  const GruSpec& spec() const { return spec_; }
  std::vector<float>& param(int i) { return params_.at(i); }
  std::vector<float>& grad(int i) { return grads_.at(i); }
  Optimizer& optimizer() { return opt_; }
  /** Floats per input window (T·F). */
  int inputSize() const { return spec_.steps * spec_.features; }

  /**
   * Loss of x [batch, T, F] against y [batch, K] (mean over batch·K); with `gradients` also every
   * weight's gradient, and with `update` the optimiser step at lr.
   */
  double run(const float* x, const float* y, int batch, bool gradients, bool update, float lr);
  /** Dense outputs [batch, K] for x [batch, T, F] (inference: no gradients kept). */
  void predict(const float* x, int batch, float* out);

 private:
  void ensure(int batch);
  void forward(const float* x, int batch);
  void backward(const float* x, int batch);
  GruPass pass(const float* x, int batch);

  GruSpec spec_;
  Optimizer opt_;
  GruKernels kernels_;
  std::vector<std::vector<float>> params_, grads_;
  std::vector<float*> paramPtrs_;
  std::vector<const float*> gradPtrs_;
  std::vector<size_t> sizes_;
  int capacity_ = 0;  // batch size the buffers below hold
  // Per time step t, row-major over the batch:
  std::vector<float> xm_;     // [T, B, 3U] x·kernel + bias
  std::vector<float> gates_;  // [T, B, 3U] z and r before clipping (0.2·a + 0.5), then ĥ
  std::vector<float> h_;      // [T + 1, B, U] h₋₁ = 0, h₀ … h_{T−1}
  std::vector<float> rh_;     // [T, B, U] r ⊙ h₋
  std::vector<float> dxm_;    // [T, B, 3U] gradient of the pre-activations
  std::vector<float> out_, dout_;  // [B, K]
  std::vector<float> dh_, dhPrev_, drh_;  // [B, U]
  std::vector<float> rkT_;    // [3U, U] recurrentKernel transposed (for dh₋ = d·rkᵀ)
  std::vector<float> dkT_;    // [K, U] dense kernel transposed
};

}  // namespace runbook
