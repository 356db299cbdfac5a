// N-API functions that run oneDNN primitives in place on TensorFlow.js's wasm heap (wasm_kernels.cc).
#pragma once
#include <node_api.h>

/** Adds wasmMatMul, wasmConv2D, wasmConv2DBackpropInput, wasmConv2DBackpropFilter, wasmSlice and wasmTile to the addon's exports. */
void defineWasmKernelExports(napi_env env, napi_value exports);
