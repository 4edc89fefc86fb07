// Training kernels for the wasm backend, run natively on tensors in the wasm heap.
// Layouts are tfjs's: NHWC activations, HWIO filters ([kh][kw][ci][co]), row-major float32.
#pragma once
#include <cstdint>

namespace featurelens {

struct ConvGeometry {
  int n, h, w, ci;       // input
  int kh, kw, co;        // filter
  int oh, ow;            // output
  int sh, sw, dh, dw;    // strides, dilations
  int pt, pl;            // top and left padding
};

// y = conv2d(x, filter)
void conv2dForward(const ConvGeometry& g, const float* x, const float* filter, float* y);
// dx = the input gradient of conv2d for output gradient dy
void conv2dBackpropInput(const ConvGeometry& g, const float* dy, const float* filter, float* dx);
// dfilter = the filter gradient of conv2d for input x and output gradient dy
void conv2dBackpropFilter(const ConvGeometry& g, const float* x, const float* dy, float* dfilter);

struct PoolGeometry {
  int n, h, w, c;        // input
  int oh, ow;            // output
  int fh, fw;            // effective window
  int sh, sw;            // strides
  int pt, pl;            // top and left padding
};

// dx of max pooling: each output's gradient goes to the first input in its window (row-major)
// that holds the window's maximum, as in tfjs's cpu backend.
void maxPoolGrad(const PoolGeometry& g, const float* x, const float* dy, float* dx);
// dx of average pooling: each output's gradient spread evenly over its window.
void avgPoolGrad(const PoolGeometry& g, const float* dy, float* dx);

// out[r][c] = x[r][c] + bias[c]: a bias added to every pixel (rows) of an NHWC tensor.
void addChannels(const float* x, const float* bias, float* out, int64_t rows, int channels);
// In place: y[r][c] = activation(y[r][c] + bias[c]); bias may be null; activation 0 linear,
// 1 relu, 2 relu6.
void biasActivation(float* y, const float* bias, int64_t rows, int channels, int activation);
// out[c] = Σ_r x[r][c]: a bias gradient, the sum over every pixel of each channel.
void sumChannels(const float* x, float* out, int64_t rows, int channels);

// c[m×n] = op(a)·op(b), row-major; op(a) is m×k (a stored k×m when transposeA), op(b) k×n
// (b stored n×k when transposeB).
void matMul(const float* a, const float* b, float* c, int m, int k, int n, bool transposeA, bool transposeB);

// One Adam step for one variable; the constants are float32 values, as tfjs's scalars are.
struct AdamConstants {
  double beta1, beta2, oneMinusBeta1, oneMinusBeta2, correction1, correction2, epsilon, step;
};
void adamUpdate(const AdamConstants& k, int64_t n, const float* w, const float* g, const float* m, const float* v, float* w1, float* m1, float* v1);

}  // namespace featurelens
