// N-API surface of the GraphNet (graphnet.h): createGraphNet, graphTrainStep, graphPredict,
// graphGetArray/graphSetArray, graphNumArrays, graphImplInfo. Arguments are checked and C++/oneDNN
// errors become JavaScript exceptions, as in binding.cc (whose helpers are file-local, hence the
// few small ones below).
#include <node_api.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "graphnet.h"

using runbook::GraphNet;
using runbook::GraphNode;
using runbook::NodeKind;

namespace {

struct GraphJsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

#define GCHECK(call)                                                        \
  do {                                                                      \
    if ((call) != napi_ok) throw GraphJsError("N-API call failed: " #call); \
  } while (0)

template <typename F>
napi_value guard(napi_env env, F&& f) {
  try {
    return f();
  } catch (const dnnl::error& e) {
    napi_throw_error(env, nullptr, (std::string("oneDNN: ") + e.what()).c_str());
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, e.what());
  }
  return nullptr;
}

std::vector<napi_value> argv(napi_env env, napi_callback_info info, size_t n) {
  std::vector<napi_value> v(n);
  size_t argc = n;
  GCHECK(napi_get_cb_info(env, info, &argc, v.data(), nullptr, nullptr));
  if (argc < n) throw GraphJsError("expected " + std::to_string(n) + " arguments, got " + std::to_string(argc));
  return v;
}

double number(napi_env env, napi_value v, const char* what) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) throw GraphJsError(std::string(what) + " must be a number");
  return d;
}

std::string text(napi_env env, napi_value v, const char* what) {
  char buf[64] = {0};
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, buf, sizeof(buf), &len) != napi_ok) throw GraphJsError(std::string(what) + " must be a string");
  return std::string(buf, len);
}

napi_value field(napi_env env, napi_value obj, const char* name) {
  bool has = false;
  GCHECK(napi_has_named_property(env, obj, name, &has));
  if (!has) return nullptr;
  napi_value v;
  GCHECK(napi_get_named_property(env, obj, name, &v));
  napi_valuetype t;
  GCHECK(napi_typeof(env, v, &t));
  return t == napi_undefined ? nullptr : v;
}

double numField(napi_env env, napi_value obj, const char* name, double dflt) {
  napi_value v = field(env, obj, name);
  return v ? number(env, v, name) : dflt;
}

bool boolField(napi_env env, napi_value obj, const char* name, bool dflt) {
  napi_value v = field(env, obj, name);
  if (!v) return dflt;
  bool b = dflt;
  if (napi_get_value_bool(env, v, &b) != napi_ok) throw GraphJsError(std::string(name) + " must be a boolean");
  return b;
}

template <typename T>
T* typed(napi_env env, napi_value v, napi_typedarray_type want, size_t* length, const char* what) {
  bool is = false;
  GCHECK(napi_is_typedarray(env, v, &is));
  if (!is) throw GraphJsError(std::string(what) + " must be a typed array");
  napi_typedarray_type type;
  void* data;
  napi_value ab;
  size_t off;
  GCHECK(napi_get_typedarray_info(env, v, &type, length, &data, &ab, &off));
  if (type != want) throw GraphJsError(std::string(what) + (want == napi_float32_array ? " must be a Float32Array" : " must be an Int32Array"));
  return static_cast<T*>(data);
}

GraphNet* graph(napi_env env, napi_value v) {
  void* p = nullptr;
  napi_valuetype t;
  GCHECK(napi_typeof(env, v, &t));
  if (t != napi_external || napi_get_value_external(env, v, &p) != napi_ok || p == nullptr) throw GraphJsError("expected a graph network handle");
  return static_cast<GraphNet*>(p);
}

NodeKind nodeKind(const std::string& k) {
  if (k == "conv") return NodeKind::Conv;
  if (k == "batchNorm") return NodeKind::BatchNorm;
  if (k == "relu") return NodeKind::Relu;
  if (k == "add") return NodeKind::Add;
  if (k == "zeroPad") return NodeKind::ZeroPad;
  if (k == "shortcutA") return NodeKind::ShortcutA;
  if (k == "globalAvgPool") return NodeKind::GlobalAvgPool;
  if (k == "maxPool") return NodeKind::MaxPool;
  if (k == "flatten") return NodeKind::Flatten;
  if (k == "dense") return NodeKind::Dense;
  if (k == "dropout") return NodeKind::Dropout;
  throw GraphJsError("unknown graph node kind '" + k + "'");
}

// createGraphNet([h, w, c], nodes, optimizer, seed) → handle. A node: {kind, inputs: number[], relu, bias,
// cout, kh, kw, sh, sw, padTop, padBottom, padLeft, padRight, momentum, epsilon, rate}; optimizer:
// {kind: "sgd"|"adam"|"adamw", momentum, beta1, beta2, epsilon, weightDecay}.
napi_value CreateGraphNet(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    auto a = argv(env, info, 4);
    napi_value el;
    int dims[3];
    for (uint32_t i = 0; i < 3; i++) {
      GCHECK(napi_get_element(env, a[0], i, &el));
      dims[i] = static_cast<int>(number(env, el, "input shape entry"));
    }
    uint32_t n = 0;
    GCHECK(napi_get_array_length(env, a[1], &n));
    std::vector<GraphNode> nodes;
    for (uint32_t i = 0; i < n; i++) {
      GCHECK(napi_get_element(env, a[1], i, &el));
      napi_value kind = field(env, el, "kind");
      if (!kind) throw GraphJsError("graph node " + std::to_string(i) + " has no kind");
      GraphNode g;
      g.kind = nodeKind(text(env, kind, "kind"));
      napi_value ins = field(env, el, "inputs");
      if (!ins) throw GraphJsError("graph node " + std::to_string(i) + " has no inputs");
      uint32_t ni = 0;
      GCHECK(napi_get_array_length(env, ins, &ni));
      for (uint32_t k = 0; k < ni; k++) {
        napi_value v;
        GCHECK(napi_get_element(env, ins, k, &v));
        g.inputs.push_back(static_cast<int>(number(env, v, "inputs entry")));
      }
      g.relu = boolField(env, el, "relu", false);
      g.bias = boolField(env, el, "bias", true);
      g.cout = static_cast<int>(numField(env, el, "cout", 0));
      g.kh = static_cast<int>(numField(env, el, "kh", 1));
      g.kw = static_cast<int>(numField(env, el, "kw", 1));
      g.sh = static_cast<int>(numField(env, el, "sh", 1));
      g.sw = static_cast<int>(numField(env, el, "sw", 1));
      g.padTop = static_cast<int>(numField(env, el, "padTop", 0));
      g.padBottom = static_cast<int>(numField(env, el, "padBottom", 0));
      g.padLeft = static_cast<int>(numField(env, el, "padLeft", 0));
      g.padRight = static_cast<int>(numField(env, el, "padRight", 0));
      g.momentum = static_cast<float>(numField(env, el, "momentum", 0.99));
      g.epsilon = static_cast<float>(numField(env, el, "epsilon", 1e-3));
      g.rate = static_cast<float>(numField(env, el, "rate", 0));
      nodes.push_back(g);
    }
    runbook::OptimizerConfig opt;
    napi_value kind = field(env, a[2], "kind");
    opt.kind = runbook::parseOptimizerKind(kind ? text(env, kind, "optimizer kind") : "sgd");
    opt.momentum = static_cast<float>(numField(env, a[2], "momentum", 0));
    opt.beta1 = static_cast<float>(numField(env, a[2], "beta1", opt.beta1));
    opt.beta2 = static_cast<float>(numField(env, a[2], "beta2", opt.beta2));
    opt.epsilon = static_cast<float>(numField(env, a[2], "epsilon", opt.epsilon));
    opt.weightDecay = static_cast<float>(numField(env, a[2], "weightDecay", 0));
    auto seed = static_cast<uint64_t>(number(env, a[3], "seed"));
    auto* g = new GraphNet({dims[0], dims[1], dims[2]}, nodes, opt, seed);
    napi_value ext;
    napi_status st = napi_create_external(
        env, g, [](napi_env, void* data, void*) { delete static_cast<GraphNet*>(data); }, nullptr, &ext);
    if (st != napi_ok) {
      delete g;
      throw GraphJsError("could not create the graph network handle");
    }
    return ext;
  });
}

std::vector<float>& pickArray(napi_env env, GraphNet* g, napi_value which, napi_value index) {
  std::string w = text(env, which, "which");
  int i = static_cast<int>(number(env, index, "index"));
  int count = w == "state" ? g->numStates() : g->numParams();
  if (w != "param" && w != "grad" && w != "state") throw GraphJsError("expected 'param', 'grad' or 'state', got '" + w + "'");
  if (i < 0 || i >= count) throw GraphJsError(w + " index " + std::to_string(i) + " out of range [0, " + std::to_string(count) + ")");
  if (w == "param") return g->param(i);
  if (w == "grad") return g->grad(i);
  return g->state(i);
}

napi_value floats(napi_env env, const float* src, size_t n) {
  napi_value ab, arr;
  void* data;
  GCHECK(napi_create_arraybuffer(env, n * sizeof(float), &data, &ab));
  std::memcpy(data, src, n * sizeof(float));
  GCHECK(napi_create_typedarray(env, napi_float32_array, n, ab, 0, &arr));
  return arr;
}

// graphGetArray(handle, "param"|"grad"|"state", i) → Float32Array copy.
napi_value GraphGetArray(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    auto a = argv(env, info, 3);
    auto& v = pickArray(env, graph(env, a[0]), a[1], a[2]);
    return floats(env, v.data(), v.size());
  });
}

// graphSetArray(handle, "param"|"state", i, Float32Array of the exact size).
napi_value GraphSetArray(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    auto a = argv(env, info, 4);
    auto& v = pickArray(env, graph(env, a[0]), a[1], a[2]);
    size_t n;
    float* src = typed<float>(env, a[3], napi_float32_array, &n, "values");
    if (n != v.size()) throw GraphJsError("expected " + std::to_string(v.size()) + " values, got " + std::to_string(n));
    std::memcpy(v.data(), src, n * sizeof(float));
    return nullptr;
  });
}

// graphNumArrays(handle, "param"|"state") → count.
napi_value GraphNumArrays(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    auto a = argv(env, info, 2);
    GraphNet* g = graph(env, a[0]);
    napi_value r;
    GCHECK(napi_create_int32(env, text(env, a[1], "which") == "state" ? g->numStates() : g->numParams(), &r));
    return r;
  });
}

// graphTrainStep(handle, x, xOffset, labels, labelOffset, batch, lr, momentum, update) → loss.
napi_value GraphTrainStep(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    auto a = argv(env, info, 9);
    GraphNet* g = graph(env, a[0]);
    size_t nx, ny;
    float* x = typed<float>(env, a[1], napi_float32_array, &nx, "x");
    auto xo = static_cast<size_t>(number(env, a[2], "xOffset"));
    int32_t* y = typed<int32_t>(env, a[3], napi_int32_array, &ny, "labels");
    auto yo = static_cast<size_t>(number(env, a[4], "labelOffset"));
    int batch = static_cast<int>(number(env, a[5], "batch"));
    auto sample = static_cast<size_t>(g->inputSize());
    if (batch <= 0 || xo + batch * sample > nx || yo + batch > ny) throw GraphJsError("x or labels too short for this batch");
    bool update = false;
    GCHECK(napi_get_value_bool(env, a[8], &update));
    float loss = g->trainStep(x + xo, y + yo, batch, static_cast<float>(number(env, a[6], "lr")),
                              static_cast<float>(number(env, a[7], "momentum")), update);
    napi_value r;
    GCHECK(napi_create_double(env, loss, &r));
    return r;
  });
}

// graphPredict(handle, x, xOffset, batch) → Float32Array logits [batch, classes] (inference mode).
napi_value GraphPredict(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    auto a = argv(env, info, 4);
    GraphNet* g = graph(env, a[0]);
    size_t nx;
    float* x = typed<float>(env, a[1], napi_float32_array, &nx, "x");
    auto xo = static_cast<size_t>(number(env, a[2], "xOffset"));
    int batch = static_cast<int>(number(env, a[3], "batch"));
    if (batch <= 0 || xo + batch * static_cast<size_t>(g->inputSize()) > nx) throw GraphJsError("x too short for this batch");
    std::vector<float> logits(static_cast<size_t>(batch) * g->numClasses());
    g->predict(x + xo, batch, logits.data());
    return floats(env, logits.data(), logits.size());
  });
}

napi_value GraphImplInfo(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    auto a = argv(env, info, 2);
    std::string s = graph(env, a[0])->implInfo(static_cast<int>(number(env, a[1], "batch")));
    napi_value r;
    GCHECK(napi_create_string_utf8(env, s.c_str(), s.size(), &r));
    return r;
  });
}

}  // namespace

void defineGraphExports(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"createGraphNet", nullptr, CreateGraphNet, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"graphTrainStep", nullptr, GraphTrainStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"graphPredict", nullptr, GraphPredict, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"graphGetArray", nullptr, GraphGetArray, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"graphSetArray", nullptr, GraphSetArray, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"graphNumArrays", nullptr, GraphNumArrays, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"graphImplInfo", nullptr, GraphImplInfo, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
