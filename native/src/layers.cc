// See layers.h. Conv layers run on oneDNN primitives (forward with fused bias+ReLU, backward data,
// backward weights) or on the direct kernel; dense layers on oneDNN's sgemm; max pooling on plain
// loops (or oneDNN's, on request). Tensors are NHWC, parameters in tfjs layouts (seqnet.h).
#include "layers.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "direct_conv.h"

namespace runbook {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

static memory::dims nhwcDims(int b, Shape3 s) { return {b, s.c, s.h, s.w}; }

// --- Conv2D ---------------------------------------------------------------------------------------

enum class ConvMode { OneDnn, Direct, DirectForward };

// Which kernels a conv uses. Default: the direct forward for stride-1 convs on ≤ 4 input channels
// (oneDNN's blocked kernels waste most of each vector there; measured ≈2× faster on LeNet's conv1),
// oneDNN for everything else. RUNBOOK_NATIVE_CONV=onednn|direct forces one kernel family (tests).
static ConvMode convMode(const LayerSpec& l, int cin) {
  const char* env = getenv("RUNBOOK_NATIVE_CONV");
  std::string want = env ? env : "auto";
  bool directOk = l.sh == 1 && l.sw == 1 && l.padTop < l.kh && l.padLeft < l.kw && l.padBottom < l.kh && l.padRight < l.kw;
  if (want == "onednn" || !directOk) return ConvMode::OneDnn;
  if (want == "direct") return ConvMode::Direct;
  return cin <= 4 ? ConvMode::DirectForward : ConvMode::OneDnn;
}

class ConvPass : public LayerPass {
 public:
  ConvPass(const LayerIO& io, const dnnl::engine& eng, dnnl::stream& strm) : io_(io), strm_(strm) {
    const LayerSpec& l = io.spec;
    ConvMode mode = convMode(l, io.in.c);
    if (mode != ConvMode::OneDnn) {
      direct_ = std::make_unique<DirectConv>(DirectConvShape{io.batch, io.in.h, io.in.w, io.in.c, l.cout, l.kh, l.kw,
                                                             l.padTop, l.padLeft, io.out.h, io.out.w});
      std::string directImpl = "direct (vectorised stride-1, " + simd() + ")";
      if (mode == ConvMode::Direct) {
        impl_ = directImpl;
        return;
      }
      directForwardOnly_ = true;
      impl_ = "fwd " + directImpl;
    }
    memory::dims strides = {l.sh, l.sw}, padL = {l.padTop, l.padLeft}, padR = {l.padBottom, l.padRight};
    memory::desc srcMd(nhwcDims(io.batch, io.in), dt::f32, tag::nhwc);
    memory::desc dstMd(nhwcDims(io.batch, io.out), dt::f32, tag::nhwc);
    memory::desc wAny({l.cout, io.in.c, l.kh, l.kw}, dt::f32, tag::any);
    memory::desc wUser({l.cout, io.in.c, l.kh, l.kw}, dt::f32, tag::hwio);
    memory::desc bMd({l.cout}, dt::f32, tag::x);
    dnnl::primitive_attr attr;
    if (l.relu) {
      dnnl::post_ops po;
      po.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      attr.set_post_ops(po);
    }
    // Forward (its primitive descriptor is also the hint for both backward primitives).
    dnnl::convolution_forward::desc fd(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                       srcMd, wAny, bMd, dstMd, strides, padL, padR);
    dnnl::convolution_forward::primitive_desc fpd(fd, attr, eng);
    fwd_ = dnnl::convolution_forward(fpd);
    if (!direct_) impl_ = std::string("fwd ") + fpd.impl_info_str();
    userW_ = memory(wUser, eng, io.w);
    userDW_ = memory(wUser, eng, io.dw);
    bias_ = memory(bMd, eng, io.b);
    dbias_ = memory(bMd, eng, io.db);
    src_ = memory(srcMd, eng, io.x);
    dst_ = memory(dstMd, eng, io.y);
    diffDst_ = memory(dstMd, eng, io.dy);
    fwdW_ = reorderedIfNeeded(fpd.weights_desc(), wUser, eng, userW_);
    if (fwdW_ != userW_) toFwdW_ = dnnl::reorder(userW_, fwdW_);
    // Backward weights (and bias).
    dnnl::convolution_backward_weights::desc bwd(dnnl::algorithm::convolution_direct, srcMd, wAny, bMd, dstMd,
                                                 strides, padL, padR);
    dnnl::convolution_backward_weights::primitive_desc bwpd(bwd, eng, fpd);
    bwdWeights_ = dnnl::convolution_backward_weights(bwpd);
    impl_ += std::string("; bwd-weights ") + bwpd.impl_info_str();
    bwdDW_ = reorderedIfNeeded(bwpd.diff_weights_desc(), wUser, eng, userDW_);
    if (bwdDW_ != userDW_) fromBwdDW_ = dnnl::reorder(bwdDW_, userDW_);
    // Backward data, when a layer before needs dx.
    if (!io.needInputGrad) return;
    dnnl::convolution_backward_data::desc bdd(dnnl::algorithm::convolution_direct, srcMd, wAny, dstMd, strides,
                                              padL, padR);
    dnnl::convolution_backward_data::primitive_desc bdpd(bdd, eng, fpd);
    bwdData_ = dnnl::convolution_backward_data(bdpd);
    hasBwdData_ = true;
    impl_ += std::string("; bwd-data ") + bdpd.impl_info_str();
    diffSrc_ = memory(srcMd, eng, io.dx);
    bwdDataW_ = reorderedIfNeeded(bdpd.weights_desc(), wUser, eng, userW_);
    if (bwdDataW_ != userW_) toBwdDataW_ = dnnl::reorder(userW_, bwdDataW_);
  }

  void forward(const float* x) override {
    if (direct_) {
      direct_->forward(x, io_.w, io_.b, io_.spec.relu, io_.y);
      return;
    }
    if (io_.firstLayer) src_.set_data_handle(const_cast<float*>(x));
    if (toFwdW_) toFwdW_.execute(strm_, userW_, fwdW_);
    fwd_.execute(strm_, {{DNNL_ARG_SRC, src_}, {DNNL_ARG_WEIGHTS, fwdW_}, {DNNL_ARG_BIAS, bias_}, {DNNL_ARG_DST, dst_}});
  }

  void backward(const float* x) override {
    if (direct_ && !directForwardOnly_) {
      direct_->backwardWeights(x, io_.dy, io_.dw, io_.db);
      if (io_.needInputGrad) direct_->backwardData(io_.dy, io_.w, io_.dx);
      return;
    }
    if (io_.firstLayer) src_.set_data_handle(const_cast<float*>(x));
    bwdWeights_.execute(strm_, {{DNNL_ARG_SRC, src_}, {DNNL_ARG_DIFF_DST, diffDst_}, {DNNL_ARG_DIFF_WEIGHTS, bwdDW_},
                                {DNNL_ARG_DIFF_BIAS, dbias_}});
    if (fromBwdDW_) fromBwdDW_.execute(strm_, bwdDW_, userDW_);
    if (hasBwdData_) {
      if (toBwdDataW_) toBwdDataW_.execute(strm_, userW_, bwdDataW_);
      bwdData_.execute(strm_, {{DNNL_ARG_DIFF_DST, diffDst_}, {DNNL_ARG_WEIGHTS, bwdDataW_}, {DNNL_ARG_DIFF_SRC, diffSrc_}});
    }
  }

  std::string implInfo() const override { return impl_; }

 private:
  // The user's tfjs-layout weights when the primitive takes that layout, else a buffer in its layout.
  static memory reorderedIfNeeded(const memory::desc& wanted, const memory::desc& user, const dnnl::engine& eng,
                                  const memory& userMem) {
    return wanted == user ? userMem : memory(wanted, eng);
  }

  LayerIO io_;
  dnnl::stream& strm_;
  std::unique_ptr<DirectConv> direct_;  // stride-1 convs: the direct kernel (see direct_conv.h)
  bool directForwardOnly_ = false;      // direct forward, oneDNN backward (the default for few-channel inputs)
  dnnl::convolution_forward fwd_;
  dnnl::convolution_backward_data bwdData_;
  dnnl::convolution_backward_weights bwdWeights_;
  bool hasBwdData_ = false;
  memory userW_, userDW_, fwdW_, bwdDataW_, bwdDW_, bias_, dbias_, src_, dst_, diffDst_, diffSrc_;
  dnnl::reorder toFwdW_, toBwdDataW_, fromBwdDW_;  // empty (false) when the layouts already match
  std::string impl_;
};

// --- MaxPooling2D (valid padding) -----------------------------------------------------------------

// Plain loops: measured faster than oneDNN's NHWC pooling backward at these sizes.
class PoolPass : public LayerPass {
 public:
  explicit PoolPass(const LayerIO& io) : io_(io), remaining_(io.out.c) {}

  void forward(const float* x) override {
    const LayerSpec& l = io_.spec;
    const Shape3 si = io_.in, so = io_.out;
    // Branch-free max (a data-dependent branch per element mispredicts half the time on ReLU outputs).
    const int C = so.c;
    for (int b = 0; b < io_.batch; b++) {
      const float* ib = x + static_cast<size_t>(b) * si.size();
      float* obb = io_.y + static_cast<size_t>(b) * so.size();
      for (int oh = 0; oh < so.h; oh++)
        for (int ow = 0; ow < so.w; ow++) {
          float* ob = obb + (static_cast<size_t>(oh) * so.w + ow) * C;
          const float* first = ib + ((oh * l.sh) * si.w + ow * l.sw) * C;
          for (int ch = 0; ch < C; ch++) ob[ch] = first[ch];
          for (int kh = 0; kh < l.kh; kh++)
            for (int kw = 0; kw < l.kw; kw++) {
              const float* px = ib + ((oh * l.sh + kh) * si.w + (ow * l.sw + kw)) * C;
              for (int ch = 0; ch < C; ch++) ob[ch] = std::max(ob[ch], px[ch]);
            }
        }
    }
  }

  // The gradient goes to the first maximum of each window in (kh, kw) order, like tfjs's
  // maxPoolPositions; found again from the kept input instead of stored indices.
  void backward(const float* x) override {
    if (!io_.needInputGrad) return;
    const LayerSpec& l = io_.spec;
    const Shape3 si = io_.in, so = io_.out;
    float* gx = io_.dx;
    std::memset(gx, 0, sizeof(float) * static_cast<size_t>(io_.batch) * si.size());
    const int C = so.c;
    float* __restrict rem = remaining_.data();
    for (int b = 0; b < io_.batch; b++) {
      const float* __restrict ib = x + static_cast<size_t>(b) * si.size();
      float* __restrict gb = gx + static_cast<size_t>(b) * si.size();
      const float* __restrict yb = io_.y + static_cast<size_t>(b) * so.size();
      const float* __restrict gyb = io_.dy + static_cast<size_t>(b) * so.size();
      for (int oh = 0; oh < so.h; oh++)
        for (int ow = 0; ow < so.w; ow++) {
          size_t o = (static_cast<size_t>(oh) * so.w + ow) * C;
          for (int ch = 0; ch < C; ch++) rem[ch] = gyb[o + ch];
          for (int kh = 0; kh < l.kh; kh++)
            for (int kw = 0; kw < l.kw; kw++) {
              size_t base = (static_cast<size_t>(oh * l.sh + kh) * si.w + (ow * l.sw + kw)) * C;
              for (int ch = 0; ch < C; ch++) {
                // add = (x == max) ? rem : 0, as a bit mask (no data-dependent branch).
                uint32_t mask = 0u - static_cast<uint32_t>(ib[base + ch] == yb[o + ch]);
                uint32_t bits;
                std::memcpy(&bits, &rem[ch], 4);
                bits &= mask;
                float add;
                std::memcpy(&add, &bits, 4);
                gb[base + ch] += add;
                rem[ch] -= add;
              }
            }
        }
    }
  }

 private:
  LayerIO io_;
  std::vector<float> remaining_;  // per channel: the window's gradient not yet given to a maximum
};

// oneDNN max pooling, NHWC, with its argmax workspace for the backward pass (RUNBOOK_NATIVE_POOL=onednn).
class DnnlPoolPass : public LayerPass {
 public:
  DnnlPoolPass(const LayerIO& io, const dnnl::engine& eng, dnnl::stream& strm) : strm_(strm) {
    const LayerSpec& l = io.spec;
    memory::desc srcMd(nhwcDims(io.batch, io.in), dt::f32, tag::nhwc), dstMd(nhwcDims(io.batch, io.out), dt::f32, tag::nhwc);
    memory::dims strides = {l.sh, l.sw}, kernel = {l.kh, l.kw}, pad = {0, 0};
    dnnl::pooling_forward::desc fd(dnnl::prop_kind::forward_training, dnnl::algorithm::pooling_max, srcMd, dstMd,
                                   strides, kernel, pad, pad);
    dnnl::pooling_forward::primitive_desc fpd(fd, eng);
    fwd_ = dnnl::pooling_forward(fpd);
    src_ = memory(srcMd, eng, io.x);
    dst_ = memory(dstMd, eng, io.y);
    workspace_ = memory(fpd.workspace_desc(), eng);
    if (!io.needInputGrad) return;
    dnnl::pooling_backward::desc bd(dnnl::algorithm::pooling_max, srcMd, dstMd, strides, kernel, pad, pad);
    dnnl::pooling_backward::primitive_desc bpd(bd, eng, fpd);
    bwd_ = dnnl::pooling_backward(bpd);
    hasBwd_ = true;
    diffDst_ = memory(dstMd, eng, io.dy);
    diffSrc_ = memory(srcMd, eng, io.dx);
  }

  void forward(const float*) override {
    fwd_.execute(strm_, {{DNNL_ARG_SRC, src_}, {DNNL_ARG_DST, dst_}, {DNNL_ARG_WORKSPACE, workspace_}});
  }

  void backward(const float*) override {
    if (hasBwd_) bwd_.execute(strm_, {{DNNL_ARG_DIFF_DST, diffDst_}, {DNNL_ARG_WORKSPACE, workspace_}, {DNNL_ARG_DIFF_SRC, diffSrc_}});
  }

 private:
  dnnl::stream& strm_;
  dnnl::pooling_forward fwd_;
  dnnl::pooling_backward bwd_;
  bool hasBwd_ = false;
  memory src_, dst_, workspace_, diffDst_, diffSrc_;
};

// --- Flatten --------------------------------------------------------------------------------------

// NHWC is already flat per sample: the plan aliases this layer's buffers to the previous layer's,
// so there is nothing to do except when Flatten is the first layer (copy the batch in).
class FlattenPass : public LayerPass {
 public:
  explicit FlattenPass(const LayerIO& io) : io_(io) {}
  void forward(const float* x) override {
    if (io_.firstLayer) std::memcpy(io_.y, x, sizeof(float) * static_cast<size_t>(io_.batch) * io_.in.size());
  }
  void backward(const float*) override {}  // the gradient buffer is shared with the layer before

 private:
  LayerIO io_;
};

// --- Dense ----------------------------------------------------------------------------------------

class DensePass : public LayerPass {
 public:
  explicit DensePass(const LayerIO& io) : io_(io) {}

  // y [B, N] = x [B, K] · w [K, N] + b, ReLU optional.
  void forward(const float* x) override {
    const int B = io_.batch, K = io_.in.c, N = io_.out.c;
    dnnl_sgemm('N', 'N', B, N, K, 1.f, x, K, io_.w, N, 0.f, io_.y, N);
    for (int r = 0; r < B; r++) {
      float* row = io_.y + static_cast<size_t>(r) * N;
      for (int j = 0; j < N; j++) {
        float v = row[j] + io_.b[j];
        row[j] = io_.spec.relu && v < 0.f ? 0.f : v;
      }
    }
  }

  // dw = xᵀ·dy, db = Σ_batch dy, dx = dy·wᵀ.
  void backward(const float* x) override {
    const int B = io_.batch, K = io_.in.c, N = io_.out.c;
    const float* gy = io_.dy;
    dnnl_sgemm('T', 'N', K, N, B, 1.f, x, K, gy, N, 0.f, io_.dw, N);
    float* db = io_.db;
    std::fill(db, db + N, 0.f);
    for (int b = 0; b < B; b++)
      for (int j = 0; j < N; j++) db[j] += gy[static_cast<size_t>(b) * N + j];
    if (io_.needInputGrad) dnnl_sgemm('N', 'T', B, K, N, 1.f, gy, N, io_.w, N, 0.f, io_.dx, K);
  }

 private:
  LayerIO io_;
};

// --------------------------------------------------------------------------------------------------

// MaxPool on oneDNN (RUNBOOK_NATIVE_POOL=onednn); measured slower than the loops here (its NHWC backward).
static bool useDnnlPool() {
  const char* env = getenv("RUNBOOK_NATIVE_POOL");
  return env && std::string(env) == "onednn";
}

std::unique_ptr<LayerPass> makeLayerPass(const LayerIO& io, const dnnl::engine& eng, dnnl::stream& strm) {
  switch (io.spec.kind) {
    case LayerKind::Conv: return std::make_unique<ConvPass>(io, eng, strm);
    case LayerKind::Pool:
      if (!io.firstLayer && useDnnlPool()) return std::make_unique<DnnlPoolPass>(io, eng, strm);
      return std::make_unique<PoolPass>(io);
    case LayerKind::Flatten: return std::make_unique<FlattenPass>(io);
    case LayerKind::Dense: return std::make_unique<DensePass>(io);
  }
  throw std::invalid_argument("unknown layer kind");
}

}  // namespace runbook
