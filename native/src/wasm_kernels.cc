// Kernels for TensorFlow.js's wasm backend that compute in place on its linear memory (the wasm
// heap, an ArrayBuffer): every tensor is a byte offset into it, nothing is copied in or out. Each
// call builds (or takes from a cache keyed by its shapes and thread count) a oneDNN primitive whose memory objects
// point straight into the heap. Used by src/engine/native/wasm-native-kernels.ts.
#include "wasm_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include <omp.h>

#include "napi_args.h"  // with onednn_version.h: a clear #error unless oneDNN 2.x

namespace {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

using namespace runbook::napi;

dnnl::engine& cpuEngine() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}

dnnl::stream& cpuStream() {
  static dnnl::stream strm(cpuEngine());
  return strm;
}

/** The call's arguments: the heap first, then numbers (byte offsets, shapes, flags). */
struct Call {
  uint8_t* heap = nullptr;
  size_t heapBytes = 0;
  std::vector<double> nums;

  /** At least numCount numbers after the heap; with variadic, all that were passed (up to 64). */
  Call(napi_env env, napi_callback_info info, size_t numCount, const char* fn, bool variadic = false) {
    std::vector<napi_value> v(variadic ? 65 : numCount + 1);
    size_t argc = v.size();
    NAPI_CALL(napi_get_cb_info(env, info, &argc, v.data(), nullptr, nullptr));
    if (argc < numCount + 1)
      throw ArgError(std::string(fn) + ": expected " + std::to_string(numCount + 1) + " arguments, got " + std::to_string(argc));
    if (variadic) {
      numCount = argc - 1;
      v.resize(argc);
    }
    bool isAb = false;
    NAPI_CALL(napi_is_arraybuffer(env, v[0], &isAb));
    if (!isAb) throw ArgError(std::string(fn) + ": heap must be the wasm memory's ArrayBuffer");
    void* data = nullptr;
    NAPI_CALL(napi_get_arraybuffer_info(env, v[0], &data, &heapBytes));
    heap = static_cast<uint8_t*>(data);
    nums.resize(numCount);
    for (size_t i = 0; i < numCount; i++) {
      if (napi_get_value_double(env, v[i + 1], &nums[i]) != napi_ok)
        throw ArgError(std::string(fn) + ": argument " + std::to_string(i + 1) + " must be a number");
    }
  }

  int64_t i(size_t k) const { return static_cast<int64_t>(nums[k]); }

  /** A float pointer at byte offset `off` holding `count` floats, checked against the heap's size. */
  float* at(int64_t off, int64_t count, const char* what) const {
    if (off < 0 || off % 4 != 0 || static_cast<uint64_t>(off) + static_cast<uint64_t>(count) * 4 > heapBytes)
      throw ArgError(std::string(what) + ": byte offset " + std::to_string(off) + " + " + std::to_string(count) +
                     " floats is outside the heap (" + std::to_string(heapBytes) + " bytes) or misaligned");
    return reinterpret_cast<float*>(heap + off);
  }
};

/**
 * A primitive cache key: the call's shapes and flags, and the OpenMP thread count, because a oneDNN
 * primitive keeps the count it was created with (after setNumThreads a new one is built).
 */
std::string key(std::initializer_list<int64_t> parts) {
  std::string k = std::to_string(omp_get_max_threads()) + "T:";
  for (int64_t p : parts) k += std::to_string(p) + ",";
  return k;
}

// --- MatMul ---------------------------------------------------------------------------------------

struct MatMulPlan {
  dnnl::matmul prim;
  memory::desc a, b, bias, c;
};

/**
 * matmul(heap, aOff, bOff, biasOff (−1: none), biasLength (n or 1), outOff, batchA, batchB, m, n, k,
 * transposeA, transposeB, relu): out[batch, m, n] = op(a)[batch, m, k] · op(b)[batch, k, n]
 * (+ bias, ReLU); a batch of 1 is broadcast over the other's.
 */
napi_value MatMul(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call c(env, info, 13, "wasmMatMul");
    int64_t aOff = c.i(0), bOff = c.i(1), biasOff = c.i(2), biasLen = c.i(3), outOff = c.i(4);
    int64_t batchA = c.i(5), batchB = c.i(6), m = c.i(7), n = c.i(8), k = c.i(9);
    bool ta = c.nums[10] != 0, tb = c.nums[11] != 0, relu = c.nums[12] != 0;
    if (batchA < 1 || batchB < 1 || (batchA != batchB && batchA != 1 && batchB != 1))
      throw ArgError("wasmMatMul: batches " + std::to_string(batchA) + " and " + std::to_string(batchB) + " do not broadcast");
    if (m < 1 || n < 1 || k < 1) throw ArgError("wasmMatMul: m, n, k must be positive");
    int64_t batch = batchA > batchB ? batchA : batchB;
    bool hasBias = biasOff >= 0;
    if (hasBias && biasLen != n && biasLen != 1) throw ArgError("wasmMatMul: the bias must have n or 1 entries");
    static std::unordered_map<std::string, MatMulPlan> cache;
    std::string kk = key({batchA, batchB, m, n, k, ta, tb, hasBias ? biasLen : 0, relu});
    auto it = cache.find(kk);
    if (it == cache.end()) {
      MatMulPlan p;
      // Row-major storage; a transposed operand is the same buffer read with swapped strides.
      p.a = memory::desc({batchA, m, k}, dt::f32, ta ? memory::dims{m * k, 1, m} : memory::dims{m * k, k, 1});
      p.b = memory::desc({batchB, k, n}, dt::f32, tb ? memory::dims{k * n, 1, k} : memory::dims{k * n, n, 1});
      p.c = memory::desc({batch, m, n}, dt::f32, memory::dims{m * n, n, 1});
      if (hasBias) p.bias = memory::desc({1, 1, biasLen}, dt::f32, memory::dims{biasLen, biasLen, 1});
      dnnl::primitive_attr attr;
      if (relu) {
        dnnl::post_ops po;
        po.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
        attr.set_post_ops(po);
      }
      dnnl::matmul::desc d = hasBias ? dnnl::matmul::desc(p.a, p.b, p.bias, p.c) : dnnl::matmul::desc(p.a, p.b, p.c);
      p.prim = dnnl::matmul(dnnl::matmul::primitive_desc(d, attr, cpuEngine()));
      it = cache.emplace(kk, std::move(p)).first;
    }
    MatMulPlan& p = it->second;
    auto& eng = cpuEngine();
    memory a(p.a, eng, c.at(aOff, batchA * m * k, "wasmMatMul a"));
    memory b(p.b, eng, c.at(bOff, batchB * k * n, "wasmMatMul b"));
    memory out(p.c, eng, c.at(outOff, batch * m * n, "wasmMatMul out"));
    std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, out}};
    if (hasBias) args.emplace(DNNL_ARG_BIAS, memory(p.bias, eng, c.at(biasOff, biasLen, "wasmMatMul bias")));
    p.prim.execute(cpuStream(), args);
    cpuStream().wait();
  });
}

// --- Conv2D (NHWC, filter [kh, kw, ci, co]) -----------------------------------------------------

/** One conv's geometry: the 16 numbers after the heap offsets of every conv call. */
struct ConvGeom {
  int64_t n, h, w, ci, co, kh, kw, sh, sw, padT, padL, padB, padR, oh, ow;
  ConvGeom(const Call& c, size_t at) {
    int64_t* f[] = {&n, &h, &w, &ci, &co, &kh, &kw, &sh, &sw, &padT, &padL, &padB, &padR, &oh, &ow};
    for (size_t j = 0; j < 15; j++) *f[j] = c.i(at + j);
    for (size_t j = 0; j < 15; j++)
      if (*f[j] < (j >= 9 && j <= 12 ? 0 : 1)) throw ArgError("conv2d: geometry entry " + std::to_string(j) + " out of range");
  }
  std::string key(int kind, bool bias, bool relu) const {
    return ::key({kind, n, h, w, ci, co, kh, kw, sh, sw, padT, padL, padB, padR, oh, ow, bias, relu});
  }
  memory::desc src() const { return memory::desc({n, ci, h, w}, dt::f32, tag::nhwc); }
  memory::desc dst() const { return memory::desc({n, co, oh, ow}, dt::f32, tag::nhwc); }
  memory::desc userW() const { return memory::desc({co, ci, kh, kw}, dt::f32, tag::hwio); }
  memory::desc anyW() const { return memory::desc({co, ci, kh, kw}, dt::f32, tag::any); }
  memory::desc biasMd() const { return memory::desc({co}, dt::f32, tag::x); }
  memory::dims strides() const { return {sh, sw}; }
  memory::dims padBefore() const { return {padT, padL}; }
  memory::dims padAfter() const { return {padB, padR}; }
  dnnl::convolution_forward::primitive_desc forwardPd(bool bias, bool relu) const {
    dnnl::primitive_attr attr;
    if (relu) {
      dnnl::post_ops po;
      po.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      attr.set_post_ops(po);
    }
    auto d = bias ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, src(),
                                                    anyW(), biasMd(), dst(), strides(), padBefore(), padAfter())
                  : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, src(),
                                                    anyW(), dst(), strides(), padBefore(), padAfter());
    return dnnl::convolution_forward::primitive_desc(d, attr, cpuEngine());
  }
};

/** A conv primitive plus the reorder between the tfjs filter layout and the one it wants (if any). */
struct ConvPlan {
  dnnl::primitive prim;
  memory::desc wDesc;  // the primitive's filter (or filter-gradient) layout
  dnnl::reorder wReorder;
  bool needsReorder = false;
  memory wScratch;  // the reordered filter, owned here
  std::string impl;
};

void planWeights(ConvPlan& p, const memory::desc& want, const memory::desc& user, bool toUser) {
  p.wDesc = want;
  p.needsReorder = want != user;
  if (!p.needsReorder) return;
  p.wScratch = memory(want, cpuEngine());
  auto& eng = cpuEngine();
  p.wReorder = toUser ? dnnl::reorder(memory(want, eng, nullptr), memory(user, eng, nullptr))
                      : dnnl::reorder(memory(user, eng, nullptr), memory(want, eng, nullptr));
}

std::unordered_map<std::string, ConvPlan>& convCache() {
  static std::unordered_map<std::string, ConvPlan> cache;
  return cache;
}

enum ConvKind { kForward = 1, kBackwardData = 2, kBackwardWeights = 3 };

/** conv2d(heap, xOff, wOff, biasOff (−1: none), yOff, …geometry, relu): y = conv(x, w) (+ bias, ReLU). */
napi_value Conv2D(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call c(env, info, 4 + 15 + 1, "wasmConv2D");
    int64_t xOff = c.i(0), wOff = c.i(1), biasOff = c.i(2), yOff = c.i(3);
    ConvGeom g(c, 4);
    bool relu = c.nums[19] != 0, bias = biasOff >= 0;
    auto& cache = convCache();
    std::string kk = g.key(kForward, bias, relu);
    auto it = cache.find(kk);
    if (it == cache.end()) {
      ConvPlan p;
      auto pd = g.forwardPd(bias, relu);
      p.prim = dnnl::convolution_forward(pd);
      p.impl = pd.impl_info_str();
      planWeights(p, pd.weights_desc(), g.userW(), false);
      it = cache.emplace(kk, std::move(p)).first;
    }
    ConvPlan& p = it->second;
    auto& eng = cpuEngine();
    auto& strm = cpuStream();
    memory userW(g.userW(), eng, c.at(wOff, g.kh * g.kw * g.ci * g.co, "wasmConv2D filter"));
    memory w = userW;
    if (p.needsReorder) {
      p.wReorder.execute(strm, userW, p.wScratch);
      w = p.wScratch;
    }
    std::unordered_map<int, memory> args = {
        {DNNL_ARG_SRC, memory(g.src(), eng, c.at(xOff, g.n * g.h * g.w * g.ci, "wasmConv2D x"))},
        {DNNL_ARG_WEIGHTS, w},
        {DNNL_ARG_DST, memory(g.dst(), eng, c.at(yOff, g.n * g.oh * g.ow * g.co, "wasmConv2D y"))}};
    if (bias) args.emplace(DNNL_ARG_BIAS, memory(g.biasMd(), eng, c.at(biasOff, g.co, "wasmConv2D bias")));
    p.prim.execute(strm, args);
    strm.wait();
  });
}

/** conv2dBackpropInput(heap, dyOff, wOff, dxOff, …geometry): dx = the input gradient of conv(x, w) for dy. */
napi_value Conv2DBackpropInput(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call c(env, info, 3 + 15, "wasmConv2DBackpropInput");
    int64_t dyOff = c.i(0), wOff = c.i(1), dxOff = c.i(2);
    ConvGeom g(c, 3);
    auto& cache = convCache();
    std::string kk = g.key(kBackwardData, false, false);
    auto it = cache.find(kk);
    if (it == cache.end()) {
      ConvPlan p;
      auto hint = g.forwardPd(false, false);
      dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, g.src(), g.anyW(), g.dst(), g.strides(),
                                              g.padBefore(), g.padAfter());
      dnnl::convolution_backward_data::primitive_desc pd(d, cpuEngine(), hint);
      p.prim = dnnl::convolution_backward_data(pd);
      p.impl = pd.impl_info_str();
      planWeights(p, pd.weights_desc(), g.userW(), false);
      it = cache.emplace(kk, std::move(p)).first;
    }
    ConvPlan& p = it->second;
    auto& eng = cpuEngine();
    auto& strm = cpuStream();
    memory userW(g.userW(), eng, c.at(wOff, g.kh * g.kw * g.ci * g.co, "wasmConv2DBackpropInput filter"));
    memory w = userW;
    if (p.needsReorder) {
      p.wReorder.execute(strm, userW, p.wScratch);
      w = p.wScratch;
    }
    p.prim.execute(strm, {{DNNL_ARG_DIFF_DST, memory(g.dst(), eng, c.at(dyOff, g.n * g.oh * g.ow * g.co, "wasmConv2DBackpropInput dy"))},
                          {DNNL_ARG_WEIGHTS, w},
                          {DNNL_ARG_DIFF_SRC, memory(g.src(), eng, c.at(dxOff, g.n * g.h * g.w * g.ci, "wasmConv2DBackpropInput dx"))}});
    strm.wait();
  });
}

/** conv2dBackpropFilter(heap, xOff, dyOff, dwOff, …geometry): dw [kh, kw, ci, co] = the filter gradient of conv(x, w) for dy. */
napi_value Conv2DBackpropFilter(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call c(env, info, 3 + 15, "wasmConv2DBackpropFilter");
    int64_t xOff = c.i(0), dyOff = c.i(1), dwOff = c.i(2);
    ConvGeom g(c, 3);
    auto& cache = convCache();
    std::string kk = g.key(kBackwardWeights, false, false);
    auto it = cache.find(kk);
    if (it == cache.end()) {
      ConvPlan p;
      auto hint = g.forwardPd(false, false);
      dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, g.src(), g.anyW(), g.dst(), g.strides(),
                                                 g.padBefore(), g.padAfter());
      dnnl::convolution_backward_weights::primitive_desc pd(d, cpuEngine(), hint);
      p.prim = dnnl::convolution_backward_weights(pd);
      p.impl = pd.impl_info_str();
      planWeights(p, pd.diff_weights_desc(), g.userW(), true);
      it = cache.emplace(kk, std::move(p)).first;
    }
    ConvPlan& p = it->second;
    auto& eng = cpuEngine();
    auto& strm = cpuStream();
    memory userDw(g.userW(), eng, c.at(dwOff, g.kh * g.kw * g.ci * g.co, "wasmConv2DBackpropFilter dw"));
    memory dw = p.needsReorder ? p.wScratch : userDw;
    p.prim.execute(strm, {{DNNL_ARG_SRC, memory(g.src(), eng, c.at(xOff, g.n * g.h * g.w * g.ci, "wasmConv2DBackpropFilter x"))},
                          {DNNL_ARG_DIFF_DST, memory(g.dst(), eng, c.at(dyOff, g.n * g.oh * g.ow * g.co, "wasmConv2DBackpropFilter dy"))},
                          {DNNL_ARG_DIFF_WEIGHTS, dw}});
    if (p.needsReorder) p.wReorder.execute(strm, p.wScratch, userDw);
    strm.wait();
  });
}

// --- Copies (4-byte elements: float32, int32) --------------------------------------------------

/** Copies the box of `shape` from src (row-major strides `strides`, in elements) to a dense dst, innermost rows by memcpy. */
void copyBox(const uint32_t* src, uint32_t* dst, const std::vector<int64_t>& shape, const std::vector<int64_t>& strides, size_t dim) {
  if (dim + 2 == shape.size() && strides[dim + 1] != 1) {
    // A transposing copy of the two innermost dims: 32×32 blocks keep both sides in cache.
    int64_t n0 = shape[dim], n1 = shape[dim + 1], s0 = strides[dim], s1 = strides[dim + 1];
    constexpr int64_t B = 32;
    for (int64_t i0 = 0; i0 < n0; i0 += B)
      for (int64_t i1 = 0; i1 < n1; i1 += B) {
        int64_t e0 = std::min(i0 + B, n0), e1 = std::min(i1 + B, n1);
        for (int64_t a = i0; a < e0; a++)
          for (int64_t b = i1; b < e1; b++) dst[a * n1 + b] = src[a * s0 + b * s1];
      }
    return;
  }
  if (dim + 1 == shape.size()) {
    if (strides[dim] == 1) std::memcpy(dst, src, shape[dim] * 4);
    else
      for (int64_t i = 0; i < shape[dim]; i++) dst[i] = src[i * strides[dim]];
    return;
  }
  int64_t block = 1;
  for (size_t d = dim + 1; d < shape.size(); d++) block *= shape[d];
  for (int64_t i = 0; i < shape[dim]; i++) copyBox(src + i * strides[dim], dst + i * block, shape, strides, dim + 1);
}

/** slice(heap, xOff, outOff, rank, ...xShape, ...begin, ...size): out = x[begin : begin + size] (4-byte elements). */
napi_value Slice(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call c(env, info, 3, "wasmSlice", true);
    int64_t xOff = c.i(0), outOff = c.i(1), rank = c.i(2);
    if (rank < 1 || c.nums.size() != static_cast<size_t>(3 + 3 * rank)) throw ArgError("wasmSlice: expected rank, then rank shape, begin and size entries");
    std::vector<int64_t> xShape(rank), begin(rank), size(rank), strides(rank);
    for (int64_t d = 0; d < rank; d++) {
      xShape[d] = c.i(3 + d);
      begin[d] = c.i(3 + rank + d);
      size[d] = c.i(3 + 2 * rank + d);
      if (begin[d] < 0 || size[d] < 1 || begin[d] + size[d] > xShape[d]) throw ArgError("wasmSlice: the box is outside x");
    }
    int64_t xCount = 1, outCount = 1, base = 0;
    for (int64_t d = rank - 1; d >= 0; d--) {
      strides[d] = xCount;
      base += begin[d] * xCount;
      xCount *= xShape[d];
      outCount *= size[d];
    }
    const uint32_t* x = reinterpret_cast<const uint32_t*>(c.at(xOff, xCount, "wasmSlice x"));
    uint32_t* out = reinterpret_cast<uint32_t*>(c.at(outOff, outCount, "wasmSlice out"));
    copyBox(x + base, out, size, strides, 0);
  });
}

/** tile(heap, xOff, outOff, rank, ...xShape, ...reps): out = x repeated reps[d] times along each dim d (4-byte elements). */
napi_value Tile(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call c(env, info, 3, "wasmTile", true);
    int64_t xOff = c.i(0), outOff = c.i(1), rank = c.i(2);
    if (rank < 1 || c.nums.size() != static_cast<size_t>(3 + 2 * rank)) throw ArgError("wasmTile: expected rank, then rank shape and reps entries");
    std::vector<int64_t> xShape(rank), reps(rank), outShape(rank);
    int64_t xCount = 1, outCount = 1;
    for (int64_t d = 0; d < rank; d++) {
      xShape[d] = c.i(3 + d);
      reps[d] = c.i(3 + rank + d);
      if (xShape[d] < 1 || reps[d] < 1) throw ArgError("wasmTile: shape and reps must be positive");
      outShape[d] = xShape[d] * reps[d];
      xCount *= xShape[d];
      outCount *= outShape[d];
    }
    const uint32_t* x = reinterpret_cast<const uint32_t*>(c.at(xOff, xCount, "wasmTile x"));
    uint32_t* out = reinterpret_cast<uint32_t*>(c.at(outOff, outCount, "wasmTile out"));
    // Fill the first tile along each dim from the innermost out, then repeat it reps[d] − 1 times
    // (each repeat is one contiguous block copy).
    std::vector<int64_t> outBlock(rank + 1, 1), xBlock(rank + 1, 1);
    for (int64_t d = rank - 1; d >= 0; d--) {
      outBlock[d] = outBlock[d + 1] * outShape[d];
      xBlock[d] = xBlock[d + 1] * xShape[d];
    }
    struct Rec {
      const std::vector<int64_t>&xShape, &reps, &outBlock, &xBlock;
      void run(const uint32_t* src, uint32_t* dst, size_t d) const {
        int64_t one = xShape[d] * outBlock[d + 1];  // floats of one tile along d
        if (d + 1 == xShape.size()) std::memcpy(dst, src, xShape[d] * 4);
        else
          for (int64_t i = 0; i < xShape[d]; i++) run(src + i * xBlock[d + 1], dst + i * outBlock[d + 1], d + 1);
        for (int64_t r = 1; r < reps[d]; r++) std::memcpy(dst + r * one, dst, one * 4);
      }
    } rec{xShape, reps, outBlock, xBlock};
    rec.run(x, out, 0);
  });
}

/** transpose(heap, xOff, outOff, rank, ...xShape, ...perm): out = x with its dims permuted (4-byte elements). */
napi_value Transpose(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call c(env, info, 3, "wasmTranspose", true);
    int64_t xOff = c.i(0), outOff = c.i(1), rank = c.i(2);
    if (rank < 1 || c.nums.size() != static_cast<size_t>(3 + 2 * rank)) throw ArgError("wasmTranspose: expected rank, then rank shape and perm entries");
    std::vector<int64_t> xShape(rank), xStrides(rank), shape(rank), strides(rank);
    int64_t count = 1;
    for (int64_t d = rank - 1; d >= 0; d--) {
      xShape[d] = c.i(3 + d);
      if (xShape[d] < 1) throw ArgError("wasmTranspose: shape entries must be positive");
      xStrides[d] = count;
      count *= xShape[d];
    }
    std::vector<bool> seen(rank, false);
    for (int64_t d = 0; d < rank; d++) {
      int64_t p = c.i(3 + rank + d);
      if (p < 0 || p >= rank || seen[p]) throw ArgError("wasmTranspose: perm must be a permutation of 0..rank-1");
      seen[p] = true;
      shape[d] = xShape[p];
      strides[d] = xStrides[p];
    }
    const uint32_t* x = reinterpret_cast<const uint32_t*>(c.at(xOff, count, "wasmTranspose x"));
    uint32_t* out = reinterpret_cast<uint32_t*>(c.at(outOff, count, "wasmTranspose out"));
    copyBox(x, out, shape, strides, 0);
  });
}

// --- Reductions and elementwise functions -------------------------------------------------------

/**
 * reduceSum(heap, xOff, outOff, outer, reduce, inner, scale): x viewed as [outer, reduce, inner],
 * out[o, i] = scale · Σ_r x[o, r, i] (scale 1 for Sum, 1/reduce for Mean). Float accumulation, as wasm.
 */
napi_value ReduceSum(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call c(env, info, 6, "wasmReduceSum");
    int64_t xOff = c.i(0), outOff = c.i(1), outer = c.i(2), red = c.i(3), inner = c.i(4);
    float scale = static_cast<float>(c.nums[5]);
    if (outer < 1 || red < 1 || inner < 1) throw ArgError("wasmReduceSum: outer, reduce and inner must be positive");
    const float* x = c.at(xOff, outer * red * inner, "wasmReduceSum x");
    float* out = c.at(outOff, outer * inner, "wasmReduceSum out");
    if (inner == 1) {
#pragma omp parallel for if (outer * red > (1 << 16))
      for (int64_t o = 0; o < outer; o++) {
        const float* row = x + o * red;
        float acc = 0.f;
#pragma omp simd reduction(+ : acc)
        for (int64_t r = 0; r < red; r++) acc += row[r];
        out[o] = acc * scale;
      }
      return;
    }
#pragma omp parallel for if (outer * red * inner > (1 << 16) && outer > 1)
    for (int64_t o = 0; o < outer; o++) {
      float* dst = out + o * inner;
      std::memset(dst, 0, inner * 4);
      for (int64_t r = 0; r < red; r++) {
        const float* src = x + (o * red + r) * inner;
#pragma omp simd
        for (int64_t i = 0; i < inner; i++) dst[i] += src[i];
      }
      if (scale != 1.f)
        for (int64_t i = 0; i < inner; i++) dst[i] *= scale;
    }
  });
}

/** unary(heap, xOff, outOff, count, op): out = f(x) elementwise on oneDNN, op 0 tanh, 1 exp, 2 sigmoid. */
napi_value Unary(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call c(env, info, 4, "wasmUnary");
    int64_t xOff = c.i(0), outOff = c.i(1), count = c.i(2), op = c.i(3);
    static const dnnl::algorithm algs[] = {dnnl::algorithm::eltwise_tanh, dnnl::algorithm::eltwise_exp, dnnl::algorithm::eltwise_logistic};
    if (op < 0 || op > 2) throw ArgError("wasmUnary: op must be 0 (tanh), 1 (exp) or 2 (sigmoid)");
    if (count < 1) throw ArgError("wasmUnary: count must be positive");
    static std::unordered_map<std::string, dnnl::eltwise_forward> cache;
    std::string kk = key({op, count});
    memory::desc md({count}, dt::f32, tag::a);
    auto it = cache.find(kk);
    if (it == cache.end()) {
      dnnl::eltwise_forward::desc d(dnnl::prop_kind::forward_inference, algs[op], md, 0.f, 0.f);
      it = cache.emplace(kk, dnnl::eltwise_forward(dnnl::eltwise_forward::primitive_desc(d, cpuEngine()))).first;
    }
    auto& eng = cpuEngine();
    it->second.execute(cpuStream(), {{DNNL_ARG_SRC, memory(md, eng, c.at(xOff, count, "wasmUnary x"))},
                                     {DNNL_ARG_DST, memory(md, eng, c.at(outOff, count, "wasmUnary out"))}});
    cpuStream().wait();
  });
}

memory::dims denseStrides(const memory::dims& dims) {
  memory::dims st(dims.size());
  int64_t n = 1;
  for (size_t d = dims.size(); d-- > 0;) {
    st[d] = n;
    n *= dims[d];
  }
  return st;
}

/**
 * binary(heap, aOff, bOff, outOff, op, rank, ...outShape, ...bShape): out = a ∘ b with a of the
 * output's shape and b broadcast along its dims of 1; op 0 add, 1 mul, 2 sub, 3 div.
 */
napi_value Binary(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call c(env, info, 5, "wasmBinary", true);
    int64_t aOff = c.i(0), bOff = c.i(1), outOff = c.i(2), op = c.i(3), rank = c.i(4);
    static const dnnl::algorithm algs[] = {dnnl::algorithm::binary_add, dnnl::algorithm::binary_mul, dnnl::algorithm::binary_sub,
                                           dnnl::algorithm::binary_div};
    if (op < 0 || op > 3) throw ArgError("wasmBinary: op must be 0 (add), 1 (mul), 2 (sub) or 3 (div)");
    if (rank < 1 || rank > 6 || c.nums.size() != static_cast<size_t>(5 + 2 * rank)) throw ArgError("wasmBinary: expected rank (1–6), then rank out-shape and b-shape entries");
    memory::dims outDims(rank), bDims(rank);
    int64_t outCount = 1, bCount = 1;
    for (int64_t d = 0; d < rank; d++) {
      outDims[d] = c.i(5 + d);
      bDims[d] = c.i(5 + rank + d);
      if (outDims[d] < 1 || (bDims[d] != 1 && bDims[d] != outDims[d])) throw ArgError("wasmBinary: b's shape does not broadcast to the output's");
      outCount *= outDims[d];
      bCount *= bDims[d];
    }
    static std::unordered_map<std::string, dnnl::binary> cache;
    std::string kk = key({op});
    for (int64_t d = 0; d < rank; d++) kk += std::to_string(outDims[d]) + "/" + std::to_string(bDims[d]) + ",";
    memory::desc outMd(outDims, dt::f32, denseStrides(outDims)), bMd(bDims, dt::f32, denseStrides(bDims));
    auto it = cache.find(kk);
    if (it == cache.end()) {
      dnnl::binary::desc d(algs[op], outMd, bMd, outMd);
      it = cache.emplace(kk, dnnl::binary(dnnl::binary::primitive_desc(d, cpuEngine()))).first;
    }
    auto& eng = cpuEngine();
    it->second.execute(cpuStream(), {{DNNL_ARG_SRC_0, memory(outMd, eng, c.at(aOff, outCount, "wasmBinary a"))},
                                     {DNNL_ARG_SRC_1, memory(bMd, eng, c.at(bOff, bCount, "wasmBinary b"))},
                                     {DNNL_ARG_DST, memory(outMd, eng, c.at(outOff, outCount, "wasmBinary out"))}});
    cpuStream().wait();
  });
}

/**
 * batchNorm(heap, xOff, meanOff, varianceOff, offsetOff (−1: 0), scaleOff (−1: 1), outOff, rows,
 * channels, epsilon): x as [rows, channels], out = (x − mean[c]) · scale[c] / √(variance[c] + ε) + offset[c].
 */
napi_value BatchNorm(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Call c(env, info, 9, "wasmBatchNorm");
    int64_t xOff = c.i(0), meanOff = c.i(1), varOff = c.i(2), offOff = c.i(3), scaleOff = c.i(4), outOff = c.i(5);
    int64_t rows = c.i(6), ch = c.i(7);
    float eps = static_cast<float>(c.nums[8]);
    if (rows < 1 || ch < 1) throw ArgError("wasmBatchNorm: rows and channels must be positive");
    const float* x = c.at(xOff, rows * ch, "wasmBatchNorm x");
    const float* mean = c.at(meanOff, ch, "wasmBatchNorm mean");
    const float* var = c.at(varOff, ch, "wasmBatchNorm variance");
    const float* offset = offOff >= 0 ? c.at(offOff, ch, "wasmBatchNorm offset") : nullptr;
    const float* scale = scaleOff >= 0 ? c.at(scaleOff, ch, "wasmBatchNorm scale") : nullptr;
    float* out = c.at(outOff, rows * ch, "wasmBatchNorm out");
    std::vector<float> mul(ch), add(ch);
    for (int64_t k = 0; k < ch; k++) {
      mul[k] = (scale ? scale[k] : 1.f) / std::sqrt(var[k] + eps);
      add[k] = offset ? offset[k] : 0.f;
    }
    const float *m = mean, *a = mul.data(), *b = add.data();
#pragma omp parallel for if (rows * ch > (1 << 16))
    for (int64_t r = 0; r < rows; r++) {
      const float* xr = x + r * ch;
      float* yr = out + r * ch;
#pragma omp simd
      for (int64_t k = 0; k < ch; k++) yr[k] = (xr[k] - m[k]) * a[k] + b[k];
    }
  });
}

void define(napi_env env, napi_value exports, const char* name, napi_callback fn) {
  napi_value f;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, nullptr, &f);
  napi_set_named_property(env, exports, name, f);
}

}  // namespace

void defineWasmKernelExports(napi_env env, napi_value exports) {
  define(env, exports, "wasmMatMul", MatMul);
  define(env, exports, "wasmConv2D", Conv2D);
  define(env, exports, "wasmConv2DBackpropInput", Conv2DBackpropInput);
  define(env, exports, "wasmConv2DBackpropFilter", Conv2DBackpropFilter);
  define(env, exports, "wasmSlice", Slice);
  define(env, exports, "wasmTile", Tile);
  define(env, exports, "wasmTranspose", Transpose);
  define(env, exports, "wasmReduceSum", ReduceSum);
  define(env, exports, "wasmUnary", Unary);
  define(env, exports, "wasmBinary", Binary);
  define(env, exports, "wasmBatchNorm", BatchNorm);
}
