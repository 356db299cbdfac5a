#include "direct_conv.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace runbook {

typedef float v16 __attribute__((vector_size(64), aligned(4)));
static inline v16 load16(const float* p) { v16 v; std::memcpy(&v, p, sizeof(v)); return v; }
static inline void store16(float* p, v16 v) { std::memcpy(p, &v, sizeof(v)); }
static inline float hsum(v16 v) { float s = 0; for (int i = 0; i < 16; i++) s += v[i]; return s; }

// out[co][oh][ow] (row stride outStride) = Σ_ci,kh,kw w[kh][kw][ci][co] · in[ci][oh+kh][ow+kw]
// for ow in 16-wide chunks; `in` is [cin][inH][inW] with inW ≥ chunks*16 + kw − 1. NCO output
// channels at a time, their accumulators in registers.
template <int NCO>
static void planarConvBlock(const float* in, int cin, int inH, int inW, const float* w, int kh, int kw, int cout,
                            int co0, int outH, int chunks, float* out, int outStride) {
  for (int oh = 0; oh < outH; oh++)
    for (int c = 0; c < chunks; c++) {
      v16 acc[NCO];
      for (int j = 0; j < NCO; j++) acc[j] = v16{};
      for (int ci = 0; ci < cin; ci++)
        for (int i = 0; i < kh; i++) {
          const float* row = in + (static_cast<size_t>(ci) * inH + oh + i) * inW + c * 16;
          const float* wt = w + (static_cast<size_t>(i) * kw * cin + ci) * cout + co0;
          for (int k = 0; k < kw; k++) {
            v16 xv = load16(row + k);
            const float* wk = wt + static_cast<size_t>(k) * cin * cout;
            for (int j = 0; j < NCO; j++) acc[j] += wk[j] * xv;
          }
        }
      for (int j = 0; j < NCO; j++) store16(out + (static_cast<size_t>(co0 + j) * outH + oh) * outStride + c * 16, acc[j]);
    }
}

static void planarConv(const float* in, int cin, int inH, int inW, const float* w, int kh, int kw, int cout,
                       int outH, int chunks, float* out, int outStride) {
  int co0 = 0;
  for (; co0 + 8 <= cout; co0 += 8) planarConvBlock<8>(in, cin, inH, inW, w, kh, kw, cout, co0, outH, chunks, out, outStride);
  switch (cout - co0) {
    case 7: planarConvBlock<7>(in, cin, inH, inW, w, kh, kw, cout, co0, outH, chunks, out, outStride); break;
    case 6: planarConvBlock<6>(in, cin, inH, inW, w, kh, kw, cout, co0, outH, chunks, out, outStride); break;
    case 5: planarConvBlock<5>(in, cin, inH, inW, w, kh, kw, cout, co0, outH, chunks, out, outStride); break;
    case 4: planarConvBlock<4>(in, cin, inH, inW, w, kh, kw, cout, co0, outH, chunks, out, outStride); break;
    case 3: planarConvBlock<3>(in, cin, inH, inW, w, kh, kw, cout, co0, outH, chunks, out, outStride); break;
    case 2: planarConvBlock<2>(in, cin, inH, inW, w, kh, kw, cout, co0, outH, chunks, out, outStride); break;
    case 1: planarConvBlock<1>(in, cin, inH, inW, w, kh, kw, cout, co0, outH, chunks, out, outStride); break;
    default: break;
  }
}

DirectConv::DirectConv(const DirectConvShape& s) : s_(s) {
  chunks_ = (s.outW + 15) / 16;
  padW_ = chunks_ * 16 + s.kw - 1;
  padH_ = s.outH + s.kh - 1;
  xp_.assign(static_cast<size_t>(s.batch) * s.cin * padH_ * padW_, 0.f);
  gp_.assign(static_cast<size_t>(s.batch) * s.cout * s.outH * chunks_ * 16, 0.f);
  yp_.assign(static_cast<size_t>(s.cout) * s.outH * chunks_ * 16, 0.f);
  bChunks_ = (s.inW + 15) / 16;
  bPadW_ = bChunks_ * 16 + s.kw - 1;
  bPadH_ = s.inH + s.kh - 1;
  gpad_.assign(static_cast<size_t>(s.cout) * bPadH_ * bPadW_, 0.f);
  wflip_.assign(static_cast<size_t>(s.kh) * s.kw * s.cin * s.cout, 0.f);
  dxp_.assign(static_cast<size_t>(s.cin) * s.inH * bChunks_ * 16, 0.f);
}

void DirectConv::forward(const float* x, const float* w, const float* bias, bool relu, float* y) {
  const auto& s = s_;
  const size_t inPlane = static_cast<size_t>(padH_) * padW_;
  const int yStride = chunks_ * 16;
  for (int b = 0; b < s.batch; b++) {
    // NHWC sample → padded planar [cin][padH][padW] (zeros outside the image).
    float* xp = xp_.data() + static_cast<size_t>(b) * s.cin * inPlane;
    const float* xb = x + static_cast<size_t>(b) * s.inH * s.inW * s.cin;
    for (int h = 0; h < s.inH; h++) {
      int ph = h + s.padTop;
      if (ph < 0 || ph >= padH_) continue;
      for (int wq = 0; wq < s.inW; wq++) {
        int pw = wq + s.padLeft;
        if (pw < 0 || pw >= padW_) continue;
        const float* px = xb + (static_cast<size_t>(h) * s.inW + wq) * s.cin;
        for (int ci = 0; ci < s.cin; ci++) xp[ci * inPlane + static_cast<size_t>(ph) * padW_ + pw] = px[ci];
      }
    }
    planarConv(xp, s.cin, padH_, padW_, w, s.kh, s.kw, s.cout, s.outH, chunks_, yp_.data(), yStride);
    // planar → NHWC with bias and ReLU.
    float* yb = y + static_cast<size_t>(b) * s.outH * s.outW * s.cout;
    for (int oh = 0; oh < s.outH; oh++)
      for (int ow = 0; ow < s.outW; ow++) {
        float* py = yb + (static_cast<size_t>(oh) * s.outW + ow) * s.cout;
        for (int co = 0; co < s.cout; co++) {
          float v = yp_[(static_cast<size_t>(co) * s.outH + oh) * yStride + ow] + bias[co];
          py[co] = relu && v < 0.f ? 0.f : v;
        }
      }
  }
  xpValid_ = true;
}

// dw[tap][co0..co0+NCO) = Σ_b,oh,ow xp[b][ci][oh+i][ow+k] · gp[b][co][oh][ow], accumulators in registers.
template <int NCO>
static void weightGradBlock(const float* xp, const float* gp, int batch, int cin, int padH, int padW, int kh, int kw,
                            int cout, int co0, int outH, int chunks, float* dw) {
  const size_t xSample = static_cast<size_t>(cin) * padH * padW;
  const size_t gPlane = static_cast<size_t>(outH) * chunks * 16;
  const size_t gSample = static_cast<size_t>(cout) * gPlane;
  // Sample by sample so one sample's input and dy stay in L1; per-sample sums added into dw.
  for (int b = 0; b < batch; b++) {
    const float* xs = xp + b * xSample;
    const float* gb = gp + b * gSample + static_cast<size_t>(co0) * gPlane;
    for (int ci = 0; ci < cin; ci++)
      for (int i = 0; i < kh; i++)
        for (int k = 0; k < kw; k++) {
          v16 acc[NCO];
          for (int j = 0; j < NCO; j++) acc[j] = v16{};
          const float* xb = xs + static_cast<size_t>(ci) * padH * padW;
          for (int oh = 0; oh < outH; oh++) {
            const float* row = xb + static_cast<size_t>(oh + i) * padW + k;
            const float* grow = gb + static_cast<size_t>(oh) * chunks * 16;
            for (int c = 0; c < chunks; c++) {
              v16 xv = load16(row + c * 16);
              for (int j = 0; j < NCO; j++) acc[j] += xv * load16(grow + j * gPlane + c * 16);
            }
          }
          float* out = dw + ((static_cast<size_t>(i) * kw + k) * cin + ci) * cout + co0;
          for (int j = 0; j < NCO; j++) out[j] += hsum(acc[j]);
        }
  }
}

void DirectConv::backwardWeights(const float* x, const float* dy, float* dw, float* db) {
  const auto& s = s_;
  if (!xpValid_) throw std::logic_error("backwardWeights before forward");
  (void)x;  // the padded planar copy made by forward() is used
  const int gStride = chunks_ * 16;
  const size_t gSample = static_cast<size_t>(s.cout) * s.outH * gStride;
  for (int co = 0; co < s.cout; co++) db[co] = 0.f;
  std::fill(dw, dw + static_cast<size_t>(s.kh) * s.kw * s.cin * s.cout, 0.f);
  // dy (NHWC) → planar [b][co][oh][chunks*16], zero beyond outW; and the bias gradient.
  for (int b = 0; b < s.batch; b++) {
    const float* dyb = dy + static_cast<size_t>(b) * s.outH * s.outW * s.cout;
    float* gb = gp_.data() + b * gSample;
    for (int oh = 0; oh < s.outH; oh++)
      for (int ow = 0; ow < s.outW; ow++)
        for (int co = 0; co < s.cout; co++) {
          float g = dyb[(static_cast<size_t>(oh) * s.outW + ow) * s.cout + co];
          gb[(static_cast<size_t>(co) * s.outH + oh) * gStride + ow] = g;
          db[co] += g;
        }
  }
  const float* xp = xp_.data();
  int co0 = 0;
  for (; co0 + 8 <= s.cout; co0 += 8) weightGradBlock<8>(xp, gp_.data(), s.batch, s.cin, padH_, padW_, s.kh, s.kw, s.cout, co0, s.outH, chunks_, dw);
  switch (s.cout - co0) {
#define WG(n) case n: weightGradBlock<n>(xp, gp_.data(), s.batch, s.cin, padH_, padW_, s.kh, s.kw, s.cout, co0, s.outH, chunks_, dw); break;
    WG(7) WG(6) WG(5) WG(4) WG(3) WG(2) WG(1)
#undef WG
    default: break;
  }
}

void DirectConv::backwardData(const float* dy, const float* w, float* dx) {
  const auto& s = s_;
  // dx = dy (padded by kh−1−padTop / kw−1−padLeft) ⊛ filter flipped in space, in/out swapped.
  for (int i = 0; i < s.kh; i++)
    for (int k = 0; k < s.kw; k++)
      for (int ci = 0; ci < s.cin; ci++)
        for (int co = 0; co < s.cout; co++)
          wflip_[((static_cast<size_t>(s.kh - 1 - i) * s.kw + (s.kw - 1 - k)) * s.cout + co) * s.cin + ci] =
              w[((static_cast<size_t>(i) * s.kw + k) * s.cin + ci) * s.cout + co];
  const int offH = s.kh - 1 - s.padTop, offW = s.kw - 1 - s.padLeft;
  const size_t plane = static_cast<size_t>(bPadH_) * bPadW_;
  const int dStride = bChunks_ * 16;
  for (int b = 0; b < s.batch; b++) {
    const float* dyb = dy + static_cast<size_t>(b) * s.outH * s.outW * s.cout;
    for (int oh = 0; oh < s.outH; oh++) {
      int ph = oh + offH;
      if (ph < 0 || ph >= bPadH_) continue;
      for (int ow = 0; ow < s.outW; ow++) {
        int pw = ow + offW;
        if (pw < 0 || pw >= bPadW_) continue;
        const float* g = dyb + (static_cast<size_t>(oh) * s.outW + ow) * s.cout;
        for (int co = 0; co < s.cout; co++) gpad_[co * plane + static_cast<size_t>(ph) * bPadW_ + pw] = g[co];
      }
    }
    planarConv(gpad_.data(), s.cout, bPadH_, bPadW_, wflip_.data(), s.kh, s.kw, s.cin, s.inH, bChunks_, dxp_.data(), dStride);
    float* dxb = dx + static_cast<size_t>(b) * s.inH * s.inW * s.cin;
    for (int h = 0; h < s.inH; h++)
      for (int wq = 0; wq < s.inW; wq++)
        for (int ci = 0; ci < s.cin; ci++)
          dxb[(static_cast<size_t>(h) * s.inW + wq) * s.cin + ci] = dxp_[(static_cast<size_t>(ci) * s.inH + h) * dStride + wq];
  }
}

}  // namespace runbook
