// Direct stride-1 convolutions for the few-channel layers of small conv nets (LeNet: 3→6 and 6→16
// channels), where oneDNN's blocked kernels run at a fraction of peak. Planar (CHW) buffers,
// vectorised along the output width with GCC vector extensions; the kernels exist for AVX-512,
// AVX2+FMA and the x86-64 baseline, and the best one the CPU has is used (or the one setSimd names).
#pragma once
#include <string>
#include <vector>

namespace runbook {

/** One instruction set's copy of the SIMD kernels (direct_conv_kernels.inc). */
struct DirectConvKernels {
  const char* isa;
  void (*conv)(const float* in, int cin, int inH, int inW, const float* w, int kh, int kw, int cout, int outH,
               int chunks, float* out, int outStride);
  void (*weightGrad)(const float* xp, const float* gp, int batch, int cin, int padH, int padW, int kh, int kw,
                     int cout, int outH, int chunks, float* dw);
};

/** The kernel sets this CPU can run, slowest first: "baseline", then "avx2", "avx512" where supported. */
std::vector<std::string> supportedSimd();
/** Chooses the kernels for direct convs created from now on: "auto" (the best) or a name from supportedSimd(). */
std::string setSimd(const std::string& name);
/** The kernel set in use. */
std::string simd();

struct DirectConvShape {
  int batch, inH, inW, cin, cout, kh, kw, padTop, padLeft, outH, outW;
};

class DirectConv {
 public:
  explicit DirectConv(const DirectConvShape& s);
  /** y [B, outH, outW, cout] (NHWC) = x [B, inH, inW, cin] (NHWC) ⊛ w [kh, kw, cin, cout] + bias, ReLU optional. */
  void forward(const float* x, const float* w, const float* bias, bool relu, float* y);
  /** dw [kh, kw, cin, cout] and db [cout] from x (NHWC, as in forward) and dy [B, outH, outW, cout]. */
  void backwardWeights(const float* x, const float* dy, float* dw, float* db);
  /** dx [B, inH, inW, cin] from dy [B, outH, outW, cout] and w. */
  void backwardData(const float* dy, const float* w, float* dx);

 private:
  DirectConvShape s_;
  const DirectConvKernels* kernels_;       // the SIMD kernels chosen when this conv was planned
  int chunks_, padW_, padH_;               // forward: 16-wide chunks per output row, padded input size
  std::vector<float> xp_;                  // [cin, padH, padW] padded planar input (kept for backwardWeights)
  std::vector<float> gp_;                  // [batch, cout, outH, chunks*16] planar dy, zero beyond outW
  int bChunks_, bPadW_, bPadH_;            // backwardData: conv of padded dy with flipped filter
  std::vector<float> gpad_, wflip_, dxp_;  // [cout, bPadH, bPadW], [kh, kw, cout, cin], [cin, inH, bChunks*16]
  std::vector<float> yp_;                  // [cout, outH, chunks*16] planar forward output
  bool xpValid_ = false;
};

}  // namespace runbook
