// N-API functions that run oneDNN primitives in place on TensorFlow.js's wasm heap (wasm_kernels.cc).
#pragma once
#include <node_api.h>

/** Adds the wasm* functions (matmul, conv and its gradients, slice, tile, reduce-sum, tanh/exp/sigmoid) to the addon's exports. */
void defineWasmKernelExports(napi_env env, napi_value exports);
