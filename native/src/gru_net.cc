// The GRU forecaster's native step (gru_net.h). Matrices are [rows, cols] row-major; every inner
// loop runs over a contiguous output row so the compiler vectorises it (U = 16 columns at §6.3).
#include "gru_net.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace runbook {

namespace {

/** tfjs hardSigmoid before its clip: 0.5 + 0.2·a (K.hardSigmoid = clipByValue(add(.5, mul(.2, a)), 0, 1)). */
inline float hardSigmoidPre(float a) { return 0.5f + 0.2f * a; }
inline float clip01(float v) { return std::min(1.f, std::max(0.f, v)); }
/** tf.clipByValue's gradient passes where min ≤ v ≤ max (both ends included). */
inline float hardSigmoidGrad(float pre) { return pre >= 0.f && pre <= 1.f ? 0.2f : 0.f; }

void requirePositive(int v, const char* name) {
  if (v < 1) throw std::invalid_argument(std::string("GRU spec: ") + name + " must be a positive integer; got " + std::to_string(v));
}

}  // namespace

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
  rkT_.assign(G * U, 0.f);
  dkT_.assign(K * U, 0.f);
}

void GruNet::releaseBuffers() {
  for (auto* v : {&xm_, &gates_, &h_, &rh_, &dxm_, &out_, &dout_, &dh_, &dhPrev_, &drh_}) std::vector<float>().swap(*v);
  capacity_ = 0;
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

void GruNet::forward(const float* x, int batch) {
  const int B = batch, T = spec_.steps, F = spec_.features, U = spec_.units, K = spec_.outputs, G = 3 * U;
  const float* W = params_[Kernel].data();           // [F, 3U]
  const float* RK = params_[RecurrentKernel].data();  // [U, 3U]
  const float* bias = params_[Bias].data();          // [3U]
  // xm[t, b, :] = x[b, t, :]·kernel + bias, every step at once (it does not depend on h).
  for (int t = 0; t < T; t++) {
    for (int b = 0; b < B; b++) {
      float* row = &xm_[(static_cast<size_t>(t) * B + b) * G];
      const float* xr = x + (static_cast<size_t>(b) * T + t) * F;
      for (int j = 0; j < G; j++) row[j] = 0.f;
      for (int f = 0; f < F; f++) {
        const float xv = xr[f];
        const float* w = W + static_cast<size_t>(f) * G;
        for (int j = 0; j < G; j++) row[j] += xv * w[j];
      }
      for (int j = 0; j < G; j++) row[j] += bias[j];
    }
  }
  std::fill(h_.begin(), h_.begin() + static_cast<size_t>(B) * U, 0.f);  // h₋₁ = 0
  for (int t = 0; t < T; t++) {
    const float* hp = &h_[static_cast<size_t>(t) * B * U];  // [B, U] h₋
    float* hn = &h_[static_cast<size_t>(t + 1) * B * U];    // [B, U] h
    const float* xm = &xm_[static_cast<size_t>(t) * B * G];
    float* g = &gates_[static_cast<size_t>(t) * B * G];
    float* rh = &rh_[static_cast<size_t>(t) * B * U];
    for (int b = 0; b < B; b++) {
      const float* hb = hp + static_cast<size_t>(b) * U;
      float* gb = g + static_cast<size_t>(b) * G;
      // z, r: h₋·rk[:, 0:2U], then xm + that, then hardSigmoid's affine part.
      for (int j = 0; j < 2 * U; j++) gb[j] = 0.f;
      for (int k = 0; k < U; k++) {
        const float hv = hb[k];
        const float* rk = RK + static_cast<size_t>(k) * G;
        for (int j = 0; j < 2 * U; j++) gb[j] += hv * rk[j];
      }
      const float* xb = xm + static_cast<size_t>(b) * G;
      for (int j = 0; j < 2 * U; j++) gb[j] = hardSigmoidPre(xb[j] + gb[j]);
      float* rhb = rh + static_cast<size_t>(b) * U;
      for (int k = 0; k < U; k++) rhb[k] = clip01(gb[U + k]) * hb[k];
      // ĥ = tanh(xh + (r ⊙ h₋)·rk[:, 2U:3U])
      float* hh = gb + 2 * U;
      for (int j = 0; j < U; j++) hh[j] = 0.f;
      for (int k = 0; k < U; k++) {
        const float v = rhb[k];
        const float* rk = RK + static_cast<size_t>(k) * G + 2 * U;
        for (int j = 0; j < U; j++) hh[j] += v * rk[j];
      }
      float* hnb = hn + static_cast<size_t>(b) * U;
      for (int j = 0; j < U; j++) {
        hh[j] = std::tanh(xb[2 * U + j] + hh[j]);
        const float z = clip01(gb[j]);
        hnb[j] = z * hb[j] + (1.f - z) * hh[j];
      }
    }
  }
  // Dense on the last state: out = h_{T−1}·denseKernel + denseBias.
  const float* hT = &h_[static_cast<size_t>(T) * B * U];
  const float* DW = params_[DenseKernel].data();  // [U, K]
  const float* db = params_[DenseBias].data();    // [K]
  for (int b = 0; b < B; b++) {
    float* o = &out_[static_cast<size_t>(b) * K];
    for (int c = 0; c < K; c++) o[c] = 0.f;
    for (int k = 0; k < U; k++) {
      const float hv = hT[static_cast<size_t>(b) * U + k];
      for (int c = 0; c < K; c++) o[c] += hv * DW[static_cast<size_t>(k) * K + c];
    }
    for (int c = 0; c < K; c++) o[c] += db[c];
  }
}

void GruNet::backward(const float* x, int batch) {
  const int B = batch, T = spec_.steps, F = spec_.features, U = spec_.units, K = spec_.outputs, G = 3 * U;
  for (auto& g : grads_) std::fill(g.begin(), g.end(), 0.f);
  const float* RK = params_[RecurrentKernel].data();
  const float* DW = params_[DenseKernel].data();
  for (int k = 0; k < U; k++)
    for (int j = 0; j < G; j++) rkT_[static_cast<size_t>(j) * U + k] = RK[static_cast<size_t>(k) * G + j];
  for (int k = 0; k < U; k++)
    for (int c = 0; c < K; c++) dkT_[static_cast<size_t>(c) * U + k] = DW[static_cast<size_t>(k) * K + c];
  // Dense: dW = hᵀ·dout, db = Σ dout, dh = dout·Wᵀ.
  const float* hT = &h_[static_cast<size_t>(T) * B * U];
  float* dDW = grads_[DenseKernel].data();
  float* dDb = grads_[DenseBias].data();
  for (int b = 0; b < B; b++) {
    const float* d = &dout_[static_cast<size_t>(b) * K];
    const float* hb = hT + static_cast<size_t>(b) * U;
    float* dh = &dh_[static_cast<size_t>(b) * U];
    for (int k = 0; k < U; k++) dh[k] = 0.f;
    for (int c = 0; c < K; c++) {
      dDb[c] += d[c];
      const float* w = &dkT_[static_cast<size_t>(c) * U];
      for (int k = 0; k < U; k++) {
        dDW[static_cast<size_t>(k) * K + c] += hb[k] * d[c];
        dh[k] += d[c] * w[k];
      }
    }
  }
  float* dRK = grads_[RecurrentKernel].data();
  for (int t = T - 1; t >= 0; t--) {
    const float* hp = &h_[static_cast<size_t>(t) * B * U];
    const float* g = &gates_[static_cast<size_t>(t) * B * G];
    const float* rh = &rh_[static_cast<size_t>(t) * B * U];
    float* dxm = &dxm_[static_cast<size_t>(t) * B * G];
    for (int b = 0; b < B; b++) {
      const float* hb = hp + static_cast<size_t>(b) * U;
      const float* gb = g + static_cast<size_t>(b) * G;
      const float* hh = gb + 2 * U;
      const float* dh = &dh_[static_cast<size_t>(b) * U];
      float* dhp = &dhPrev_[static_cast<size_t>(b) * U];
      float* d = dxm + static_cast<size_t>(b) * G;  // [3U]: d(xz), d(xr), d(xh)
      // h = z·h₋ + (1 − z)·ĥ
      for (int k = 0; k < U; k++) {
        const float z = clip01(gb[k]);
        dhp[k] = dh[k] * z;
        d[k] = hardSigmoidGrad(gb[k]) * (dh[k] * (hb[k] - hh[k]));
        d[2 * U + k] = dh[k] * (1.f - z) * (1.f - hh[k] * hh[k]);  // through tanh
      }
      // (r ⊙ h₋)·rk_h: d(r ⊙ h₋) = d(xh)·rk_hᵀ
      float* drh = &drh_[static_cast<size_t>(b) * U];
      for (int k = 0; k < U; k++) drh[k] = 0.f;
      for (int j = 0; j < U; j++) {
        const float dv = d[2 * U + j];
        const float* w = &rkT_[static_cast<size_t>(2 * U + j) * U];
        for (int k = 0; k < U; k++) drh[k] += dv * w[k];
      }
      for (int k = 0; k < U; k++) {
        const float r = clip01(gb[U + k]);
        d[U + k] = hardSigmoidGrad(gb[U + k]) * (drh[k] * hb[k]);
        dhp[k] += drh[k] * r;
      }
      // h₋·rk_{z,r}: dh₋ += d(xz, xr)·rk_{z,r}ᵀ
      for (int j = 0; j < 2 * U; j++) {
        const float dv = d[j];
        const float* w = &rkT_[static_cast<size_t>(j) * U];
        for (int k = 0; k < U; k++) dhp[k] += dv * w[k];
      }
      // Recurrent kernel gradients: rk_{z,r} from h₋, rk_h from r ⊙ h₋.
      const float* rhb = rh + static_cast<size_t>(b) * U;
      for (int k = 0; k < U; k++) {
        float* row = dRK + static_cast<size_t>(k) * G;
        const float hv = hb[k], rv = rhb[k];
        for (int j = 0; j < 2 * U; j++) row[j] += hv * d[j];
        for (int j = 0; j < U; j++) row[2 * U + j] += rv * d[2 * U + j];
      }
    }
    dh_.swap(dhPrev_);
  }
  // Input kernel and bias: dW = Σ_t,b x[b, t]ᵀ·dxm[t, b], db = Σ dxm.
  float* dW = grads_[Kernel].data();
  float* dBias = grads_[Bias].data();
  for (int t = 0; t < T; t++) {
    for (int b = 0; b < B; b++) {
      const float* d = &dxm_[(static_cast<size_t>(t) * B + b) * G];
      const float* xr = x + (static_cast<size_t>(b) * T + t) * F;
      for (int f = 0; f < F; f++) {
        const float xv = xr[f];
        float* row = dW + static_cast<size_t>(f) * G;
        for (int j = 0; j < G; j++) row[j] += xv * d[j];
      }
      for (int j = 0; j < G; j++) dBias[j] += d[j];
    }
  }
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
