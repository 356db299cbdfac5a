// See seqnet.h. Conv layers run on oneDNN primitives (forward with fused bias+ReLU, backward data,
// backward weights); dense layers on oneDNN's sgemm; pooling, ReLU masks, the loss and the
// optimiser update are plain loops (they are a small share of the work).
#include "seqnet.h"
#include "direct_conv.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdlib>
#include <limits>
#include <stdexcept>

namespace runbook {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

struct ConvPrims {
  std::unique_ptr<DirectConv> direct;  // stride-1 convs: the direct kernel (see direct_conv.h)
  bool directForwardOnly = false;       // direct forward, oneDNN backward (the default for few-channel inputs)
  dnnl::convolution_forward fwd;
  dnnl::convolution_backward_data bwdData;
  dnnl::convolution_backward_weights bwdWeights;
  bool hasBwdData = false;
  memory userW, userDW, fwdW, bwdDataW, bwdDW, bias, dbias, src, dst, diffDst, diffSrc;
  dnnl::reorder toFwdW, toBwdDataW, fromBwdDW;
  bool reorderFwdW = false, reorderBwdDataW = false, reorderBwdDW = false;
  std::string impl;
};

struct PoolPrims {
  dnnl::pooling_forward fwd;
  dnnl::pooling_backward bwd;
  bool hasBwd = false;
  memory src, dst, workspace, diffDst, diffSrc;
};

struct Plan {
  int batch = 0;
  std::vector<std::unique_ptr<PoolPrims>> pool;
  std::vector<std::vector<float>> act, gact;  // owned buffers per layer output
  std::vector<float*> out, gout;              // per layer output and its gradient (aliases for Flatten)
  std::vector<float> poolRemaining;           // MaxPool backward scratch [channels]
  std::vector<std::unique_ptr<ConvPrims>> conv;
  std::vector<bool> needInputGrad;
};

SeqNet::SeqNet(Shape3 input, const std::vector<LayerSpec>& layers)
    : input_(input), layers_(layers), eng_(dnnl::engine::kind::cpu, 0), strm_(eng_) {
  if (input.h <= 0 || input.w <= 0 || input.c <= 0) throw std::invalid_argument("input shape must be positive");
  if (layers.empty()) throw std::invalid_argument("the network has no layers");
  Shape3 s = input;
  shapes_.push_back(s);
  for (const auto& l : layers_) {
    int pi = -1;
    switch (l.kind) {
      case LayerKind::Conv: {
        int oh = (s.h + l.padTop + l.padBottom - l.kh) / l.sh + 1;
        int ow = (s.w + l.padLeft + l.padRight - l.kw) / l.sw + 1;
        if (oh <= 0 || ow <= 0 || l.cout <= 0) throw std::invalid_argument("conv output would be empty");
        pi = static_cast<int>(params_.size());
        params_.emplace_back(static_cast<size_t>(l.kh) * l.kw * s.c * l.cout, 0.f);
        params_.emplace_back(static_cast<size_t>(l.cout), 0.f);
        s = {oh, ow, l.cout};
        break;
      }
      case LayerKind::Pool: {
        int oh = (s.h - l.kh) / l.sh + 1, ow = (s.w - l.kw) / l.sw + 1;
        if (oh <= 0 || ow <= 0) throw std::invalid_argument("pool output would be empty");
        s = {oh, ow, s.c};
        break;
      }
      case LayerKind::Flatten:
        s = {1, 1, s.size()};
        break;
      case LayerKind::Dense: {
        if (s.h != 1 || s.w != 1) throw std::invalid_argument("dense layer needs a flat input (add Flatten)");
        pi = static_cast<int>(params_.size());
        params_.emplace_back(static_cast<size_t>(s.c) * l.cout, 0.f);
        params_.emplace_back(static_cast<size_t>(l.cout), 0.f);
        s = {1, 1, l.cout};
        break;
      }
    }
    paramIndex_.push_back(pi);
    shapes_.push_back(s);
  }
  if (shapes_.back().h != 1 || shapes_.back().w != 1) throw std::invalid_argument("the last layer must output [batch, classes]");
  for (auto& p : params_) {
    grads_.emplace_back(p.size(), 0.f);
    velocity_.emplace_back(p.size(), 0.f);
  }
}

SeqNet::~SeqNet() = default;

// MaxPool on oneDNN (RUNBOOK_NATIVE_POOL=onednn); measured slower than the loops here (its NHWC backward).
static bool useDnnlPool() {
  const char* env = getenv("RUNBOOK_NATIVE_POOL");
  return env && std::string(env) == "onednn";
}

// Which kernels a conv uses. Default: the direct forward for stride-1 convs on ≤ 4 input channels
// (oneDNN's blocked kernels waste most of each vector there; measured ≈2× faster on LeNet's conv1),
// oneDNN for everything else. RUNBOOK_NATIVE_CONV=onednn|direct forces one kernel family (tests).
SeqNet::ConvMode SeqNet::convMode(const LayerSpec& l, int cin) const {
  const char* env = getenv("RUNBOOK_NATIVE_CONV");
  std::string want = env ? env : "auto";
  bool directOk = l.sh == 1 && l.sw == 1 && l.padTop < l.kh && l.padLeft < l.kw && l.padBottom < l.kh && l.padRight < l.kw;
  if (want == "onednn" || !directOk) return ConvMode::OneDnn;
  if (want == "direct") return ConvMode::Direct;
  return cin <= 4 ? ConvMode::DirectForward : ConvMode::OneDnn;
}

static memory::dims nhwcDims(int b, Shape3 s) { return {b, s.c, s.h, s.w}; }

Plan& SeqNet::plan(int batch) {
  auto it = plans_.find(batch);
  if (it != plans_.end()) return *it->second;
  auto p = std::make_unique<Plan>();
  p->batch = batch;
  const int L = static_cast<int>(layers_.size());
  p->act.resize(L);
  p->gact.resize(L);
  p->out.resize(L);
  p->gout.resize(L);
  p->conv.resize(L);
  p->pool.resize(L);
  p->needInputGrad.resize(L);
  bool paramsBefore = false;
  for (int i = 0; i < L; i++) {
    p->needInputGrad[i] = paramsBefore;
    if (paramIndex_[i] >= 0) paramsBefore = true;
    if (layers_[i].kind == LayerKind::Flatten && i > 0) {
      p->out[i] = p->out[i - 1];
      p->gout[i] = p->gout[i - 1];
      continue;
    }
    size_t n = static_cast<size_t>(batch) * shapes_[i + 1].size();
    p->act[i].assign(n, 0.f);
    p->gact[i].assign(n, 0.f);
    p->out[i] = p->act[i].data();
    p->gout[i] = p->gact[i].data();
  }
  for (int i = 0; i < L; i++) {
    const LayerSpec& l = layers_[i];
    if (l.kind == LayerKind::Pool && i > 0 && useDnnlPool()) {
      // oneDNN max pooling, NHWC, with its argmax workspace for the backward pass.
      auto q = std::make_unique<PoolPrims>();
      Shape3 in = shapes_[i], out = shapes_[i + 1];
      memory::desc srcMd(nhwcDims(batch, in), dt::f32, tag::nhwc), dstMd(nhwcDims(batch, out), dt::f32, tag::nhwc);
      memory::dims strides = {l.sh, l.sw}, kernel = {l.kh, l.kw}, pad = {0, 0};
      dnnl::pooling_forward::desc fd(dnnl::prop_kind::forward_training, dnnl::algorithm::pooling_max, srcMd, dstMd,
                                     strides, kernel, pad, pad);
      dnnl::pooling_forward::primitive_desc fpd(fd, eng_);
      q->fwd = dnnl::pooling_forward(fpd);
      q->src = memory(srcMd, eng_, p->out[i - 1]);
      q->dst = memory(dstMd, eng_, p->out[i]);
      q->workspace = memory(fpd.workspace_desc(), eng_);
      if (p->needInputGrad[i]) {
        dnnl::pooling_backward::desc bd(dnnl::algorithm::pooling_max, srcMd, dstMd, strides, kernel, pad, pad);
        dnnl::pooling_backward::primitive_desc bpd(bd, eng_, fpd);
        q->bwd = dnnl::pooling_backward(bpd);
        q->hasBwd = true;
        q->diffDst = memory(dstMd, eng_, p->gout[i]);
        q->diffSrc = memory(srcMd, eng_, p->gout[i - 1]);
      }
      p->pool[i] = std::move(q);
      continue;
    }
    if (l.kind != LayerKind::Conv) continue;
    auto c = std::make_unique<ConvPrims>();
    Shape3 in = shapes_[i], out = shapes_[i + 1];
    ConvMode mode = convMode(l, in.c);
    if (mode != ConvMode::OneDnn) {
      c->direct = std::make_unique<DirectConv>(DirectConvShape{batch, in.h, in.w, in.c, l.cout, l.kh, l.kw, l.padTop,
                                                               l.padLeft, out.h, out.w});
      if (mode == ConvMode::Direct) {
        c->impl = "direct (vectorised stride-1)";
        p->conv[i] = std::move(c);
        continue;
      }
      c->directForwardOnly = true;
    }
    memory::dims strides = {l.sh, l.sw}, padL = {l.padTop, l.padLeft}, padR = {l.padBottom, l.padRight};
    memory::desc srcMd(nhwcDims(batch, in), dt::f32, tag::nhwc);
    memory::desc dstMd(nhwcDims(batch, out), dt::f32, tag::nhwc);
    memory::desc wAny({l.cout, in.c, l.kh, l.kw}, dt::f32, tag::any);
    memory::desc wUser({l.cout, in.c, l.kh, l.kw}, dt::f32, tag::hwio);
    memory::desc bMd({l.cout}, dt::f32, tag::x);
    dnnl::primitive_attr attr;
    if (l.relu) {
      dnnl::post_ops po;
      po.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      attr.set_post_ops(po);
    }
    dnnl::convolution_forward::desc fd(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                       srcMd, wAny, bMd, dstMd, strides, padL, padR);
    dnnl::convolution_forward::primitive_desc fpd(fd, attr, eng_);
    c->fwd = dnnl::convolution_forward(fpd);
    c->impl = std::string("fwd ") + (c->direct ? "direct (vectorised stride-1)" : fpd.impl_info_str());
    int k = paramIndex_[i];
    c->userW = memory(wUser, eng_, params_[k].data());
    c->userDW = memory(wUser, eng_, grads_[k].data());
    c->bias = memory(bMd, eng_, params_[k + 1].data());
    c->dbias = memory(bMd, eng_, grads_[k + 1].data());
    const float* srcPtr = i > 0 ? p->out[i - 1] : nullptr;
    c->src = memory(srcMd, eng_, const_cast<float*>(srcPtr));
    c->dst = memory(dstMd, eng_, p->out[i]);
    c->diffDst = memory(dstMd, eng_, p->gout[i]);
    if (fpd.weights_desc() != wUser) {
      c->fwdW = memory(fpd.weights_desc(), eng_);
      c->toFwdW = dnnl::reorder(c->userW, c->fwdW);
      c->reorderFwdW = true;
    } else {
      c->fwdW = c->userW;
    }
    dnnl::convolution_backward_weights::desc bwd(dnnl::algorithm::convolution_direct, srcMd, wAny, bMd, dstMd,
                                                 strides, padL, padR);
    dnnl::convolution_backward_weights::primitive_desc bwpd(bwd, eng_, fpd);
    c->bwdWeights = dnnl::convolution_backward_weights(bwpd);
    c->impl += std::string("; bwd-weights ") + bwpd.impl_info_str();
    if (bwpd.diff_weights_desc() != wUser) {
      c->bwdDW = memory(bwpd.diff_weights_desc(), eng_);
      c->fromBwdDW = dnnl::reorder(c->bwdDW, c->userDW);
      c->reorderBwdDW = true;
    } else {
      c->bwdDW = c->userDW;
    }
    if (p->needInputGrad[i]) {
      dnnl::convolution_backward_data::desc bdd(dnnl::algorithm::convolution_direct, srcMd, wAny, dstMd, strides,
                                                padL, padR);
      dnnl::convolution_backward_data::primitive_desc bdpd(bdd, eng_, fpd);
      c->bwdData = dnnl::convolution_backward_data(bdpd);
      c->hasBwdData = true;
      c->impl += std::string("; bwd-data ") + bdpd.impl_info_str();
      c->diffSrc = memory(srcMd, eng_, p->gout[i - 1]);
      if (bdpd.weights_desc() != wUser) {
        c->bwdDataW = memory(bdpd.weights_desc(), eng_);
        c->toBwdDataW = dnnl::reorder(c->userW, c->bwdDataW);
        c->reorderBwdDataW = true;
      } else {
        c->bwdDataW = c->userW;
      }
    }
    p->conv[i] = std::move(c);
  }
  Plan& ref = *p;
  plans_[batch] = std::move(p);
  return ref;
}

static void addBiasRelu(float* y, const float* b, int rows, int cols, bool relu) {
  for (int r = 0; r < rows; r++) {
    float* row = y + static_cast<size_t>(r) * cols;
    for (int j = 0; j < cols; j++) {
      float v = row[j] + b[j];
      row[j] = relu && v < 0.f ? 0.f : v;
    }
  }
}

void SeqNet::forward(Plan& p, const float* x, bool /*training*/) {
  const int L = static_cast<int>(layers_.size());
  const int B = p.batch;
  const float* in = x;
  for (int i = 0; i < L; i++) {
    const LayerSpec& l = layers_[i];
    Shape3 si = shapes_[i], so = shapes_[i + 1];
    float* out = p.out[i];
    switch (l.kind) {
      case LayerKind::Conv: {
        ConvPrims& c = *p.conv[i];
        if (c.direct) {
          int k = paramIndex_[i];
          c.direct->forward(in, params_[k].data(), params_[k + 1].data(), l.relu, out);
          break;
        }
        if (i == 0) c.src.set_data_handle(const_cast<float*>(in));
        if (c.reorderFwdW) c.toFwdW.execute(strm_, c.userW, c.fwdW);
        c.fwd.execute(strm_, {{DNNL_ARG_SRC, c.src}, {DNNL_ARG_WEIGHTS, c.fwdW}, {DNNL_ARG_BIAS, c.bias},
                              {DNNL_ARG_DST, c.dst}});
        break;
      }
      case LayerKind::Pool: {
        if (p.pool[i]) {
          PoolPrims& q = *p.pool[i];
          q.fwd.execute(strm_, {{DNNL_ARG_SRC, q.src}, {DNNL_ARG_DST, q.dst}, {DNNL_ARG_WORKSPACE, q.workspace}});
          break;
        }
        // Branch-free max (a data-dependent branch per element mispredicts half the time on ReLU outputs).
        const int C = so.c;
        for (int b = 0; b < B; b++) {
          const float* ib = in + static_cast<size_t>(b) * si.size();
          float* obb = out + static_cast<size_t>(b) * so.size();
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
        break;
      }
      case LayerKind::Flatten:
        if (i == 0) std::memcpy(out, in, sizeof(float) * static_cast<size_t>(B) * si.size());
        break;
      case LayerKind::Dense: {
        int k = paramIndex_[i];
        int K = si.c, N = so.c;
        dnnl_sgemm('N', 'N', B, N, K, 1.f, in, K, params_[k].data(), N, 0.f, out, N);
        addBiasRelu(out, params_[k + 1].data(), B, N, l.relu);
        break;
      }
    }
    in = out;
  }
}

float SeqNet::trainStep(const float* x, const int32_t* labels, int batch, float lr, float momentum, bool update) {
  if (batch <= 0) throw std::invalid_argument("batch must be positive");
  Plan& p = plan(batch);
  forward(p, x, true);
  const int L = static_cast<int>(layers_.size());
  const int C = numClasses();
  // Softmax cross-entropy, mean over the batch; its gradient wrt the logits is (softmax − onehot)/B.
  const float* logits = p.out[L - 1];
  float* g = p.gout[L - 1];
  double lossSum = 0;
  for (int b = 0; b < batch; b++) {
    const float* z = logits + static_cast<size_t>(b) * C;
    float* gz = g + static_cast<size_t>(b) * C;
    int y = labels[b];
    if (y < 0 || y >= C) throw std::out_of_range("label out of range [0, classes)");
    float m = z[0];
    for (int j = 1; j < C; j++) m = std::max(m, z[j]);
    double s = 0;
    for (int j = 0; j < C; j++) s += std::exp(static_cast<double>(z[j] - m));
    double lse = std::log(s) + m;
    lossSum += lse - z[y];
    for (int j = 0; j < C; j++) gz[j] = static_cast<float>(std::exp(z[j] - lse) / batch);
    gz[y] -= 1.f / batch;
  }
  // Backward, last layer first.
  for (int i = L - 1; i >= 0; i--) {
    const LayerSpec& l = layers_[i];
    Shape3 si = shapes_[i], so = shapes_[i + 1];
    const float* in = i > 0 ? p.out[i - 1] : x;
    float* gy = p.gout[i];
    size_t nOut = static_cast<size_t>(batch) * so.size();
    if (l.relu) {
      const float* y = p.out[i];
      for (size_t j = 0; j < nOut; j++) gy[j] = y[j] > 0.f ? gy[j] : 0.f;
    }
    switch (l.kind) {
      case LayerKind::Conv: {
        ConvPrims& c = *p.conv[i];
        if (c.direct && !c.directForwardOnly) {
          int k = paramIndex_[i];
          c.direct->backwardWeights(in, gy, grads_[k].data(), grads_[k + 1].data());
          if (p.needInputGrad[i]) c.direct->backwardData(gy, params_[k].data(), p.gout[i - 1]);
          break;
        }
        if (i == 0) c.src.set_data_handle(const_cast<float*>(x));
        c.bwdWeights.execute(strm_, {{DNNL_ARG_SRC, c.src}, {DNNL_ARG_DIFF_DST, c.diffDst},
                                     {DNNL_ARG_DIFF_WEIGHTS, c.bwdDW}, {DNNL_ARG_DIFF_BIAS, c.dbias}});
        if (c.reorderBwdDW) c.fromBwdDW.execute(strm_, c.bwdDW, c.userDW);
        if (c.hasBwdData) {
          if (c.reorderBwdDataW) c.toBwdDataW.execute(strm_, c.userW, c.bwdDataW);
          c.bwdData.execute(strm_, {{DNNL_ARG_DIFF_DST, c.diffDst}, {DNNL_ARG_WEIGHTS, c.bwdDataW},
                                    {DNNL_ARG_DIFF_SRC, c.diffSrc}});
        }
        break;
      }
      case LayerKind::Pool: {
        if (!p.needInputGrad[i]) break;
        if (p.pool[i]) {
          PoolPrims& q = *p.pool[i];
          q.bwd.execute(strm_, {{DNNL_ARG_DIFF_DST, q.diffDst}, {DNNL_ARG_WORKSPACE, q.workspace}, {DNNL_ARG_DIFF_SRC, q.diffSrc}});
          break;
        }
        // The gradient goes to the first maximum of each window in (kh, kw) order, like tfjs's
        // maxPoolPositions; found again from the kept input instead of stored indices.
        float* gx = p.gout[i - 1];
        std::memset(gx, 0, sizeof(float) * static_cast<size_t>(batch) * si.size());
        const int C = so.c;
        p.poolRemaining.resize(C);
        float* __restrict rem = p.poolRemaining.data();
        for (int b = 0; b < batch; b++) {
          const float* __restrict ib = in + static_cast<size_t>(b) * si.size();
          float* __restrict gb = gx + static_cast<size_t>(b) * si.size();
          const float* __restrict yb = p.out[i] + static_cast<size_t>(b) * so.size();
          const float* __restrict gyb = gy + static_cast<size_t>(b) * so.size();
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
        break;
      }
      case LayerKind::Flatten:
        break;  // gradient buffer is shared with the layer before
      case LayerKind::Dense: {
        int k = paramIndex_[i];
        int K = si.c, N = so.c;
        dnnl_sgemm('T', 'N', K, N, batch, 1.f, in, K, gy, N, 0.f, grads_[k].data(), N);
        float* db = grads_[k + 1].data();
        std::fill(db, db + N, 0.f);
        for (int b = 0; b < batch; b++)
          for (int j = 0; j < N; j++) db[j] += gy[static_cast<size_t>(b) * N + j];
        if (p.needInputGrad[i]) dnnl_sgemm('N', 'T', batch, K, N, 1.f, gy, N, params_[k].data(), N, 0.f, p.gout[i - 1], K);
        break;
      }
    }
  }
  strm_.wait();
  if (update) {
    // tfjs MomentumOptimizer ≡ torch SGD(momentum): v = μ·v + g; w −= lr·v. Plain SGD when μ = 0.
    for (size_t k = 0; k < params_.size(); k++) {
      float* w = params_[k].data();
      const float* gk = grads_[k].data();
      float* v = velocity_[k].data();
      size_t n = params_[k].size();
      if (momentum > 0.f) {
        for (size_t j = 0; j < n; j++) { v[j] = momentum * v[j] + gk[j]; w[j] -= lr * v[j]; }
      } else {
        for (size_t j = 0; j < n; j++) w[j] -= lr * gk[j];
      }
    }
  }
  return static_cast<float>(lossSum / batch);
}

void SeqNet::predict(const float* x, int batch, float* logits) {
  if (batch <= 0) throw std::invalid_argument("batch must be positive");
  Plan& p = plan(batch);
  forward(p, x, false);
  strm_.wait();
  std::memcpy(logits, p.out[layers_.size() - 1], sizeof(float) * static_cast<size_t>(batch) * numClasses());
}

std::string SeqNet::implInfo(int batch) {
  Plan& p = plan(batch);
  std::string s;
  for (size_t i = 0; i < layers_.size(); i++)
    if (p.conv[i]) s += (s.empty() ? "" : " | ") + std::string("conv") + std::to_string(i) + ": " + p.conv[i]->impl;
  return s;
}

}  // namespace runbook
