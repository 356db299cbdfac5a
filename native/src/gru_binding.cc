// N-API functions of the native GRU forecaster step (gru_net.h), added to the addon's exports by
// defineGruExports. The handle is a type-tagged external, so another network's handle passed here
// is an error rather than a crash. The few argument helpers are local copies (as in
// transformer_binding.cc) until they move into one shared header.
#include <node_api.h>

#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "gru_net.h"

using runbook::GruNet;
using runbook::GruSpec;
using runbook::OptimizerConfig;
using runbook::RegressionLoss;

namespace {

struct NapiFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

#define NAPI_OK(call)                                                         \
  do {                                                                        \
    if ((call) != napi_ok) throw NapiFailure("N-API call failed: " #call);    \
  } while (0)

const napi_type_tag GRU_TAG = {0x3d71c0a95e2b4f18ULL, 0xa46e19c7d2085b3fULL};

template <typename F>
napi_value guardedCall(napi_env env, F&& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, e.what());
  }
  return nullptr;
}

std::vector<napi_value> argsOf(napi_env env, napi_callback_info info, size_t n, const char* fn) {
  std::vector<napi_value> v(n);
  size_t argc = n;
  NAPI_OK(napi_get_cb_info(env, info, &argc, v.data(), nullptr, nullptr));
  if (argc < n) throw NapiFailure(std::string(fn) + ": expected " + std::to_string(n) + " arguments, got " + std::to_string(argc));
  return v;
}

double number(napi_env env, napi_value v, const std::string& what) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) throw NapiFailure(what + " must be a number");
  return d;
}

int integer(napi_env env, napi_value v, const std::string& what) {
  double d = number(env, v, what);
  if (d != static_cast<double>(static_cast<int>(d))) throw NapiFailure(what + " must be an integer; got " + std::to_string(d));
  return static_cast<int>(d);
}

napi_value field(napi_env env, napi_value obj, const char* name) {
  napi_value v;
  NAPI_OK(napi_get_named_property(env, obj, name, &v));
  return v;
}

std::string text(napi_env env, napi_value v, const std::string& what) {
  char buf[32] = {0};
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, buf, sizeof(buf), &len) != napi_ok) throw NapiFailure(what + " must be a string");
  return std::string(buf, len);
}

float* float32Data(napi_env env, napi_value v, size_t* length, const char* what) {
  bool is = false;
  NAPI_OK(napi_is_typedarray(env, v, &is));
  napi_typedarray_type type;
  void* data = nullptr;
  napi_value ab;
  size_t off;
  if (is) NAPI_OK(napi_get_typedarray_info(env, v, &type, length, &data, &ab, &off));
  if (!is || type != napi_float32_array) throw NapiFailure(std::string(what) + " must be a Float32Array");
  return static_cast<float*>(data);
}

napi_value float32Copy(napi_env env, const float* src, size_t n) {
  napi_value ab, arr;
  void* data;
  NAPI_OK(napi_create_arraybuffer(env, n * sizeof(float), &data, &ab));
  std::memcpy(data, src, n * sizeof(float));
  NAPI_OK(napi_create_typedarray(env, napi_float32_array, n, ab, 0, &arr));
  return arr;
}

/** The network behind a handle; null after gruDispose. */
struct Holder {
  std::unique_ptr<GruNet> net;
};

GruNet* handle(napi_env env, napi_value v) {
  bool tagged = false;
  if (napi_check_object_type_tag(env, v, &GRU_TAG, &tagged) != napi_ok || !tagged) throw NapiFailure("expected a GRU network handle");
  void* p = nullptr;
  NAPI_OK(napi_get_value_external(env, v, &p));
  GruNet* net = static_cast<Holder*>(p)->net.get();
  if (!net) throw NapiFailure("this GRU network handle was disposed");
  return net;
}

// createGru({steps, features, units, outputs, loss: "mae"|"mse"}, {kind: "sgd"|"adam"|"adamw", momentum,
// beta1, beta2, epsilon, weightDecay}) → handle.
napi_value CreateGru(napi_env env, napi_callback_info info) {
  return guardedCall(env, [&]() -> napi_value {
    auto a = argsOf(env, info, 2, "createGru");
    GruSpec s;
    s.steps = integer(env, field(env, a[0], "steps"), "steps");
    s.features = integer(env, field(env, a[0], "features"), "features");
    s.units = integer(env, field(env, a[0], "units"), "units");
    s.outputs = integer(env, field(env, a[0], "outputs"), "outputs");
    const std::string loss = text(env, field(env, a[0], "loss"), "loss");
    if (loss == "mae") s.loss = RegressionLoss::MeanAbsolute;
    else if (loss == "mse") s.loss = RegressionLoss::MeanSquared;
    else throw NapiFailure("loss must be 'mae' or 'mse'; got '" + loss + "'");
    OptimizerConfig opt;
    opt.kind = runbook::parseOptimizerKind(text(env, field(env, a[1], "kind"), "optimizer kind"));
    opt.momentum = static_cast<float>(number(env, field(env, a[1], "momentum"), "momentum"));
    opt.beta1 = static_cast<float>(number(env, field(env, a[1], "beta1"), "beta1"));
    opt.beta2 = static_cast<float>(number(env, field(env, a[1], "beta2"), "beta2"));
    opt.epsilon = static_cast<float>(number(env, field(env, a[1], "epsilon"), "epsilon"));
    opt.weightDecay = static_cast<float>(number(env, field(env, a[1], "weightDecay"), "weightDecay"));
    auto* h = new Holder{std::make_unique<GruNet>(s, opt)};
    napi_value ext;
    auto finalize = [](napi_env, void* data, void*) { delete static_cast<Holder*>(data); };
    if (napi_create_external(env, h, finalize, nullptr, &ext) != napi_ok) {
      delete h;
      throw NapiFailure("could not create the GRU network handle");
    }
    NAPI_OK(napi_type_tag_object(env, ext, &GRU_TAG));
    return ext;
  });
}

std::vector<float>& pickArray(napi_env env, GruNet* net, napi_value which, napi_value index) {
  int i = integer(env, index, "weight index");
  if (i < 0 || i >= GruNet::NumWeights) throw NapiFailure("weight index " + std::to_string(i) + " is outside [0, " + std::to_string(GruNet::NumWeights) + ")");
  const std::string s = text(env, which, "which");
  if (s == "param") return net->param(i);
  if (s == "grad") return net->grad(i);
  throw NapiFailure("expected 'param' or 'grad', got '" + s + "'");
}

// gruGetArray(handle, "param"|"grad", i) → Float32Array copy.
napi_value GetArray(napi_env env, napi_callback_info info) {
  return guardedCall(env, [&]() -> napi_value {
    auto a = argsOf(env, info, 3, "gruGetArray");
    auto& v = pickArray(env, handle(env, a[0]), a[1], a[2]);
    return float32Copy(env, v.data(), v.size());
  });
}

// gruSetParam(handle, i, Float32Array of the weight's exact size).
napi_value SetParam(napi_env env, napi_callback_info info) {
  return guardedCall(env, [&]() -> napi_value {
    auto a = argsOf(env, info, 3, "gruSetParam");
    GruNet* net = handle(env, a[0]);
    int i = integer(env, a[1], "weight index");
    if (i < 0 || i >= GruNet::NumWeights) throw NapiFailure("weight index " + std::to_string(i) + " is outside [0, " + std::to_string(GruNet::NumWeights) + ")");
    size_t n;
    float* src = float32Data(env, a[2], &n, "values");
    auto& p = net->param(i);
    if (n != p.size()) throw NapiFailure("GRU weight " + std::to_string(i) + " has " + std::to_string(p.size()) + " values; got " + std::to_string(n));
    std::memcpy(p.data(), src, n * sizeof(float));
    return nullptr;
  });
}

// gruRun(handle, x, xOffset, y, yOffset, batch, mode, lr) → mean loss. x [batch, T, F] from float
// xOffset, y [batch, K] from float yOffset. mode 0: loss only; 1: also gradients; 2: also the update.
napi_value Run(napi_env env, napi_callback_info info) {
  return guardedCall(env, [&]() -> napi_value {
    auto a = argsOf(env, info, 8, "gruRun");
    GruNet* net = handle(env, a[0]);
    size_t nx, ny;
    const float* x = float32Data(env, a[1], &nx, "x");
    const size_t xo = static_cast<size_t>(integer(env, a[2], "xOffset"));
    const float* y = float32Data(env, a[3], &ny, "y");
    const size_t yo = static_cast<size_t>(integer(env, a[4], "yOffset"));
    const int batch = integer(env, a[5], "batch");
    const int mode = integer(env, a[6], "mode");
    if (mode < 0 || mode > 2) throw NapiFailure("mode must be 0, 1 or 2; got " + std::to_string(mode));
    const size_t xs = static_cast<size_t>(net->inputSize()), ys = static_cast<size_t>(net->spec().outputs);
    if (batch < 1 || xo + batch * xs > nx || yo + batch * ys > ny) {
      throw NapiFailure("gruRun: x (" + std::to_string(nx) + " floats) or y (" + std::to_string(ny) + ") too short for " + std::to_string(batch) +
                        " windows from offsets " + std::to_string(xo) + ", " + std::to_string(yo));
    }
    double loss = net->run(x + xo, y + yo, batch, mode >= 1, mode == 2, static_cast<float>(number(env, a[7], "lr")));
    napi_value r;
    NAPI_OK(napi_create_double(env, loss, &r));
    return r;
  });
}

// gruPredict(handle, x, xOffset, batch) → Float32Array [batch, K].
napi_value Predict(napi_env env, napi_callback_info info) {
  return guardedCall(env, [&]() -> napi_value {
    auto a = argsOf(env, info, 4, "gruPredict");
    GruNet* net = handle(env, a[0]);
    size_t nx;
    const float* x = float32Data(env, a[1], &nx, "x");
    const size_t xo = static_cast<size_t>(integer(env, a[2], "xOffset"));
    const int batch = integer(env, a[3], "batch");
    if (batch < 1 || xo + batch * static_cast<size_t>(net->inputSize()) > nx) {
      throw NapiFailure("gruPredict: x (" + std::to_string(nx) + " floats) too short for " + std::to_string(batch) + " windows from offset " + std::to_string(xo));
    }
    napi_value ab, arr;
    void* data;
    const size_t n = static_cast<size_t>(batch) * net->spec().outputs;
    NAPI_OK(napi_create_arraybuffer(env, n * sizeof(float), &data, &ab));
    net->predict(x + xo, batch, static_cast<float*>(data));
    NAPI_OK(napi_create_typedarray(env, napi_float32_array, n, ab, 0, &arr));
    return arr;
  });
}

// gruDispose(handle): frees the network now (the handle is then unusable).
napi_value Dispose(napi_env env, napi_callback_info info) {
  return guardedCall(env, [&]() -> napi_value {
    auto a = argsOf(env, info, 1, "gruDispose");
    handle(env, a[0]);  // checks the tag and that it is live
    void* p = nullptr;
    NAPI_OK(napi_get_value_external(env, a[0], &p));
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
