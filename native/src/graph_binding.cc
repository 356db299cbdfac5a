// N-API surface of the GraphNet (graphnet.h): createGraphNet, graphTrainStep, graphPredict,
// graphGetArray/graphSetArray, graphNumArrays, graphImplInfo. Arguments are checked and C++/oneDNN
// errors become JavaScript exceptions with the helpers of napi_args.h.
#include <cstring>
#include <string>
#include <vector>

#include "graphnet.h"
#include "napi_args.h"

using runbook::GraphNet;
using runbook::GraphNode;
using runbook::NodeKind;

namespace {

using namespace runbook::napi;

GraphNet* graph(napi_env env, napi_value v) {
  void* p = nullptr;
  napi_valuetype t;
  NAPI_CALL(napi_typeof(env, v, &t));
  if (t != napi_external || napi_get_value_external(env, v, &p) != napi_ok || p == nullptr) throw ArgError("expected a graph network handle");
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
  throw ArgError("unknown graph node kind '" + k + "'");
}

// The optimiser spec { kind, momentum?, beta1?, beta2?, epsilon?, weightDecay? } of createGraphNet and graphRestart.
runbook::OptimizerConfig optimizerConfig(napi_env env, napi_value spec) {
  runbook::OptimizerConfig opt;
  napi_value kind = field(env, spec, "kind");
  opt.kind = runbook::parseOptimizerKind(kind ? text(env, kind, "optimizer kind") : "sgd");
  opt.momentum = static_cast<float>(numField(env, spec, "momentum", 0));
  opt.beta1 = static_cast<float>(numField(env, spec, "beta1", opt.beta1));
  opt.beta2 = static_cast<float>(numField(env, spec, "beta2", opt.beta2));
  opt.epsilon = static_cast<float>(numField(env, spec, "epsilon", opt.epsilon));
  opt.weightDecay = static_cast<float>(numField(env, spec, "weightDecay", 0));
  return opt;
}

// createGraphNet([h, w, c], nodes, optimizer, seed) → handle. A node: {kind, inputs: number[], relu, bias,
// cout, kh, kw, sh, sw, padTop, padBottom, padLeft, padRight, momentum, epsilon, rate}; optimizer:
// {kind: "sgd"|"adam"|"adamw", momentum, beta1, beta2, epsilon, weightDecay}.
napi_value CreateGraphNet(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 4);
    napi_value el;
    int dims[3];
    for (uint32_t i = 0; i < 3; i++) {
      NAPI_CALL(napi_get_element(env, a[0], i, &el));
      dims[i] = static_cast<int>(number(env, el, "input shape entry"));
    }
    uint32_t n = 0;
    NAPI_CALL(napi_get_array_length(env, a[1], &n));
    std::vector<GraphNode> nodes;
    for (uint32_t i = 0; i < n; i++) {
      NAPI_CALL(napi_get_element(env, a[1], i, &el));
      napi_value kind = field(env, el, "kind");
      if (!kind) throw ArgError("graph node " + std::to_string(i) + " has no kind");
      GraphNode g;
      g.kind = nodeKind(text(env, kind, "kind"));
      napi_value ins = field(env, el, "inputs");
      if (!ins) throw ArgError("graph node " + std::to_string(i) + " has no inputs");
      uint32_t ni = 0;
      NAPI_CALL(napi_get_array_length(env, ins, &ni));
      for (uint32_t k = 0; k < ni; k++) {
        napi_value v;
        NAPI_CALL(napi_get_element(env, ins, k, &v));
        g.inputs.push_back(static_cast<int>(number(env, v, "inputs entry")));
      }
      g.relu = boolField(env, el, "relu", false);
      g.bias = boolField(env, el, "bias", true);
      readGeometry(env, el, g);
      g.momentum = static_cast<float>(numField(env, el, "momentum", 0.99));
      g.epsilon = static_cast<float>(numField(env, el, "epsilon", 1e-3));
      g.rate = static_cast<float>(numField(env, el, "rate", 0));
      nodes.push_back(g);
    }
    runbook::OptimizerConfig opt = optimizerConfig(env, a[2]);
    auto seed = static_cast<uint64_t>(number(env, a[3], "seed"));
    auto* g = new GraphNet({dims[0], dims[1], dims[2]}, nodes, opt, seed);
    napi_value ext;
    napi_status st = napi_create_external(
        env, g, [](napi_env, void* data, void*) { delete static_cast<GraphNet*>(data); }, nullptr, &ext);
    if (st != napi_ok) {
      delete g;
      throw ArgError("could not create the graph network handle");
    }
    return ext;
  });
}

std::vector<float>& pickArray(napi_env env, GraphNet* g, napi_value which, napi_value index) {
  std::string w = text(env, which, "which");
  int i = static_cast<int>(number(env, index, "index"));
  int count = w == "state" ? g->numStates() : g->numParams();
  if (w != "param" && w != "grad" && w != "state") throw ArgError("expected 'param', 'grad' or 'state', got '" + w + "'");
  if (i < 0 || i >= count) throw ArgError(w + " index " + std::to_string(i) + " out of range [0, " + std::to_string(count) + ")");
  if (w == "param") return g->param(i);
  if (w == "grad") return g->grad(i);
  return g->state(i);
}

// graphGetArray(handle, "param"|"grad"|"state", i) → Float32Array copy.
napi_value GraphGetArray(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 3);
    auto& v = pickArray(env, graph(env, a[0]), a[1], a[2]);
    return float32Copy(env, v.data(), v.size());
  });
}

// graphSetArray(handle, "param"|"state", i, Float32Array of the exact size).
napi_value GraphSetArray(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 4);
    auto& v = pickArray(env, graph(env, a[0]), a[1], a[2]);
    size_t n;
    float* src = typedArray<float>(env, a[3], napi_float32_array, &n, "values");
    if (n != v.size()) throw ArgError("expected " + std::to_string(v.size()) + " values, got " + std::to_string(n));
    std::memcpy(v.data(), src, n * sizeof(float));
    return nullptr;
  });
}

// graphNumArrays(handle, "param"|"state") → count.
napi_value GraphNumArrays(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 2);
    GraphNet* g = graph(env, a[0]);
    napi_value r;
    NAPI_CALL(napi_create_int32(env, text(env, a[1], "which") == "state" ? g->numStates() : g->numParams(), &r));
    return r;
  });
}

// graphTrainStep(handle, x, xOffset, labels, labelOffset, batch, lr, momentum, update) → loss.
napi_value GraphTrainStep(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 9);
    GraphNet* g = graph(env, a[0]);
    size_t nx, ny;
    float* x = typedArray<float>(env, a[1], napi_float32_array, &nx, "x");
    auto xo = static_cast<size_t>(number(env, a[2], "xOffset"));
    int32_t* y = typedArray<int32_t>(env, a[3], napi_int32_array, &ny, "labels");
    auto yo = static_cast<size_t>(number(env, a[4], "labelOffset"));
    int batch = static_cast<int>(number(env, a[5], "batch"));
    auto sample = static_cast<size_t>(g->inputSize());
    if (batch <= 0 || xo + batch * sample > nx || yo + batch > ny) throw ArgError("x or labels too short for this batch");
    bool update = false;
    NAPI_CALL(napi_get_value_bool(env, a[8], &update));
    float loss = g->trainStep(x + xo, y + yo, batch, static_cast<float>(number(env, a[6], "lr")),
                              static_cast<float>(number(env, a[7], "momentum")), update);
    napi_value r;
    NAPI_CALL(napi_create_double(env, loss, &r));
    return r;
  });
}

// graphPredict(handle, x, xOffset, batch) → Float32Array logits [batch, classes] (inference mode).
napi_value GraphPredict(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 4);
    GraphNet* g = graph(env, a[0]);
    size_t nx;
    float* x = typedArray<float>(env, a[1], napi_float32_array, &nx, "x");
    auto xo = static_cast<size_t>(number(env, a[2], "xOffset"));
    int batch = static_cast<int>(number(env, a[3], "batch"));
    if (batch <= 0 || xo + batch * static_cast<size_t>(g->inputSize()) > nx) throw ArgError("x too short for this batch");
    std::vector<float> logits(static_cast<size_t>(batch) * g->numClasses());
    g->predict(x + xo, batch, logits.data());
    return float32Copy(env, logits.data(), logits.size());
  });
}

napi_value GraphImplInfo(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 2);
    std::string s = graph(env, a[0])->implInfo(static_cast<int>(number(env, a[1], "batch")));
    napi_value r;
    NAPI_CALL(napi_create_string_utf8(env, s.c_str(), s.size(), &r));
    return r;
  });
}

// graphRestart(net, optimizer, seed): a new training run on the same buffers (GraphNet::restart).
napi_value GraphRestart(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 3);
    graph(env, a[0])->restart(optimizerConfig(env, a[1]), static_cast<uint64_t>(number(env, a[2], "seed")));
    return nullptr;
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
      {"graphRestart", nullptr, GraphRestart, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
