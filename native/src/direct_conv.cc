#include "direct_conv.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <stdexcept>

namespace runbook {

// The SIMD kernels, once per instruction set: its vector width and how many output channels'
// accumulators fit its registers (16 xmm: 3×4 + 4; 16 ymm: 6×2 + 2; 32 zmm: 8 + 1). The addon is
// compiled for the x86-64 baseline (so it loads on any x86-64 CPU, see binding.gyp); the AVX2 and
// AVX-512 copies are compiled for those targets here and only called where the CPU has them.
namespace isa_baseline {
#define DCONV_ISA_NAME "baseline"
#define DCONV_VEC_FLOATS 4
#define DCONV_MAX_NCO 3
#include "direct_conv_kernels.inc"
#undef DCONV_ISA_NAME
#undef DCONV_VEC_FLOATS
#undef DCONV_MAX_NCO
}  // namespace isa_baseline

#if defined(__x86_64__) && defined(__GNUC__)
#define DCONV_X86_DISPATCH 1
#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace isa_avx2 {
#define DCONV_ISA_NAME "avx2"
#define DCONV_VEC_FLOATS 8
#define DCONV_MAX_NCO 6
#include "direct_conv_kernels.inc"
#undef DCONV_ISA_NAME
#undef DCONV_VEC_FLOATS
#undef DCONV_MAX_NCO
}  // namespace isa_avx2
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
namespace isa_avx512 {
#define DCONV_ISA_NAME "avx512"
#define DCONV_VEC_FLOATS 16
#define DCONV_MAX_NCO 8
#include "direct_conv_kernels.inc"
#undef DCONV_ISA_NAME
#undef DCONV_VEC_FLOATS
#undef DCONV_MAX_NCO
}  // namespace isa_avx512
#pragma GCC pop_options
#endif

std::vector<std::string> supportedSimd() {
  std::vector<std::string> names = {"baseline"};
#ifdef DCONV_X86_DISPATCH
  __builtin_cpu_init();
  bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (avx2) names.push_back("avx2");
  if (avx2 && __builtin_cpu_supports("avx512f")) names.push_back("avx512");
#endif
  return names;
}

static const DirectConvKernels* kernelsNamed(const std::string& name) {
  if (name == "baseline") return &isa_baseline::kernels;
#ifdef DCONV_X86_DISPATCH
  if (name == "avx2") return &isa_avx2::kernels;
  if (name == "avx512") return &isa_avx512::kernels;
#endif
  return nullptr;
}

static const DirectConvKernels* activeKernels = nullptr;  // null until first use: the best the CPU has

std::string setSimd(const std::string& name) {
  std::vector<std::string> have = supportedSimd();
  std::string want = name == "auto" ? have.back() : name;
  if (std::find(have.begin(), have.end(), want) == have.end()) {
    std::string list;
    for (const auto& n : have) list += (list.empty() ? "" : ", ") + n;
    throw std::invalid_argument("SIMD kernels '" + name + "' not available on this CPU (available: auto, " + list + ")");
  }
  activeKernels = kernelsNamed(want);
  return activeKernels->isa;
}

std::string simd() {
  if (!activeKernels) setSimd("auto");
  return activeKernels->isa;
}

DirectConv::DirectConv(const DirectConvShape& s) : s_(s) {
  simd();  // chooses the kernels if nothing did yet
  kernels_ = activeKernels;
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
    kernels_->conv(xp, s.cin, padH_, padW_, w, s.kh, s.kw, s.cout, s.outH, chunks_, yp_.data(), yStride);
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
  kernels_->weightGrad(xp_.data(), gp_.data(), s.batch, s.cin, padH_, padW_, s.kh, s.kw, s.cout, s.outH, chunks_, dw);
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
    kernels_->conv(gpad_.data(), s.cout, bPadH_, bPadW_, wflip_.data(), s.kh, s.kw, s.cin, s.inH, bChunks_, dxp_.data(), dStride);
    float* dxb = dx + static_cast<size_t>(b) * s.inH * s.inW * s.cin;
    for (int h = 0; h < s.inH; h++)
      for (int wq = 0; wq < s.inW; wq++)
        for (int ci = 0; ci < s.cin; ci++)
          dxb[(static_cast<size_t>(h) * s.inW + wq) * s.cin + ci] = dxp_[(static_cast<size_t>(ci) * s.inH + h) * dStride + wq];
  }
}

}  // namespace runbook
