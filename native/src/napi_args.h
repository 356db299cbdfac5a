// The N-API helpers every binding file shares (binding.cc, graph_binding.cc,
// transformer_binding.cc, wasm_kernels.cc): reading arguments, numbers, strings, object fields and
// typed arrays with errors that name the argument, copying floats out, and the guard that turns
// C++/oneDNN exceptions into JavaScript ones. Header-only (inline), one copy for the whole addon.
#pragma once

#include <node_api.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "onednn_version.h"  // first: a clear #error when the headers are not oneDNN 2.x
#include "oneapi/dnnl/dnnl.hpp"

namespace runbook::napi {

/** A bad argument or a failed N-API call: becomes a JavaScript Error with this message. */
struct ArgError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/** Throws ArgError naming the N-API call that did not return napi_ok. */
#define NAPI_CALL(call)                                                               \
  do {                                                                                \
    if ((call) != napi_ok) throw ::runbook::napi::ArgError("N-API call failed: " #call); \
  } while (0)

/** Runs f (returning a napi_value, or nothing for undefined); a C++ or oneDNN exception becomes a JavaScript Error. */
template <typename F>
napi_value guarded(napi_env env, F&& f) {
  try {
    if constexpr (std::is_void_v<decltype(f())>) {
      f();
      return nullptr;
    } else {
      return f();
    }
  } catch (const dnnl::error& e) {
    napi_throw_error(env, nullptr, (std::string("oneDNN: ") + e.what()).c_str());
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, e.what());
  }
  return nullptr;
}

/** The first n arguments; fewer is an error (prefixed with fn when given). */
inline std::vector<napi_value> args(napi_env env, napi_callback_info info, size_t n, const char* fn = nullptr) {
  std::vector<napi_value> v(n);
  size_t argc = n;
  NAPI_CALL(napi_get_cb_info(env, info, &argc, v.data(), nullptr, nullptr));
  if (argc < n)
    throw ArgError((fn ? std::string(fn) + ": " : std::string()) + "expected " + std::to_string(n) + " arguments, got " + std::to_string(argc));
  return v;
}

inline double number(napi_env env, napi_value v, const std::string& what) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) throw ArgError(what + " must be a number");
  return d;
}

/** A number that must be a whole int. */
inline int integer(napi_env env, napi_value v, const std::string& what) {
  double d = number(env, v, what);
  if (d != static_cast<double>(static_cast<int>(d))) throw ArgError(what + " must be an integer; got " + std::to_string(d));
  return static_cast<int>(d);
}

inline bool boolean(napi_env env, napi_value v, const std::string& what) {
  bool b = false;
  if (napi_get_value_bool(env, v, &b) != napi_ok) throw ArgError(what + " must be a boolean");
  return b;
}

inline std::string text(napi_env env, napi_value v, const std::string& what) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, nullptr, 0, &len) != napi_ok) throw ArgError(what + " must be a string");
  std::string s(len + 1, '\0');
  NAPI_CALL(napi_get_value_string_utf8(env, v, s.data(), s.size(), &len));
  s.resize(len);
  return s;
}

/** obj[name] as it is (undefined when absent). */
inline napi_value property(napi_env env, napi_value obj, const char* name) {
  napi_value v;
  NAPI_CALL(napi_get_named_property(env, obj, name, &v));
  return v;
}

/** obj[name], or nullptr when it is absent or undefined (an optional field). */
inline napi_value field(napi_env env, napi_value obj, const char* name) {
  bool has = false;
  NAPI_CALL(napi_has_named_property(env, obj, name, &has));
  if (!has) return nullptr;
  napi_value v = property(env, obj, name);
  napi_valuetype t;
  NAPI_CALL(napi_typeof(env, v, &t));
  return t == napi_undefined ? nullptr : v;
}

inline double numField(napi_env env, napi_value obj, const char* name, double dflt) {
  napi_value v = field(env, obj, name);
  return v ? number(env, v, name) : dflt;
}

inline bool boolField(napi_env env, napi_value obj, const char* name, bool dflt) {
  napi_value v = field(env, obj, name);
  return v ? boolean(env, v, name) : dflt;
}

/**
 * A conv/pool layer's geometry from a JS object — cout, kh, kw, sh, sw, padTop, padBottom, padLeft,
 * padRight (absent: 0 channels, 1×1, stride 1, no padding) — into any spec with those fields
 * (LayerSpec, GraphNode).
 */
template <typename Spec>
void readGeometry(napi_env env, napi_value obj, Spec& s) {
  s.cout = static_cast<int>(numField(env, obj, "cout", 0));
  s.kh = static_cast<int>(numField(env, obj, "kh", 1));
  s.kw = static_cast<int>(numField(env, obj, "kw", 1));
  s.sh = static_cast<int>(numField(env, obj, "sh", 1));
  s.sw = static_cast<int>(numField(env, obj, "sw", 1));
  s.padTop = static_cast<int>(numField(env, obj, "padTop", 0));
  s.padBottom = static_cast<int>(numField(env, obj, "padBottom", 0));
  s.padLeft = static_cast<int>(numField(env, obj, "padLeft", 0));
  s.padRight = static_cast<int>(numField(env, obj, "padRight", 0));
}

/** The data of a Float32Array (want napi_float32_array) or Int32Array (napi_int32_array); its element count in *length. */
template <typename T>
T* typedArray(napi_env env, napi_value v, napi_typedarray_type want, size_t* length, const char* what) {
  bool is = false;
  NAPI_CALL(napi_is_typedarray(env, v, &is));
  napi_typedarray_type type = napi_int8_array;
  void* data = nullptr;
  napi_value ab;
  size_t off;
  if (is) NAPI_CALL(napi_get_typedarray_info(env, v, &type, length, &data, &ab, &off));
  if (!is || type != want) throw ArgError(std::string(what) + (want == napi_float32_array ? " must be a Float32Array" : " must be an Int32Array"));
  return static_cast<T*>(data);
}

/** A new Float32Array holding a copy of src[0, n). */
inline napi_value float32Copy(napi_env env, const float* src, size_t n) {
  napi_value ab, arr;
  void* data;
  NAPI_CALL(napi_create_arraybuffer(env, n * sizeof(float), &data, &ab));
  std::memcpy(data, src, n * sizeof(float));
  NAPI_CALL(napi_create_typedarray(env, napi_float32_array, n, ab, 0, &arr));
  return arr;
}

inline napi_value jsString(napi_env env, const std::string& s) {
  napi_value r;
  NAPI_CALL(napi_create_string_utf8(env, s.c_str(), s.size(), &r));
  return r;
}

inline napi_value jsNumber(napi_env env, double d) {
  napi_value r;
  NAPI_CALL(napi_create_double(env, d, &r));
  return r;
}

}  // namespace runbook::napi
