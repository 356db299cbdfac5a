// N-API functions of the native GPT trainer (transformer.h), added to the addon's exports by
// defineTransformerExports. The handle is a type-tagged external, so a conv-net handle passed here
// is an error rather than a crash. The argument helpers are napi_args.h's.
#include <cstring>
#include <string>

#include "napi_args.h"  // with onednn_version.h: a clear #error unless oneDNN 2.x
#include "transformer.h"

using runbook::OptimizerConfig;
using runbook::OptimizerKind;
using runbook::TransformerNet;
using runbook::TransformerSpec;

namespace {

using namespace runbook::napi;

const napi_type_tag TRANSFORMER_TAG = {0x7a3c1e5f9b2d4c61ULL, 0x8e0f6a1d3b5c7e92ULL};

/** A network and the bytes of it V8 has been told about (napi_adjust_external_memory), so its GC sees them. */
struct Holder {
  TransformerNet net;
  int64_t accounted = 0;
  Holder(const TransformerSpec& s, const OptimizerConfig& c) : net(s, c) {}
};

/** Tells V8 how much native memory the handle now holds. */
void account(napi_env env, Holder* h) {
  const int64_t now = static_cast<int64_t>(h->net.memoryBytes());
  int64_t total;
  if (now != h->accounted) napi_adjust_external_memory(env, now - h->accounted, &total);
  h->accounted = now;
}

Holder* holder(napi_env env, napi_value v) {
  bool tagged = false;
  if (napi_check_object_type_tag(env, v, &TRANSFORMER_TAG, &tagged) != napi_ok || !tagged) throw ArgError("expected a transformer handle");
  void* p = nullptr;
  NAPI_CALL(napi_get_value_external(env, v, &p));
  return static_cast<Holder*>(p);
}

/** The network behind a handle that has not been disposed. */
TransformerNet* handle(napi_env env, napi_value v) {
  TransformerNet* net = &holder(env, v)->net;
  if (net->numWeights() == 0) throw ArgError("this transformer handle was disposed");
  return net;
}

// createTransformer({vocabSize, contextLength, dModel, numHeads, numLayers, dFF, tieWeights}, {beta1, beta2, epsilon}) → handle.
napi_value CreateTransformer(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 2, "createTransformer");
    TransformerSpec s;
    s.vocabSize = integer(env, property(env, a[0], "vocabSize"), "vocabSize");
    s.contextLength = integer(env, property(env, a[0], "contextLength"), "contextLength");
    s.dModel = integer(env, property(env, a[0], "dModel"), "dModel");
    s.numHeads = integer(env, property(env, a[0], "numHeads"), "numHeads");
    s.numLayers = integer(env, property(env, a[0], "numLayers"), "numLayers");
    s.dFF = integer(env, property(env, a[0], "dFF"), "dFF");
    NAPI_CALL(napi_get_value_bool(env, property(env, a[0], "tieWeights"), &s.tieWeights));
    OptimizerConfig adam;
    adam.kind = OptimizerKind::Adam;
    adam.beta1 = static_cast<float>(number(env, property(env, a[1], "beta1"), "beta1"));
    adam.beta2 = static_cast<float>(number(env, property(env, a[1], "beta2"), "beta2"));
    adam.epsilon = static_cast<float>(number(env, property(env, a[1], "epsilon"), "epsilon"));
    auto* h = new Holder(s, adam);
    napi_value ext;
    auto finalize = [](napi_env env, void* data, void*) {
      auto* h = static_cast<Holder*>(data);
      int64_t total;
      napi_adjust_external_memory(env, -h->accounted, &total);
      delete h;
    };
    if (napi_create_external(env, h, finalize, nullptr, &ext) != napi_ok) {
      delete h;
      throw ArgError("could not create the transformer handle");
    }
    NAPI_CALL(napi_type_tag_object(env, ext, &TRANSFORMER_TAG));
    account(env, h);
    return ext;
  });
}

std::vector<float>& pickArray(napi_env env, TransformerNet* net, napi_value which, napi_value index) {
  int i = integer(env, index, "weight index");
  if (i < 0 || i >= net->numWeights()) throw ArgError("weight index " + std::to_string(i) + " is outside [0, " + std::to_string(net->numWeights()) + ")");
  char w[8] = {0};
  size_t len;
  NAPI_CALL(napi_get_value_string_utf8(env, which, w, sizeof(w), &len));
  std::string s(w);
  if (s == "param") return net->param(i);
  if (s == "grad") return net->grad(i);
  throw ArgError("expected 'param' or 'grad', got '" + s + "'");
}

// transformerGetArray(handle, "param"|"grad", i) → Float32Array copy.
napi_value GetArray(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 3, "transformerGetArray");
    auto& v = pickArray(env, handle(env, a[0]), a[1], a[2]);
    return float32Copy(env, v.data(), v.size());
  });
}

// transformerSetParam(handle, i, Float32Array of the weight's exact size).
napi_value SetParam(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 3, "transformerSetParam");
    TransformerNet* net = handle(env, a[0]);
    int i = integer(env, a[1], "weight index");
    if (i < 0 || i >= net->numWeights()) throw ArgError("weight index " + std::to_string(i) + " is outside [0, " + std::to_string(net->numWeights()) + ")");
    size_t n;
    float* src = typedArray<float>(env, a[2], napi_float32_array, &n, "values");
    auto& p = net->param(i);
    if (n != p.size()) throw ArgError("weight " + std::to_string(i) + " has " + std::to_string(p.size()) + " values; got " + std::to_string(n));
    std::memcpy(p.data(), src, n * sizeof(float));
    return nullptr;
  });
}

// transformerRun(handle, windows: Int32Array [batch, length], batch, length, mode, lr) → mean loss.
// mode 0: loss only; 1: loss and gradients; 2: loss, gradients and the Adam step at lr.
napi_value Run(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 6, "transformerRun");
    Holder* h = holder(env, a[0]);
    TransformerNet* net = handle(env, a[0]);
    size_t n;
    int32_t* windows = typedArray<int32_t>(env, a[1], napi_int32_array, &n, "windows");
    int batch = integer(env, a[2], "batch");
    int length = integer(env, a[3], "length");
    int mode = integer(env, a[4], "mode");
    if (batch < 1 || length < 2 || static_cast<size_t>(batch) * length > n) {
      throw ArgError("windows has " + std::to_string(n) + " tokens; expected batch·length = " + std::to_string(batch) + "·" + std::to_string(length));
    }
    if (mode < 0 || mode > 2) throw ArgError("mode must be 0, 1 or 2; got " + std::to_string(mode));
    double loss = net->run(windows, batch, length, mode >= 1, mode == 2, static_cast<float>(number(env, a[5], "lr")));
    account(env, h);  // the first call at a larger batch·T grows the activation buffers
    napi_value r;
    NAPI_CALL(napi_create_double(env, loss, &r));
    return r;
  });
}

// transformerDispose(handle): frees the weights and buffers now (the handle is then unusable).
napi_value Dispose(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    auto a = args(env, info, 1, "transformerDispose");
    Holder* h = holder(env, a[0]);
    h->net.release();
    account(env, h);
    return nullptr;
  });
}

}  // namespace

void defineTransformerExports(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"createTransformer", nullptr, CreateTransformer, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"transformerGetArray", nullptr, GetArray, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"transformerSetParam", nullptr, SetParam, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"transformerRun", nullptr, Run, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"transformerDispose", nullptr, Dispose, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
}
