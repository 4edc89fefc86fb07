// Convolution gradients as sums of broadcast-scalar × vector products with the accumulators
// held in registers: 8 channels per vector, up to 4 vectors per pass (more passes for more
// channels). Channel counts that are not a multiple of 8 are padded with zeros in copies.
#include <cstring>
#include <vector>

#include "kernels.h"

namespace featurelens {

namespace {

typedef float v8 __attribute__((vector_size(32)));
typedef float v8u __attribute__((vector_size(32), aligned(4)));

inline v8 load(const float* p) { return *reinterpret_cast<const v8u*>(p); }
inline void store(float* p, v8 v) { *reinterpret_cast<v8u*>(p) = v; }

// The input row/column a filter tap reads for an output position, or -1 outside the input.
inline int source(int out, int stride, int pad, int tap, int dilation, int size) {
  const int at = out * stride - pad + tap * dilation;
  return at >= 0 && at < size ? at : -1;
}

inline int64_t pixel(int n, int y, int x, int height, int width) { return (static_cast<int64_t>(n) * height + y) * width + x; }

// Runs body<B>(first) over channels [0, count), count a multiple of 8, in chunks of 8·B
// channels, B up to 4.
template <typename Body>
inline void chunks(int count, Body&& body) {
  int c = 0;
  for (; c + 32 <= count; c += 32) body.template operator()<4>(c);
  if (c + 24 <= count) body.template operator()<3>(c), c += 24;
  if (c + 16 <= count) body.template operator()<2>(c), c += 16;
  if (c + 8 <= count) body.template operator()<1>(c), c += 8;
}


inline int roundUp8(int n) { return (n + 7) / 8 * 8; }

// Copies rows of `count` floats into rows of `stride` floats (zero-filled), or back.
void widen(const float* from, int rows, int count, int stride, float* to) {
  for (int64_t r = 0; r < rows; r++) {
    std::memcpy(to + r * stride, from + r * count, sizeof(float) * count);
    std::memset(to + r * stride + count, 0, sizeof(float) * (stride - count));
  }
}
void narrow(const float* from, int rows, int count, int stride, float* to) {
  for (int64_t r = 0; r < rows; r++) std::memcpy(to + r * count, from + r * stride, sizeof(float) * count);
}

}  // namespace

void conv2dBackpropInput(const ConvGeometry& g, const float* __restrict dy, const float* __restrict filter, float* __restrict dx) {
  const int ci = g.ci;
  const int co = g.co;
  const int cp = roundUp8(ci);
  const int taps = g.kh * g.kw;
  // The filter as [kh][kw][co][ci], input channels padded to a multiple of 8, so vectors run over them.
  std::vector<float> ft(static_cast<size_t>(taps) * co * cp, 0.0f);
  for (int k = 0; k < taps; k++)
    for (int c = 0; c < ci; c++)
      for (int o = 0; o < co; o++) ft[(static_cast<size_t>(k) * co + o) * cp + c] = filter[(static_cast<size_t>(k) * ci + c) * co + o];
  const int64_t pixels = static_cast<int64_t>(g.n) * g.h * g.w;
  std::vector<float> wide(cp == ci ? 0 : pixels * cp);
  float* target = cp == ci ? dx : wide.data();
  for (int n = 0; n < g.n; n++) {
    for (int ih = 0; ih < g.h; ih++) {
      for (int iw = 0; iw < g.w; iw++) {
        float* out = target + pixel(n, ih, iw, g.h, g.w) * cp;
        auto body = [&]<int B>(int first) {
          v8 acc[B] = {};
          for (int kh = 0; kh < g.kh; kh++) {
            const int th = ih + g.pt - kh * g.dh;
            if (th < 0 || th % g.sh != 0 || th / g.sh >= g.oh) continue;
            for (int kw = 0; kw < g.kw; kw++) {
              const int tw = iw + g.pl - kw * g.dw;
              if (tw < 0 || tw % g.sw != 0 || tw / g.sw >= g.ow) continue;
              const float* gp = dy + pixel(n, th / g.sh, tw / g.sw, g.oh, g.ow) * co;
              const float* fp = ft.data() + (static_cast<size_t>(kh) * g.kw + kw) * co * cp + first;
              for (int o = 0; o < co; o++) {
                const float s = gp[o];
                const float* row = fp + static_cast<int64_t>(o) * cp;
                for (int b = 0; b < B; b++) acc[b] += s * load(row + 8 * b);
              }
            }
          }
          for (int b = 0; b < B; b++) store(out + first + 8 * b, acc[b]);
        };
        chunks(cp, body);
      }
    }
  }
  if (cp != ci) narrow(wide.data(), pixels, ci, cp, dx);
}

void conv2dBackpropFilter(const ConvGeometry& g, const float* __restrict x, const float* __restrict dy, float* __restrict dfilter) {
  const int ci = g.ci;
  const int co = g.co;
  const int cp = roundUp8(co);
  const int64_t outPixels = static_cast<int64_t>(g.n) * g.oh * g.ow;
  // dy and the result with output channels padded to a multiple of 8.
  std::vector<float> wideDy(cp == co ? 0 : outPixels * cp);
  if (cp != co) widen(dy, outPixels, co, cp, wideDy.data());
  const float* grad = cp == co ? dy : wideDy.data();
  std::vector<float> wideOut(cp == co ? 0 : static_cast<size_t>(g.kh) * g.kw * ci * cp);
  float* target = cp == co ? dfilter : wideOut.data();
  for (int kh = 0; kh < g.kh; kh++) {
    for (int kw = 0; kw < g.kw; kw++) {
      float* tap = target + (static_cast<int64_t>(kh) * g.kw + kw) * ci * cp;
      for (int c = 0; c < ci; c++) {
        float* out = tap + static_cast<int64_t>(c) * cp;
        auto body = [&]<int B>(int first) {
          v8 acc[B] = {};
          for (int n = 0; n < g.n; n++)
            for (int oh = 0; oh < g.oh; oh++) {
              const int ih = source(oh, g.sh, g.pt, kh, g.dh, g.h);
              if (ih < 0) continue;
              const float* xrow = x + pixel(n, ih, 0, g.h, g.w) * ci + c;
              const float* grow = grad + pixel(n, oh, 0, g.oh, g.ow) * cp + first;
              for (int ow = 0; ow < g.ow; ow++) {
                const int iw = source(ow, g.sw, g.pl, kw, g.dw, g.w);
                if (iw < 0) continue;
                const float s = xrow[static_cast<int64_t>(iw) * ci];
                const float* gp = grow + static_cast<int64_t>(ow) * cp;
                for (int b = 0; b < B; b++) acc[b] += s * load(gp + 8 * b);
              }
            }
          for (int b = 0; b < B; b++) store(out + first + 8 * b, acc[b]);
        };
        chunks(cp, body);
      }
    }
  }
  if (cp != co) narrow(wideOut.data(), g.kh * g.kw * ci, co, cp, dfilter);
}

}  // namespace featurelens
