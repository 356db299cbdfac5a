// N-API functions of the native GRU forecaster step (gru_net.h), added to the addon's exports by
// defineGruExports. The handle is a type-tagged external, so another network's handle passed here
// is an error rather than a crash. Argument helpers: napi_args.h.
#include <node_api.h>

#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "gru_net.h"
#include "napi_args.h"

using runbook::GruNet;
using runbook::GruSpec;
using runbook::OptimizerConfig;
using runbook::RegressionLoss;

namespace {

using namespace runbook::napi;

const napi_type_tag GRU_TAG = {0x3d71c0a95e2b4f18ULL, 0xa46e19c7d2085b3fULL};

/** The network behind a handle; null after gruDispose. */
struct Holder {
  std::unique_ptr<GruNet> net;
};

GruNet* handle(napi_env env, napi_value v) {
  bool tagged = false;
  if (napi_check_object_type_tag(env, v, &GRU_TAG, &tagged) != napi_ok || !tagged) throw ArgError("expected a GRU network handle");
  void* p = nullptr;
  NAPI_CALL(napi_get_value_external(env, v, &p));
  GruNet* net = static_cast<Holder*>(p)->net.get();
  if (!net) throw ArgError("this GRU network handle was disposed");
  return net;
}

// createGru({steps, features, units, outputs, loss: "mae"|"mse"}, {kind: "sgd"|"adam"|"adamw", momentum,
// beta1, beta2, epsilon, weightDecay}) → handle.
napi_value CreateGru(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 2, "createGru");
    GruSpec s;
    s.steps = integer(env, property(env, a[0], "steps"), "steps");
    s.features = integer(env, property(env, a[0], "features"), "features");
    s.units = integer(env, property(env, a[0], "units"), "units");
    s.outputs = integer(env, property(env, a[0], "outputs"), "outputs");
    const std::string loss = text(env, property(env, a[0], "loss"), "loss");
    if (loss == "mae") s.loss = RegressionLoss::MeanAbsolute;
    else if (loss == "mse") s.loss = RegressionLoss::MeanSquared;
    else throw ArgError("loss must be 'mae' or 'mse'; got '" + loss + "'");
    OptimizerConfig opt;
    opt.kind = runbook::parseOptimizerKind(text(env, property(env, a[1], "kind"), "optimizer kind"));
    opt.momentum = static_cast<float>(number(env, property(env, a[1], "momentum"), "momentum"));
    opt.beta1 = static_cast<float>(number(env, property(env, a[1], "beta1"), "beta1"));
    opt.beta2 = static_cast<float>(number(env, property(env, a[1], "beta2"), "beta2"));
    opt.epsilon = static_cast<float>(number(env, property(env, a[1], "epsilon"), "epsilon"));
    opt.weightDecay = static_cast<float>(number(env, property(env, a[1], "weightDecay"), "weightDecay"));
    auto* h = new Holder{std::make_unique<GruNet>(s, opt)};
    napi_value ext;
    auto finalize = [](napi_env, void* data, void*) { delete static_cast<Holder*>(data); };
    if (napi_create_external(env, h, finalize, nullptr, &ext) != napi_ok) {
      delete h;
      throw ArgError("could not create the GRU network handle");
    }
    NAPI_CALL(napi_type_tag_object(env, ext, &GRU_TAG));
    return ext;
  });
}

std::vector<float>& pickArray(napi_env env, GruNet* net, napi_value which, napi_value index) {
  int i = integer(env, index, "weight index");
  if (i < 0 || i >= GruNet::NumWeights) throw ArgError("weight index " + std::to_string(i) + " is outside [0, " + std::to_string(GruNet::NumWeights) + ")");
  const std::string s = text(env, which, "which");
  if (s == "param") return net->param(i);
  if (s == "grad") return net->grad(i);
  throw ArgError("expected 'param' or 'grad', got '" + s + "'");
}

// gruGetArray(handle, "param"|"grad", i) → Float32Array copy.
napi_value GetArray(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 3, "gruGetArray");
    auto& v = pickArray(env, handle(env, a[0]), a[1], a[2]);
    return float32Copy(env, v.data(), v.size());
  });
}

// gruSetParam(handle, i, Float32Array of the weight's exact size).
napi_value SetParam(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 3, "gruSetParam");
    GruNet* net = handle(env, a[0]);
    int i = integer(env, a[1], "weight index");
    if (i < 0 || i >= GruNet::NumWeights) throw ArgError("weight index " + std::to_string(i) + " is outside [0, " + std::to_string(GruNet::NumWeights) + ")");
    size_t n;
    float* src = typedArray<float>(env, a[2], napi_float32_array, &n, "values");
    auto& p = net->param(i);
    if (n != p.size()) throw ArgError("GRU weight " + std::to_string(i) + " has " + std::to_string(p.size()) + " values; got " + std::to_string(n));
    std::memcpy(p.data(), src, n * sizeof(float));
    return nullptr;
  });
}

// gruRun(handle, x, xOffset, y, yOffset, batch, mode, lr) → mean loss. x [batch, T, F] from float
// xOffset, y [batch, K] from float yOffset. mode 0: loss only; 1: also gradients; 2: also the update.
napi_value Run(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 8, "gruRun");
    GruNet* net = handle(env, a[0]);
    size_t nx, ny;
    const float* x = typedArray<float>(env, a[1], napi_float32_array, &nx, "x");
    const size_t xo = static_cast<size_t>(integer(env, a[2], "xOffset"));
    const float* y = typedArray<float>(env, a[3], napi_float32_array, &ny, "y");
    const size_t yo = static_cast<size_t>(integer(env, a[4], "yOffset"));
    const int batch = integer(env, a[5], "batch");
    const int mode = integer(env, a[6], "mode");
    if (mode < 0 || mode > 2) throw ArgError("mode must be 0, 1 or 2; got " + std::to_string(mode));
    const size_t xs = static_cast<size_t>(net->inputSize()), ys = static_cast<size_t>(net->spec().outputs);
    if (batch < 1 || xo + batch * xs > nx || yo + batch * ys > ny) {
      throw ArgError("gruRun: x (" + std::to_string(nx) + " floats) or y (" + std::to_string(ny) + ") too short for " + std::to_string(batch) +
                        " windows from offsets " + std::to_string(xo) + ", " + std::to_string(yo));
    }
    double loss = net->run(x + xo, y + yo, batch, mode >= 1, mode == 2, static_cast<float>(number(env, a[7], "lr")));
    napi_value r;
    NAPI_CALL(napi_create_double(env, loss, &r));
    return r;
  });
}

// gruPredict(handle, x, xOffset, batch) → Float32Array [batch, K].
napi_value Predict(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 4, "gruPredict");
    GruNet* net = handle(env, a[0]);
    size_t nx;
    const float* x = typedArray<float>(env, a[1], napi_float32_array, &nx, "x");
    const size_t xo = static_cast<size_t>(integer(env, a[2], "xOffset"));
    const int batch = integer(env, a[3], "batch");
    if (batch < 1 || xo + batch * static_cast<size_t>(net->inputSize()) > nx) {
      throw ArgError("gruPredict: x (" + std::to_string(nx) + " floats) too short for " + std::to_string(batch) + " windows from offset " + std::to_string(xo));
    }
    napi_value ab, arr;
    void* data;
    const size_t n = static_cast<size_t>(batch) * net->spec().outputs;
    NAPI_CALL(napi_create_arraybuffer(env, n * sizeof(float), &data, &ab));
    net->predict(x + xo, batch, static_cast<float*>(data));
    NAPI_CALL(napi_create_typedarray(env, napi_float32_array, n, ab, 0, &arr));
    return arr;
  });
}

// gruDispose(handle): frees the network now (the handle is then unusable).
napi_value Dispose(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 1, "gruDispose");
    handle(env, a[0]);  // checks the tag and that it is live
    void* p = nullptr;
    NAPI_CALL(napi_get_value_external(env, a[0], &p));
    static_cast<Holder*>(p)->net.reset();
    return nullptr;
  });
}

}  // namespace

void defineGruExports(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"createGru", nullptr, CreateGru, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gruGetArray", nullptr, GetArray, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gruSetParam", nullptr, SetParam, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gruRun", nullptr, Run, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gruPredict", nullptr, Predict, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gruDispose", nullptr, Dispose, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
