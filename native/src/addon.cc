// N-API bindings. Every function takes float32 views (of the wasm heap, in practice) and an
// Int32Array of geometry, checks that each view is exactly as long as the geometry says, and
// runs synchronously; nothing is retained after it returns.
#include <node_api.h>

#include <cstdint>
#include <string>

#include "kernels.h"

namespace {

using featurelens::ConvGeometry;
using featurelens::PoolGeometry;

struct Floats {
  float* data = nullptr;
  size_t length = 0;
};

bool fail(napi_env env, const std::string& message) {
  napi_throw_type_error(env, nullptr, message.c_str());
  return false;
}

// Whether value is a typed array of `type`; if so, its elements and their count.
bool typedArray(napi_env env, napi_value value, napi_typedarray_type type, void** data, size_t* length) {
  bool is = false;
  napi_is_typedarray(env, value, &is);
  if (!is) return false;
  napi_typedarray_type actual;
  napi_get_typedarray_info(env, value, &actual, length, data, nullptr, nullptr);
  return actual == type;
}

bool readFloats(napi_env env, napi_value value, const char* name, size_t expected, Floats* out) {
  void* data = nullptr;
  if (!typedArray(env, value, napi_float32_array, &data, &out->length)) return fail(env, std::string(name) + " must be a Float32Array");
  if (out->length != expected) {
    return fail(env, std::string(name) + " has " + std::to_string(out->length) + " elements; its shape needs " + std::to_string(expected));
  }
  out->data = static_cast<float*>(data);
  return true;
}

bool readInts(napi_env env, napi_value value, size_t count, int32_t* out) {
  void* data = nullptr;
  size_t length = 0;
  if (!typedArray(env, value, napi_int32_array, &data, &length) || length != count) return fail(env, "geometry must be an Int32Array of " + std::to_string(count));
  for (size_t i = 0; i < count; i++) {
    out[i] = static_cast<const int32_t*>(data)[i];
    if (out[i] < 0) return fail(env, "geometry values must not be negative");
  }
  return true;
}

bool args(napi_env env, napi_callback_info info, size_t count, napi_value* argv) {
  size_t argc = count;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != count) return fail(env, "expected " + std::to_string(count) + " arguments");
  return true;
}

bool readConv(napi_env env, napi_value value, ConvGeometry* g) {
  int32_t v[15];
  if (!readInts(env, value, 15, v)) return false;
  *g = ConvGeometry{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14]};
  if (g->sh < 1 || g->sw < 1 || g->dh < 1 || g->dw < 1) return fail(env, "strides and dilations must be at least 1");
  return true;
}

size_t inputSize(const ConvGeometry& g) { return static_cast<size_t>(g.n) * g.h * g.w * g.ci; }
size_t filterSize(const ConvGeometry& g) { return static_cast<size_t>(g.kh) * g.kw * g.ci * g.co; }
size_t outputSize(const ConvGeometry& g) { return static_cast<size_t>(g.n) * g.oh * g.ow * g.co; }

// (a, b, out, geometry) with a, b and out of the sizes the three callbacks give.
template <size_t (*A)(const ConvGeometry&), size_t (*B)(const ConvGeometry&), size_t (*Out)(const ConvGeometry&),
          void (*Run)(const ConvGeometry&, const float*, const float*, float*)>
napi_value convKernel(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  ConvGeometry g;
  Floats a, b, out;
  if (!args(env, info, 4, argv) || !readConv(env, argv[3], &g)) return nullptr;
  if (!readFloats(env, argv[0], "the first input", A(g), &a) || !readFloats(env, argv[1], "the second input", B(g), &b) ||
      !readFloats(env, argv[2], "the output", Out(g), &out))
    return nullptr;
  Run(g, a.data, b.data, out.data);
  return nullptr;
}

bool readPool(napi_env env, napi_value value, PoolGeometry* g) {
  int32_t v[12];
  if (!readInts(env, value, 12, v)) return false;
  *g = PoolGeometry{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]};
  if (g->sh < 1 || g->sw < 1 || g->fh < 1 || g->fw < 1) return fail(env, "strides and windows must be at least 1");
  return true;
}

size_t poolInput(const PoolGeometry& g) { return static_cast<size_t>(g.n) * g.h * g.w * g.c; }
size_t poolOutput(const PoolGeometry& g) { return static_cast<size_t>(g.n) * g.oh * g.ow * g.c; }

// (x, dy, dx, geometry)
napi_value maxPoolGrad(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  PoolGeometry g;
  Floats x, dy, dx;
  if (!args(env, info, 4, argv) || !readPool(env, argv[3], &g)) return nullptr;
  if (!readFloats(env, argv[0], "x", poolInput(g), &x) || !readFloats(env, argv[1], "dy", poolOutput(g), &dy) || !readFloats(env, argv[2], "dx", poolInput(g), &dx)) return nullptr;
  featurelens::maxPoolGrad(g, x.data, dy.data, dx.data);
  return nullptr;
}

// (dy, dx, geometry)
napi_value avgPoolGrad(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  PoolGeometry g;
  Floats dy, dx;
  if (!args(env, info, 3, argv) || !readPool(env, argv[2], &g)) return nullptr;
  if (!readFloats(env, argv[0], "dy", poolOutput(g), &dy) || !readFloats(env, argv[1], "dx", poolInput(g), &dx)) return nullptr;
  featurelens::avgPoolGrad(g, dy.data, dx.data);
  return nullptr;
}

// (x, bias, out, Int32Array [rows, channels])
napi_value addChannels(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t v[2];
  if (!args(env, info, 4, argv) || !readInts(env, argv[3], 2, v)) return nullptr;
  const size_t size = static_cast<size_t>(v[0]) * v[1];
  Floats x, bias, out;
  if (!readFloats(env, argv[0], "x", size, &x) || !readFloats(env, argv[1], "bias", v[1], &bias) || !readFloats(env, argv[2], "the output", size, &out)) return nullptr;
  featurelens::addChannels(x.data, bias.data, out.data, v[0], v[1]);
  return nullptr;
}

// (a, b, c, Int32Array [m, k, n, transposeA, transposeB])
napi_value matMul(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t v[5];
  if (!args(env, info, 4, argv) || !readInts(env, argv[3], 5, v)) return nullptr;
  if (v[3] > 1 || v[4] > 1) return fail(env, "transposeA and transposeB must be 0 or 1"), nullptr;
  Floats a, b, c;
  if (!readFloats(env, argv[0], "a", static_cast<size_t>(v[0]) * v[1], &a) || !readFloats(env, argv[1], "b", static_cast<size_t>(v[1]) * v[2], &b) ||
      !readFloats(env, argv[2], "the output", static_cast<size_t>(v[0]) * v[2], &c))
    return nullptr;
  featurelens::matMul(a.data, b.data, c.data, v[0], v[1], v[2], v[3] == 1, v[4] == 1);
  return nullptr;
}

// (y, bias or null, Int32Array [rows, channels, activation])
napi_value biasActivation(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t v[3];
  if (!args(env, info, 3, argv) || !readInts(env, argv[2], 3, v)) return nullptr;
  if (v[2] > 2) return fail(env, "activation must be 0 (linear), 1 (relu) or 2 (relu6)"), nullptr;
  Floats y, bias;
  if (!readFloats(env, argv[0], "y", static_cast<size_t>(v[0]) * v[1], &y)) return nullptr;
  napi_valuetype kind;
  napi_typeof(env, argv[1], &kind);
  if (kind != napi_null && !readFloats(env, argv[1], "bias", v[1], &bias)) return nullptr;
  featurelens::biasActivation(y.data, bias.data, v[0], v[1], v[2]);
  return nullptr;
}

// (x, out, Int32Array [rows, channels])
napi_value sumChannels(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t v[2];
  if (!args(env, info, 3, argv) || !readInts(env, argv[2], 2, v)) return nullptr;
  Floats x, out;
  if (!readFloats(env, argv[0], "x", static_cast<size_t>(v[0]) * v[1], &x) || !readFloats(env, argv[1], "the output", v[1], &out)) return nullptr;
  featurelens::sumChannels(x.data, out.data, v[0], v[1]);
  return nullptr;
}

// (Float64Array constants, w, g, m, v, w1, m1, v1), all seven float arrays of one length.
napi_value adamUpdate(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  if (!args(env, info, 8, argv)) return nullptr;
  void* data = nullptr;
  size_t length = 0;
  if (!typedArray(env, argv[0], napi_float64_array, &data, &length) || length != 8) return fail(env, "constants must be a Float64Array of 8"), nullptr;
  const double* c = static_cast<const double*>(data);
  const featurelens::AdamConstants k{c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]};
  if (!typedArray(env, argv[1], napi_float32_array, &data, &length)) return fail(env, "the value must be a Float32Array"), nullptr;
  const char* names[] = {"the value", "the gradient", "m", "v", "the new value", "the new m", "the new v"};
  Floats arrays[7];
  for (int i = 0; i < 7; i++)
    if (!readFloats(env, argv[i + 1], names[i], length, &arrays[i])) return nullptr;
  featurelens::adamUpdate(k, static_cast<int64_t>(length), arrays[0].data, arrays[1].data, arrays[2].data, arrays[3].data, arrays[4].data, arrays[5].data, arrays[6].data);
  return nullptr;
}

// Whether this CPU runs the instructions the addon was built with (AVX2 and FMA on x86-64).
bool cpuSupported() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return true;
#endif
}

napi_value init(napi_env env, napi_value exports) {
  napi_value supported;
  napi_get_boolean(env, cpuSupported(), &supported);
  napi_set_named_property(env, exports, "cpuSupported", supported);
  const napi_property_descriptor methods[] = {
      {"conv2dForward", nullptr, convKernel<inputSize, filterSize, outputSize, featurelens::conv2dForward>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackpropInput", nullptr, convKernel<outputSize, filterSize, inputSize, featurelens::conv2dBackpropInput>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackpropFilter", nullptr, convKernel<inputSize, outputSize, filterSize, featurelens::conv2dBackpropFilter>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"maxPoolGrad", nullptr, maxPoolGrad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"avgPoolGrad", nullptr, avgPoolGrad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"adamUpdate", nullptr, adamUpdate, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"matMul", nullptr, matMul, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"biasActivation", nullptr, biasActivation, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"addChannels", nullptr, addChannels, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"sumChannels", nullptr, sumChannels, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(methods) / sizeof(methods[0]), methods);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
