// Direct stride-1 convolutions for the few-channel layers of small conv nets (LeNet: 3→6 and 6→16
// channels), where oneDNN's blocked kernels run at a fraction of peak. Planar (CHW) buffers,
// vectorised along the output width with GCC vector extensions (AVX-512 where the build machine
// has it, narrower SIMD otherwise).
#pragma once
#include <vector>

namespace runbook {

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
  int chunks_, padW_, padH_;               // forward: 16-wide chunks per output row, padded input size
  std::vector<float> xp_;                  // [cin, padH, padW] padded planar input (kept for backwardWeights)
  std::vector<float> gp_;                  // [batch, cout, outH, chunks*16] planar dy, zero beyond outW
  int bChunks_, bPadW_, bPadH_;            // backwardData: conv of padded dy with flipped filter
  std::vector<float> gpad_, wflip_, dxp_;  // [cout, bPadH, bPadW], [kh, kw, cout, cin], [cin, inH, bChunks*16]
  std::vector<float> yp_;                  // [cout, outH, chunks*16] planar forward output
  bool xpValid_ = false;
};

}  // namespace runbook
