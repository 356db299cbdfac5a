// N-API surface of the native kernels (plain node_api.h, no node-addon-api). Every function checks
// its arguments and turns C++/oneDNN errors into JavaScript exceptions (helpers: napi_args.h).
#include <omp.h>

#include <cstring>
#include <string>
#include <vector>

#include "napi_args.h"  // with onednn_version.h: a clear #error unless oneDNN 2.x
#include "direct_conv.h"
#include "seqnet.h"
#include "wasm_kernels.h"

using runbook::LayerKind;
using runbook::LayerSpec;
using runbook::SeqNet;

namespace {

using namespace runbook::napi;

SeqNet* net(napi_env env, napi_value v) {
  void* p = nullptr;
  if (napi_get_value_external(env, v, &p) != napi_ok || p == nullptr) throw ArgError("expected a network handle");
  return static_cast<SeqNet*>(p);
}

// createNet([h, w, c], layers) → handle. A layer: {kind: "conv"|"pool"|"flatten"|"dense", relu, cout,
// kh, kw, sh, sw, padTop, padBottom, padLeft, padRight}.
napi_value CreateNet(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 2);
    napi_value el;
    int dims[3];
    for (uint32_t i = 0; i < 3; i++) {
      NAPI_CALL(napi_get_element(env, a[0], i, &el));
      dims[i] = static_cast<int>(number(env, el, "input shape entry"));
    }
    uint32_t n = 0;
    NAPI_CALL(napi_get_array_length(env, a[1], &n));
    std::vector<LayerSpec> layers;
    for (uint32_t i = 0; i < n; i++) {
      NAPI_CALL(napi_get_element(env, a[1], i, &el));
      LayerSpec l;
      std::string k = text(env, property(env, el, "kind"), "layer kind");
      if (k == "conv") l.kind = LayerKind::Conv;
      else if (k == "pool") l.kind = LayerKind::Pool;
      else if (k == "flatten") l.kind = LayerKind::Flatten;
      else if (k == "dense") l.kind = LayerKind::Dense;
      else throw ArgError("unknown layer kind '" + k + "'");
      l.relu = boolField(env, el, "relu", false);
      readGeometry(env, el, l);
      layers.push_back(l);
    }
    auto* sn = new SeqNet({dims[0], dims[1], dims[2]}, layers);
    napi_value ext;
    napi_status st = napi_create_external(
        env, sn, [](napi_env, void* data, void*) { delete static_cast<SeqNet*>(data); }, nullptr, &ext);
    if (st != napi_ok) {
      delete sn;
      throw ArgError("could not create the network handle");
    }
    return ext;
  });
}

napi_value NumParams(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 1);
    napi_value r;
    NAPI_CALL(napi_create_int32(env, net(env, a[0])->numParams(), &r));
    return r;
  });
}

std::vector<float>& pick(napi_env env, SeqNet* sn, napi_value which, napi_value index) {
  int i = static_cast<int>(number(env, index, "index"));
  if (i < 0 || i >= sn->numParams()) throw ArgError("parameter index " + std::to_string(i) + " out of range");
  char w[16] = {0};
  size_t len;
  NAPI_CALL(napi_get_value_string_utf8(env, which, w, sizeof(w), &len));
  std::string s(w);
  if (s == "param") return sn->param(i);
  if (s == "grad") return sn->grad(i);
  if (s == "velocity") return sn->velocity(i);
  throw ArgError("expected 'param', 'grad' or 'velocity', got '" + s + "'");
}

// getArray(handle, "param"|"grad"|"velocity", i) → Float32Array copy.
napi_value GetArray(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 3);
    auto& v = pick(env, net(env, a[0]), a[1], a[2]);
    return float32Copy(env, v.data(), v.size());
  });
}

// setArray(handle, "param"|"velocity", i, Float32Array of the exact size).
napi_value SetArray(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 4);
    auto& v = pick(env, net(env, a[0]), a[1], a[2]);
    size_t n;
    float* src = typedArray<float>(env, a[3], napi_float32_array, &n, "values");
    if (n != v.size()) throw ArgError("expected " + std::to_string(v.size()) + " values, got " + std::to_string(n));
    std::memcpy(v.data(), src, n * sizeof(float));
    return nullptr;
  });
}

// trainStep(handle, x: Float32Array, xOffset (floats), labels: Int32Array, labelOffset, batch, lr, momentum, update) → loss.
napi_value TrainStep(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 9);
    SeqNet* sn = net(env, a[0]);
    size_t nx, ny;
    float* x = typedArray<float>(env, a[1], napi_float32_array, &nx, "x");
    size_t xo = static_cast<size_t>(number(env, a[2], "xOffset"));
    int32_t* y = typedArray<int32_t>(env, a[3], napi_int32_array, &ny, "labels");
    size_t yo = static_cast<size_t>(number(env, a[4], "labelOffset"));
    int batch = static_cast<int>(number(env, a[5], "batch"));
    size_t sample = static_cast<size_t>(sn->inputSize());
    if (batch <= 0 || xo + batch * sample > nx || yo + batch > ny) throw ArgError("x or labels too short for this batch");
    float loss = sn->trainStep(x + xo, y + yo, batch, static_cast<float>(number(env, a[6], "lr")),
                               static_cast<float>(number(env, a[7], "momentum")), boolean(env, a[8], "update"));
    napi_value r;
    NAPI_CALL(napi_create_double(env, loss, &r));
    return r;
  });
}

// predict(handle, x: Float32Array, xOffset, batch) → Float32Array logits [batch, classes].
napi_value Predict(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 4);
    SeqNet* sn = net(env, a[0]);
    size_t nx;
    float* x = typedArray<float>(env, a[1], napi_float32_array, &nx, "x");
    size_t xo = static_cast<size_t>(number(env, a[2], "xOffset"));
    int batch = static_cast<int>(number(env, a[3], "batch"));
    size_t sample = static_cast<size_t>(sn->inputSize());
    if (batch <= 0 || xo + batch * sample > nx) throw ArgError("x too short for this batch");
    std::vector<float> logits(static_cast<size_t>(batch) * sn->numClasses());
    sn->predict(x + xo, batch, logits.data());
    return float32Copy(env, logits.data(), logits.size());
  });
}

napi_value ImplInfo(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 2);
    std::string s = net(env, a[0])->implInfo(static_cast<int>(number(env, a[1], "batch")));
    napi_value r;
    NAPI_CALL(napi_create_string_utf8(env, s.c_str(), s.size(), &r));
    return r;
  });
}

// setNumThreads(n) / getNumThreads(): the OpenMP pool oneDNN runs on.
napi_value SetNumThreads(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 1);
    int n = static_cast<int>(number(env, a[0], "threads"));
    if (n < 1) throw ArgError("threads must be >= 1");
    omp_set_num_threads(n);
    return nullptr;
  });
}

napi_value GetNumThreads(napi_env env, napi_callback_info) {
  napi_value r;
  napi_create_int32(env, omp_get_max_threads(), &r);
  return r;
}

// setSimd("auto"|"baseline"|"avx2"|"avx512") → the kernel set now used by direct convs planned
// afterwards; simd() → the one in use; supportedSimd() → those this CPU can run, slowest first.
napi_value SetSimd(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 1);
    char buf[32];
    size_t len = 0;
    if (napi_get_value_string_utf8(env, a[0], buf, sizeof(buf), &len) != napi_ok) throw ArgError("setSimd: name must be a string");
    return jsString(env, runbook::setSimd(std::string(buf, len)));
  });
}

napi_value Simd(napi_env env, napi_callback_info) {
  return guarded(env, [&]() -> napi_value { return jsString(env, runbook::simd()); });
}

napi_value SupportedSimd(napi_env env, napi_callback_info) {
  return guarded(env, [&]() -> napi_value {
    std::vector<std::string> names = runbook::supportedSimd();
    napi_value arr;
    NAPI_CALL(napi_create_array_with_length(env, names.size(), &arr));
    for (size_t i = 0; i < names.size(); i++) NAPI_CALL(napi_set_element(env, arr, static_cast<uint32_t>(i), jsString(env, names[i])));
    return arr;
  });
}

napi_value Version(napi_env env, napi_callback_info) {
  const dnnl_version_t* v = dnnl_version();
  std::string s = "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch) +
                  " (" + (v->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : "other runtime") + ")";
  napi_value r;
  napi_create_string_utf8(env, s.c_str(), s.size(), &r);
  return r;
}

}  // namespace

void defineTransformerExports(napi_env env, napi_value exports);  // transformer_binding.cc
void defineGraphExports(napi_env env, napi_value exports);  // graph_binding.cc
void defineGruExports(napi_env env, napi_value exports);  // gru_binding.cc

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"createNet", nullptr, CreateNet, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"numParams", nullptr, NumParams, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"getArray", nullptr, GetArray, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setArray", nullptr, SetArray, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"trainStep", nullptr, TrainStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"predict", nullptr, Predict, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"implInfo", nullptr, ImplInfo, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setNumThreads", nullptr, SetNumThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"getNumThreads", nullptr, GetNumThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"version", nullptr, Version, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setSimd", nullptr, SetSimd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"simd", nullptr, Simd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"supportedSimd", nullptr, SupportedSimd, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  defineTransformerExports(env, exports);
  defineWasmKernelExports(env, exports);
  defineGraphExports(env, exports);
  defineGruExports(env, exports);
  return exports;
}
