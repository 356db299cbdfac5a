// The GRU forecaster's native step (gru_net.h). Matrices are [rows, cols] row-major; the loops are
// in gru_kernels.inc, compiled here once per instruction set; buffers grow to the largest batch seen
// and are reused (no allocation per step).
#include "gru_net.h"

#include "direct_conv.h"  // simd(): the instruction set chosen for the addon

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

namespace runbook {

namespace {

void requirePositive(int v, const char* name) {
  if (v < 1) throw std::invalid_argument(std::string("GRU spec: ") + name + " must be a positive integer; got " + std::to_string(v));
}

}  // namespace

// The step's math, shared by every instruction set's copy of the loops.
namespace gru_math {

/** tfjs hardSigmoid before its clip: 0.5 + 0.2·a (K.hardSigmoid = clipByValue(add(.5, mul(.2, a)), 0, 1)). */
inline float hardSigmoidPre(float a) { return 0.5f + 0.2f * a; }
/**
 * tanh as a rational function (Eigen's and TensorFlow's fast float tanh: odd degree-13 over even degree-6
 * polynomial on x clamped to ±7.9988, x itself below 4e-4), within a few float ulps of std::tanh, and
 * vectorisable where libm's tanhf call was ≈40% of the step.
 */
inline float fastTanh(float a) {
  const float x = std::min(7.99881172180175781f, std::max(-7.99881172180175781f, a));
  const float x2 = x * x;
  float p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
  p = x2 * p + -8.60467152213735e-11f;
  p = x2 * p + 5.12229709037114e-08f;
  p = x2 * p + 1.48572235717979e-05f;
  p = x2 * p + 6.37261928875436e-04f;
  p = x2 * p + 4.89352455891786e-03f;
  p = x * p;
  float q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
  q = x2 * q + 2.26843463243900e-03f;
  q = x2 * q + 4.89352518554385e-03f;
  return std::fabs(a) < 0.0004f ? a : p / q;
}
inline float clip01(float v) { return std::min(1.f, std::max(0.f, v)); }
/** tf.clipByValue's gradient passes where min ≤ v ≤ max (both ends included). */
inline float hardSigmoidGrad(float pre) { return pre >= 0.f && pre <= 1.f ? 0.2f : 0.f; }

}  // namespace gru_math

// The loops, once per instruction set. The addon is built for the x86-64 baseline (binding.gyp);
// the AVX2 and AVX-512 copies are compiled for those targets here and chosen at run time.
namespace gru_isa_baseline {
using namespace gru_math;
#include "gru_kernels.inc"
}  // namespace gru_isa_baseline

#if defined(__x86_64__) && defined(__GNUC__)
#define GRU_X86_DISPATCH 1
#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace gru_isa_avx2 {
using namespace gru_math;
#include "gru_kernels.inc"
}  // namespace gru_isa_avx2
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
namespace gru_isa_avx512 {
using namespace gru_math;
#include "gru_kernels.inc"
}  // namespace gru_isa_avx512
#pragma GCC pop_options
#endif

/**
 * The copy of the loops for `units` in the instruction set the addon's SIMD choice names (setSimd /
 * RUNBOOK_NATIVE_SIMD, direct_conv.h: the best the CPU has unless forced, e.g. to the baseline in tests).
 */
static GruKernels chosenKernels(int units) {
#ifdef GRU_X86_DISPATCH
  const std::string isa = simd();
  if (isa == "avx512") return gru_isa_avx512::kernelsFor(units);
  if (isa == "avx2") return gru_isa_avx2::kernelsFor(units);
#endif
  return gru_isa_baseline::kernelsFor(units);
}

GruNet::GruNet(const GruSpec& spec, const OptimizerConfig& optimizer) : spec_(spec), opt_(optimizer) {
  requirePositive(spec.steps, "steps");
  requirePositive(spec.features, "features");
  requirePositive(spec.units, "units");
  requirePositive(spec.outputs, "outputs");
  const size_t F = spec.features, U = spec.units, K = spec.outputs, G = 3 * U;
  const size_t sizes[NumWeights] = {F * G, U * G, G, U * K, K};
  for (size_t n : sizes) {
    params_.emplace_back(n, 0.f);
    grads_.emplace_back(n, 0.f);
  }
  // The weights never change size, so the optimiser's lists are built once (no per-step allocation).
  for (int i = 0; i < NumWeights; i++) {
    paramPtrs_.push_back(params_[i].data());
    gradPtrs_.push_back(grads_[i].data());
    sizes_.push_back(params_[i].size());
  }
  kernels_ = chosenKernels(spec.units);
  rkT_.assign(G * U, 0.f);
  dkT_.assign(K * U, 0.f);
}

void GruNet::ensure(int batch) {
  if (batch <= capacity_) return;
  const size_t B = batch, T = spec_.steps, U = spec_.units, K = spec_.outputs, G = 3 * U;
  xm_.assign(T * B * G, 0.f);
  gates_.assign(T * B * G, 0.f);
  h_.assign((T + 1) * B * U, 0.f);
  rh_.assign(T * B * U, 0.f);
  dxm_.assign(T * B * G, 0.f);
  out_.assign(B * K, 0.f);
  dout_.assign(B * K, 0.f);
  dh_.assign(B * U, 0.f);
  dhPrev_.assign(B * U, 0.f);
  drh_.assign(B * U, 0.f);
  capacity_ = batch;
}

GruPass GruNet::pass(const float* x, int batch) {
  GruPass p;
  p.B = batch;
  p.T = spec_.steps;
  p.F = spec_.features;
  p.U = spec_.units;
  p.K = spec_.outputs;
  p.x = x;
  p.W = params_[Kernel].data();
  p.RK = params_[RecurrentKernel].data();
  p.bias = params_[Bias].data();
  p.DW = params_[DenseKernel].data();
  p.db = params_[DenseBias].data();
  p.xm = xm_.data();
  p.gates = gates_.data();
  p.h = h_.data();
  p.rh = rh_.data();
  p.dxm = dxm_.data();
  p.out = out_.data();
  p.dout = dout_.data();
  p.dh = dh_.data();
  p.dhPrev = dhPrev_.data();
  p.drh = drh_.data();
  p.rkT = rkT_.data();
  p.dkT = dkT_.data();
  p.dW = grads_[Kernel].data();
  p.dRK = grads_[RecurrentKernel].data();
  p.dBias = grads_[Bias].data();
  p.dDW = grads_[DenseKernel].data();
  p.dDb = grads_[DenseBias].data();
  return p;
}

void GruNet::forward(const float* x, int batch) { kernels_.forward(pass(x, batch)); }

void GruNet::backward(const float* x, int batch) {
  for (auto& g : grads_) std::fill(g.begin(), g.end(), 0.f);
  kernels_.backward(pass(x, batch));
}

double GruNet::run(const float* x, const float* y, int batch, bool gradients, bool update, float lr) {
  if (batch < 1) throw std::invalid_argument("GRU run: batch must be >= 1; got " + std::to_string(batch));
  ensure(batch);
  forward(x, batch);
  const int K = spec_.outputs;
  const size_t n = static_cast<size_t>(batch) * K;
  const float inv = 1.f / static_cast<float>(n);
  double sum = 0;
  for (size_t i = 0; i < n; i++) {
    const float diff = y[i] - out_[i];  // tfjs: labels − predictions
    if (spec_.loss == RegressionLoss::MeanAbsolute) {
      sum += std::fabs(diff);
      // d|a|/da = step(a, −1): 1 for a > 0, else −1 (so −1 at a = 0); the prediction's gradient is its negation.
      dout_[i] = (diff > 0.f ? -1.f : 1.f) * inv;
    } else {
      sum += static_cast<double>(diff) * diff;
      dout_[i] = -2.f * diff * inv;
    }
  }
  const double loss = sum / static_cast<double>(n);
  if (!gradients && !update) return loss;
  backward(x, batch);
  if (update) {
    opt_.update(paramPtrs_, gradPtrs_, sizes_, lr);
  }
  return loss;
}

void GruNet::predict(const float* x, int batch, float* out) {
  if (batch < 1) throw std::invalid_argument("GRU predict: batch must be >= 1; got " + std::to_string(batch));
  ensure(batch);
  forward(x, batch);
  std::copy(out_.begin(), out_.begin() + static_cast<size_t>(batch) * spec_.outputs, out);
}

}  // namespace runbook
