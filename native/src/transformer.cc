// The native GPT training step (transformer.h). Every formula mirrors src/models/transformer.ts:
// layer norm (biased variance, ε 1e-5 inside the square root), scores q·kᵀ/√dh with the causal
// mask (keys ≤ query; tfjs' −1e9 bias gives them exactly zero weight in float32), GELU's tanh
// approximation, tied output logits = hF · tokEmbᵀ, and the mean sparse softmax cross-entropy.
// Row-major layouts throughout: activations [N = batch·T, width], weights [in, out] as in tfjs.
#include "transformer.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "onednn_version.h"  // first: a clear #error when the headers are not oneDNN 2.x
#include "oneapi/dnnl/dnnl.h"

namespace runbook {

namespace {

constexpr float LN_EPS = 1e-5f;

/** C[M,N] = op(A)·op(B) + beta·C, row-major, on oneDNN's sgemm (its OpenMP threads). */
void gemm(bool transA, bool transB, int M, int N, int K, const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc) {
  dnnl_status_t st = dnnl_sgemm(transA ? 'T' : 'N', transB ? 'T' : 'N', M, N, K, 1.f, A, lda, B, ldb, beta, C, ldc);
  if (st != dnnl_success) throw std::runtime_error("oneDNN sgemm failed with status " + std::to_string(static_cast<int>(st)));
}

/**
 * exp(x) in float, Cephes' expf polynomial (relative error ≈ 1e-7) written so the compiler
 * vectorises loops over it (libm's expf is a call per element).
 */
__attribute__((always_inline)) inline float fastExp(float x) {
  x = x > 88.3762626647949f ? 88.3762626647949f : x;  // ternaries, not std::min: they if-convert, so loops vectorise
  x = x < -87.3365447505531f ? -87.3365447505531f : x;
  const float magic = 12582912.f;  // 1.5·2²³: adding and subtracting it rounds to an integer
  float n = (x * 1.44269504088896341f + magic) - magic;
  float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500E-4f;
  p = p * r + 1.3981999507E-3f;
  p = p * r + 8.3334519073E-3f;
  p = p * r + 4.1665795894E-2f;
  p = p * r + 1.6666665459E-1f;
  p = p * r + 5.0000001201E-1f;
  float y = p * r * r + r + 1.f;
  int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return y * scale;
}

/** tanh(x) = 1 − 2/(e^{2x} + 1); fastExp's clamp keeps e^{2x} finite, so ±large x give ±1. */
__attribute__((always_inline)) inline float fastTanh(float x) { return 1.f - 2.f / (fastExp(2.f * x) + 1.f); }

const float GELU_C = 0.7978845608028654f;  // √(2/π)
const float GELU_A = 0.044715f;

}  // namespace

// The elementwise kernels, each compiled for AVX-512, AVX2 and the x86-64 baseline and picked at
// load time by the CPU (the addon itself targets the baseline, binding.gyp): the exp/tanh
// polynomials and the row loops then run 16 floats at a time where the CPU can.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define GPT_SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GPT_SIMD_CLONES
#endif

namespace gpt_kernels {

/** GELU (tanh form) of n values: gu = ½u(1 + tanh(c(u + a·u³))), keeping the tanh for the backward pass. */
GPT_SIMD_CLONES void geluForward(const float* u, float* th, float* gu, size_t n) {
#pragma omp simd
  for (size_t j = 0; j < n; j++) {
    const float v = u[j];
    th[j] = fastTanh(GELU_C * (v + GELU_A * v * v * v));
    gu[j] = 0.5f * v * (1.f + th[j]);
  }
}

/** g ← g · GELU'(u), from the kept tanh. */
GPT_SIMD_CLONES void geluBackward(float* g, const float* u, const float* th, size_t n) {
#pragma omp simd
  for (size_t j = 0; j < n; j++) {
    const float v = u[j], t = th[j];
    const float dinner = GELU_C * (1.f + 3.f * GELU_A * v * v);
    g[j] *= 0.5f * (1.f + t) + 0.5f * v * (1.f - t * t) * dinner;
  }
}

/**
 * Cross-entropy of one row of logits z [V] at `label`: log Σ exp(z) − z[label]. With grad, z is
 * overwritten by its gradient (softmax(z) − one-hot) · scale.
 */
GPT_SIMD_CLONES double crossEntropyRow(float* z, int V, int label, bool grad, float scale) {
  const float zLabel = z[label];
  float mx = -INFINITY;
#pragma omp simd reduction(max : mx)
  for (int j = 0; j < V; j++) mx = std::max(mx, z[j]);
  float sum = 0.f;
  if (grad) {
#pragma omp simd reduction(+ : sum)
    for (int j = 0; j < V; j++) {
      z[j] = fastExp(z[j] - mx);
      sum += z[j];
    }
    const float k = scale / sum;
#pragma omp simd
    for (int j = 0; j < V; j++) z[j] *= k;
    z[label] -= scale;
  } else {
#pragma omp simd reduction(+ : sum)
    for (int j = 0; j < V; j++) sum += fastExp(z[j] - mx);
  }
  return static_cast<double>(mx) + std::log(static_cast<double>(sum)) - zLabel;
}

/**
 * Causal attention of one head of one sequence: q, k, v rows of T at stride `stride` (the qkv
 * buffer); P [T, T] = softmax over keys ≤ query of q·kᵀ·scale (zero above the diagonal); y rows
 * (stride yStride) = P·v.
 */
GPT_SIMD_CLONES void attentionHeadForward(const float* q, const float* k, const float* v, int stride, int T, int dh, float scale, float* P, float* y, int yStride) {
  for (int i = 0; i < T; i++) {
    const float* qi = q + static_cast<size_t>(i) * stride;
    float* Pi = P + static_cast<size_t>(i) * T;
    float mx = -INFINITY;
    for (int j = 0; j <= i; j++) {
      const float* kj = k + static_cast<size_t>(j) * stride;
      float s = 0.f;
#pragma omp simd reduction(+ : s)
      for (int e = 0; e < dh; e++) s += qi[e] * kj[e];
      Pi[j] = s * scale;
      mx = std::max(mx, Pi[j]);
    }
    float sum = 0.f;
    for (int j = 0; j <= i; j++) {
      Pi[j] = fastExp(Pi[j] - mx);
      sum += Pi[j];
    }
    const float inv = 1.f / sum;
    for (int j = 0; j <= i; j++) Pi[j] *= inv;
    for (int j = i + 1; j < T; j++) Pi[j] = 0.f;
    float* yi = y + static_cast<size_t>(i) * yStride;
    for (int e = 0; e < dh; e++) yi[e] = 0.f;
    for (int j = 0; j <= i; j++) {
      const float* vj = v + static_cast<size_t>(j) * stride;
      const float p = Pi[j];
#pragma omp simd
      for (int e = 0; e < dh; e++) yi[e] += p * vj[e];
    }
  }
}

/** The backward pass of attentionHeadForward: dq, dk, dv (same layout as q, k, v; zeroed here) from dy. */
GPT_SIMD_CLONES void attentionHeadBackward(const float* q, const float* k, const float* v, int stride, int T, int dh, float scale, const float* P,
                                           const float* dy, int yStride, float* dq, float* dk, float* dv) {
  for (int i = 0; i < T; i++) {
    const size_t o = static_cast<size_t>(i) * stride;
    for (int e = 0; e < dh; e++) dq[o + e] = dk[o + e] = dv[o + e] = 0.f;
  }
  std::vector<float> dP(T);  // one row of ∂loss/∂P
  for (int i = 0; i < T; i++) {
    const float* Pi = P + static_cast<size_t>(i) * T;
    const float* dyi = dy + static_cast<size_t>(i) * yStride;
    const float* qi = q + static_cast<size_t>(i) * stride;
    float* dqi = dq + static_cast<size_t>(i) * stride;
    float dot = 0.f;
    for (int j = 0; j <= i; j++) {
      const float* vj = v + static_cast<size_t>(j) * stride;
      float* dvj = dv + static_cast<size_t>(j) * stride;
      const float p = Pi[j];
      float s = 0.f;
#pragma omp simd reduction(+ : s)
      for (int e = 0; e < dh; e++) {
        s += dyi[e] * vj[e];
        dvj[e] += p * dyi[e];
      }
      dP[j] = s;
      dot += p * s;
    }
    for (int j = 0; j <= i; j++) {
      const float ds = Pi[j] * (dP[j] - dot) * scale;
      const float* kj = k + static_cast<size_t>(j) * stride;
      float* dkj = dk + static_cast<size_t>(j) * stride;
#pragma omp simd
      for (int e = 0; e < dh; e++) {
        dqi[e] += ds * kj[e];
        dkj[e] += ds * qi[e];
      }
    }
  }
}

/** One row of layer norm: xh = (x − mean)/√(var + ε), out = xh·g + b; returns 1/√(var + ε). */
GPT_SIMD_CLONES float layerNormRow(const float* x, const float* g, const float* b, float* xh, float* out, int d) {
  float mean = 0.f;
#pragma omp simd reduction(+ : mean)
  for (int j = 0; j < d; j++) mean += x[j];
  mean /= d;
  float var = 0.f;
#pragma omp simd reduction(+ : var)
  for (int j = 0; j < d; j++) var += (x[j] - mean) * (x[j] - mean);
  var /= d;
  const float rs = 1.f / std::sqrt(var + LN_EPS);
#pragma omp simd
  for (int j = 0; j < d; j++) {
    xh[j] = (x[j] - mean) * rs;
    out[j] = xh[j] * g[j] + b[j];
  }
  return rs;
}

/** One row of the layer norm's input gradient: dx += rs·(dy·g − mean(dy·g) − xh·mean(dy·g·xh)). */
GPT_SIMD_CLONES void layerNormRowBackward(const float* dy, const float* xh, const float* g, float rs, float* dx, int d) {
  float s1 = 0.f, s2 = 0.f;
#pragma omp simd reduction(+ : s1, s2)
  for (int j = 0; j < d; j++) {
    const float dxh = dy[j] * g[j];
    s1 += dxh;
    s2 += dxh * xh[j];
  }
  s1 /= d;
  s2 /= d;
#pragma omp simd
  for (int j = 0; j < d; j++) dx[j] += rs * (dy[j] * g[j] - s1 - xh[j] * s2);
}

/** acc[j] += a[j]·b[j] and acc2[j] += a[j] (b may be null: then only acc2), for column sums over rows. */
GPT_SIMD_CLONES void accumulateRow(const float* a, const float* b, float* acc, float* acc2, int d) {
  if (b) {
#pragma omp simd
    for (int j = 0; j < d; j++) acc[j] += a[j] * b[j];
  }
#pragma omp simd
  for (int j = 0; j < d; j++) acc2[j] += a[j];
}

/** out[j] = a[j] + b[j] (out may be a). */
GPT_SIMD_CLONES void addRow(const float* a, const float* b, float* out, size_t n) {
#pragma omp simd
  for (size_t j = 0; j < n; j++) out[j] = a[j] + b[j];
}

}  // namespace gpt_kernels

namespace {
using namespace gpt_kernels;

/** out [rows, d] = layerNorm(x) · g + b, keeping x̂ and 1/σ per row for the backward pass. */
void layerNormForward(const float* x, const float* g, const float* b, float* xhat, float* rstd, float* out, int rows, int d) {
#pragma omp parallel for if (rows * d > 32768)
  for (int r = 0; r < rows; r++) {
    const size_t o = static_cast<size_t>(r) * d;
    rstd[r] = layerNormRow(x + o, g, b, xhat + o, out + o, d);
  }
}

/** From dout: dg, db (set), and dx += ∂loss/∂x of the layer norm. dxhat is scratch [rows, d]. */
void layerNormBackward(const float* dout, const float* xhat, const float* rstd, const float* g, float* dg, float* db, float* dx, int rows, int d) {
  std::fill(dg, dg + d, 0.f);
  std::fill(db, db + d, 0.f);
  for (int r = 0; r < rows; r++) accumulateRow(dout + static_cast<size_t>(r) * d, xhat + static_cast<size_t>(r) * d, dg, db, d);
#pragma omp parallel for if (rows * d > 32768)
  for (int r = 0; r < rows; r++) {
    const size_t o = static_cast<size_t>(r) * d;
    layerNormRowBackward(dout + o, xhat + o, g, rstd[r], dx + o, d);
  }
}

/** y [rows, m] = x [rows, k] · W [k, m] + b. */
void linearForward(const float* x, const float* W, const float* b, float* y, int rows, int k, int m) {
#pragma omp parallel for if (rows * m > 32768)
  for (int r = 0; r < rows; r++) std::memcpy(y + static_cast<size_t>(r) * m, b, m * sizeof(float));
  gemm(false, false, rows, m, k, x, k, W, m, 1.f, y, m);
}

/** dW = xᵀ·dy, db = Σ rows of dy; dx = dy·Wᵀ (+ dx when accumulate) unless dx is null. */
void linearBackward(const float* x, const float* W, const float* dy, float* dW, float* db, float* dx, bool accumulate, int rows, int k, int m) {
  gemm(true, false, k, m, rows, x, k, dy, m, 0.f, dW, m);
  std::fill(db, db + m, 0.f);
  for (int r = 0; r < rows; r++) accumulateRow(dy + static_cast<size_t>(r) * m, nullptr, nullptr, db, m);
  if (dx) gemm(false, true, rows, k, m, dy, m, W, m, accumulate ? 1.f : 0.f, dx, k);
}

}  // namespace

/** Activations of one block, kept from the forward pass for the backward pass. */
struct BlockActs {
  std::vector<float> xhat1, rstd1, a1, qkv, probs, y, xhat2, rstd2, a2, u, tanhU, gu;
};

struct TransformerActs {
  int batch, T, N;          // the current call's shape; the buffers may be larger
  size_t rowCapacity = 0, probsCapacity = 0;
  std::vector<BlockActs> blocks;
  std::vector<float> x;               // residual stream [N, d]
  std::vector<float> xhatF, rstdF, hF;  // final layer norm
  std::vector<float> logits;          // [N, V], overwritten by its gradient
  std::vector<float> dx, dtmp, dqkv, dwide;  // backward scratch: [N, d], [N, d], [N, 3d], [N, f]
};

TransformerNet::TransformerNet(const TransformerSpec& s, const OptimizerConfig& adam) : spec_(s), optimizer_(adam) {
  auto positive = [](int v, const char* name) {
    if (v < 1) throw std::invalid_argument(std::string("transformer: ") + name + " must be a positive integer; got " + std::to_string(v));
  };
  positive(s.vocabSize, "vocabSize");
  positive(s.contextLength, "contextLength");
  positive(s.dModel, "dModel");
  positive(s.numHeads, "numHeads");
  positive(s.numLayers, "numLayers");
  positive(s.dFF, "dFF");
  if (s.dModel % s.numHeads != 0) throw std::invalid_argument("transformer: numHeads must divide dModel");
  const size_t V = s.vocabSize, T = s.contextLength, d = s.dModel, f = s.dFF;
  std::vector<size_t> sizes = {V * d, T * d};
  for (int l = 0; l < s.numLayers; l++) {
    for (size_t n : {d, d, d * 3 * d, 3 * d, d * d, d, d, d, d * f, f, f * d, d}) sizes.push_back(n);
  }
  sizes.push_back(d);
  sizes.push_back(d);
  if (!s.tieWeights) sizes.push_back(d * V);
  for (size_t n : sizes) {
    params_.emplace_back(n, 0.f);
    grads_.emplace_back(n, 0.f);
  }
}

TransformerNet::~TransformerNet() { delete acts_; }

size_t TransformerNet::memoryBytes() const {
  size_t floats = 0;
  const size_t perParam = optimizer_.step() > 0 ? 4 : 2;  // weight and gradient, and Adam's m and v once it has stepped
  for (const auto& p : params_) floats += perParam * p.size();
  if (acts_) {
    const TransformerActs& a = *acts_;
    for (const auto& b : a.blocks) {
      for (const auto* v : {&b.xhat1, &b.rstd1, &b.a1, &b.qkv, &b.probs, &b.y, &b.xhat2, &b.rstd2, &b.a2, &b.u, &b.tanhU, &b.gu}) floats += v->size();
    }
    for (const auto* v : {&a.x, &a.xhatF, &a.rstdF, &a.hF, &a.logits, &a.dx, &a.dtmp, &a.dqkv, &a.dwide}) floats += v->size();
  }
  return floats * sizeof(float);
}

void TransformerNet::release() {
  delete acts_;
  acts_ = nullptr;
  params_.clear();
  params_.shrink_to_fit();
  grads_.clear();
  grads_.shrink_to_fit();
  optimizer_ = Optimizer(optimizer_.config());
}

TransformerActs& TransformerNet::acts(int batch, int T, int numBlocks) {
  // Buffers only grow: a smaller batch (an evaluation's last one) or shorter T reuses them, so
  // alternating training and evaluation batches does not reallocate (and re-fault) every time.
  const size_t N = static_cast<size_t>(batch) * T, d = spec_.dModel, f = spec_.dFF, H = spec_.numHeads;
  const size_t probs = static_cast<size_t>(batch) * H * T * T;
  if (!acts_) acts_ = new TransformerActs();
  TransformerActs& a = *acts_;
  if (N > a.rowCapacity || probs > a.probsCapacity || static_cast<int>(a.blocks.size()) < numBlocks) {
    const size_t rows = std::max(N, a.rowCapacity), P = std::max(probs, a.probsCapacity);
    a.blocks.resize(std::max(static_cast<int>(a.blocks.size()), numBlocks));
    for (auto& b : a.blocks) {
      for (auto* v : {&b.xhat1, &b.a1, &b.y, &b.xhat2, &b.a2}) v->resize(rows * d);
      for (auto* v : {&b.rstd1, &b.rstd2}) v->resize(rows);
      b.qkv.resize(rows * 3 * d);
      b.probs.resize(P);
      for (auto* v : {&b.u, &b.tanhU, &b.gu}) v->resize(rows * f);
    }
    for (auto* v : {&a.x, &a.xhatF, &a.hF, &a.dx, &a.dtmp}) v->resize(rows * d);
    a.rstdF.resize(rows);
    a.logits.resize(rows * spec_.vocabSize);
    a.dqkv.resize(rows * 3 * d);
    a.dwide.resize(rows * f);
    a.rowCapacity = rows;
    a.probsCapacity = P;
  }
  a.batch = batch;
  a.T = T;
  a.N = static_cast<int>(N);
  return a;
}

namespace {
// Weight indices in transformerWeightShapes order.
constexpr int TOK = 0, POS = 1;
inline int blockW(int l, int k) { return 2 + 12 * l + k; }
enum { LN1G, LN1B, WQKV, BQKV, WO, BO, LN2G, LN2B, W1, B1, W2, B2 };
}  // namespace

void TransformerNet::forward(TransformerActs& a, const int32_t* windows, int length, bool keep) {
  const int B = a.batch, T = a.T, N = a.N, d = spec_.dModel, f = spec_.dFF, H = spec_.numHeads, dh = d / H, V = spec_.vocabSize;
  const float scale = 1.f / std::sqrt(static_cast<float>(dh));
  const float* tok = params_[TOK].data();
  const float* pos = params_[POS].data();
  float* x = a.x.data();
  // x [N, d] = tokEmb[ids] + posEmb[t]
#pragma omp parallel for if (N * d > 32768)
  for (int r = 0; r < N; r++) {
    const int b = r / T, t = r % T;
    const float* e = tok + static_cast<size_t>(windows[static_cast<size_t>(b) * length + t]) * d;
    addRow(e, pos + static_cast<size_t>(t) * d, x + static_cast<size_t>(r) * d, d);
  }
  for (int l = 0; l < spec_.numLayers; l++) {
    BlockActs& k = a.blocks[keep ? l : 0];  // without a backward pass one block's buffers serve every layer
    auto W = [&](int which) { return params_[blockW(l, which)].data(); };
    layerNormForward(x, W(LN1G), W(LN1B), k.xhat1.data(), k.rstd1.data(), k.a1.data(), N, d);
    linearForward(k.a1.data(), W(WQKV), W(BQKV), k.qkv.data(), N, d, 3 * d);  // [N, 3d]: q | k | v
    // Causal attention per (sequence, head): probs [B, H, T, T], y [N, d] (heads side by side).
    const float* qkv = k.qkv.data();
#pragma omp parallel for collapse(2)
    for (int b = 0; b < B; b++) {
      for (int h = 0; h < H; h++) {
        const float* q = qkv + static_cast<size_t>(b) * T * 3 * d + h * dh;  // rows of 3d: q | k | v
        attentionHeadForward(q, q + d, q + 2 * d, 3 * d, T, dh, scale, k.probs.data() + (static_cast<size_t>(b) * H + h) * T * T,
                             k.y.data() + static_cast<size_t>(b) * T * d + h * dh, d);
      }
    }
    // x += y·Wo + bo (the projection goes through dtmp)
    float* proj = a.dtmp.data();
    linearForward(k.y.data(), W(WO), W(BO), proj, N, d, d);
    addRow(x, proj, x, static_cast<size_t>(N) * d);
    // MLP: x += gelu(LN2(x)·W1 + b1)·W2 + b2
    layerNormForward(x, W(LN2G), W(LN2B), k.xhat2.data(), k.rstd2.data(), k.a2.data(), N, d);
    linearForward(k.a2.data(), W(W1), W(B1), k.u.data(), N, d, f);
#pragma omp parallel for if (N * f > 32768)
    for (int r = 0; r < N; r++) {
      const size_t o = static_cast<size_t>(r) * f;
      geluForward(k.u.data() + o, k.tanhU.data() + o, k.gu.data() + o, f);
    }
    linearForward(k.gu.data(), W(W2), W(B2), proj, N, f, d);
    addRow(x, proj, x, static_cast<size_t>(N) * d);
  }
  const int lnf = 2 + 12 * spec_.numLayers;
  layerNormForward(x, params_[lnf].data(), params_[lnf + 1].data(), a.xhatF.data(), a.rstdF.data(), a.hF.data(), N, d);
  if (spec_.tieWeights) gemm(false, true, N, V, d, a.hF.data(), d, tok, d, 0.f, a.logits.data(), V);
  else gemm(false, false, N, V, d, a.hF.data(), d, params_[lnf + 2].data(), V, 0.f, a.logits.data(), V);
}

void TransformerNet::backwardPass(TransformerActs& a, const int32_t* windows, int length) {
  const int B = a.batch, T = a.T, N = a.N, d = spec_.dModel, f = spec_.dFF, H = spec_.numHeads, dh = d / H, V = spec_.vocabSize;
  const float scale = 1.f / std::sqrt(static_cast<float>(dh));
  const int lnf = 2 + 12 * spec_.numLayers;
  const float* dlogits = a.logits.data();  // already the gradient (softmax − one-hot) / N
  float* dhF = a.dtmp.data();
  if (spec_.tieWeights) {
    gemm(true, false, V, d, N, dlogits, V, a.hF.data(), d, 0.f, grads_[TOK].data(), d);  // dTok = dlogitsᵀ·hF
    gemm(false, false, N, d, V, dlogits, V, params_[TOK].data(), d, 0.f, dhF, d);         // dhF = dlogits·tokEmb
  } else {
    gemm(true, false, d, V, N, a.hF.data(), d, dlogits, V, 0.f, grads_[lnf + 2].data(), V);  // dW = hFᵀ·dlogits
    gemm(false, true, N, d, V, dlogits, V, params_[lnf + 2].data(), V, 0.f, dhF, d);          // dhF = dlogits·Wᵀ
    std::fill(grads_[TOK].begin(), grads_[TOK].end(), 0.f);
  }
  float* dx = a.dx.data();
  std::fill(dx, dx + static_cast<size_t>(N) * d, 0.f);
  layerNormBackward(dhF, a.xhatF.data(), a.rstdF.data(), params_[lnf].data(), grads_[lnf].data(), grads_[lnf + 1].data(), dx, N, d);

  for (int l = spec_.numLayers - 1; l >= 0; l--) {
    BlockActs& k = a.blocks[l];
    auto W = [&](int which) { return params_[blockW(l, which)].data(); };
    auto G = [&](int which) { return grads_[blockW(l, which)].data(); };
    // MLP: dx flows through unchanged (residual) and into the MLP.
    float* dgu = a.dwide.data();
    gemm(true, false, f, d, N, k.gu.data(), f, dx, d, 0.f, G(W2), d);
    std::fill(G(B2), G(B2) + d, 0.f);
    for (int r = 0; r < N; r++) accumulateRow(dx + static_cast<size_t>(r) * d, nullptr, nullptr, G(B2), d);
    gemm(false, true, N, f, d, dx, d, W(W2), d, 0.f, dgu, f);  // dgu = dx·W2ᵀ
#pragma omp parallel for if (N * f > 32768)
    for (int r = 0; r < N; r++) {
      const size_t o = static_cast<size_t>(r) * f;
      geluBackward(dgu + o, k.u.data() + o, k.tanhU.data() + o, f);  // now du
    }
    float* da = a.dtmp.data();
    linearBackward(k.a2.data(), W(W1), dgu, G(W1), G(B1), da, false, N, d, f);
    layerNormBackward(da, k.xhat2.data(), k.rstd2.data(), W(LN2G), G(LN2G), G(LN2B), dx, N, d);

    // Attention: output projection, then per (sequence, head) into dqkv [N, 3d].
    float* dy = a.dtmp.data();
    linearBackward(k.y.data(), W(WO), dx, G(WO), G(BO), dy, false, N, d, d);
    const float* qkv = k.qkv.data();
    float* dqkv = a.dqkv.data();
#pragma omp parallel for collapse(2)
    for (int b = 0; b < B; b++) {
      for (int h = 0; h < H; h++) {
        const size_t o = static_cast<size_t>(b) * T * 3 * d + h * dh;
        attentionHeadBackward(qkv + o, qkv + o + d, qkv + o + 2 * d, 3 * d, T, dh, scale, k.probs.data() + (static_cast<size_t>(b) * H + h) * T * T,
                              dy + static_cast<size_t>(b) * T * d + h * dh, d, dqkv + o, dqkv + o + d, dqkv + o + 2 * d);
      }
    }
    linearBackward(k.a1.data(), W(WQKV), dqkv, G(WQKV), G(BQKV), da, false, N, d, 3 * d);
    layerNormBackward(da, k.xhat1.data(), k.rstd1.data(), W(LN1G), G(LN1G), G(LN1B), dx, N, d);
  }
  // Embeddings: scatter-add into the looked-up token rows and the position rows.
  float* dtok = grads_[TOK].data();
  float* dpos = grads_[POS].data();
  std::fill(grads_[POS].begin(), grads_[POS].end(), 0.f);
  for (int r = 0; r < N; r++) {
    const int b = r / T, t = r % T;
    float* e = dtok + static_cast<size_t>(windows[static_cast<size_t>(b) * length + t]) * d;
    float* p = dpos + static_cast<size_t>(t) * d;
    const float* g = dx + static_cast<size_t>(r) * d;
    addRow(e, g, e, d);
    addRow(p, g, p, d);
  }
}

double TransformerNet::run(const int32_t* windows, int batch, int length, bool backward, bool update, float lr) {
  const int T = length - 1;
  if (batch < 1) throw std::invalid_argument("transformer: batch must be a positive integer; got " + std::to_string(batch));
  if (T < 1 || T > spec_.contextLength) {
    throw std::invalid_argument("transformer: windows of " + std::to_string(length) + " tokens give sequences of " + std::to_string(T) +
                                "; expected 1.." + std::to_string(spec_.contextLength) + " (contextLength " +
                                std::to_string(spec_.contextLength) + ")");
  }
  const size_t total = static_cast<size_t>(batch) * length;
  for (size_t i = 0; i < total; i++) {
    if (windows[i] < 0 || windows[i] >= spec_.vocabSize) {
      throw std::invalid_argument("transformer: token id " + std::to_string(windows[i]) + " at window " + std::to_string(i / length) +
                                  ", position " + std::to_string(i % length) + " is outside [0, " + std::to_string(spec_.vocabSize) +
                                  ") (vocabSize)");
    }
  }
  if (params_.empty()) throw std::logic_error("transformer: this network was disposed");
  TransformerActs& a = acts(batch, T, backward ? spec_.numLayers : 1);
  forward(a, windows, length, backward);
  // Mean cross-entropy over the N positions; with backward, logits become (softmax − one-hot)/N.
  const int N = a.N, V = spec_.vocabSize;
  double loss = 0.;
#pragma omp parallel for reduction(+ : loss)
  for (int r = 0; r < N; r++) {
    const int label = windows[static_cast<size_t>(r / T) * length + r % T + 1];
    loss += crossEntropyRow(a.logits.data() + static_cast<size_t>(r) * V, V, label, backward, 1.f / N);
  }
  loss /= N;
  if (!backward) return loss;
  backwardPass(a, windows, length);
  if (update) {
    std::vector<float*> ps;
    std::vector<const float*> gs;
    std::vector<size_t> ns;
    for (size_t i = 0; i < params_.size(); i++) {
      ps.push_back(params_[i].data());
      gs.push_back(grads_[i].data());
      ns.push_back(params_[i].size());
    }
    optimizer_.update(ps, gs, ns, lr);
  }
  return loss;
}

}  // namespace runbook
