// Convolutions and their gradients as sums of broadcast-scalar × vector products with the
// accumulators held in registers: 8 channels per vector, several vectors per pass (more passes
// for more channels). Channel counts that are not a multiple of 8 are padded with zeros in copies.
#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels.h"
#include "simd.h"

namespace featurelens {

namespace {

// The input row/column a filter tap reads for an output position, or -1 outside the input.
inline int source(int out, int stride, int pad, int tap, int dilation, int size) {
  const int at = out * stride - pad + tap * dilation;
  return at >= 0 && at < size ? at : -1;
}

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

// As chunks, with at most 2 vectors per pass (for kernels that also block over pixels).
template <typename Body>
inline void chunksOf2(int count, Body&& body) {
  int c = 0;
  for (; c + 16 <= count; c += 16) body.template operator()<2>(c);
  if (c + 8 <= count) body.template operator()<1>(c);
}

}  // namespace

void conv2dForward(const ConvGeometry& g, const float* __restrict x, const float* __restrict filter, float* __restrict y) {
  const int ci = g.ci;
  const int co = g.co;
  // Padding: zeros are written out in a copy of x, so every window lies inside the input.
  const int top = std::max(0, g.pt);
  const int left = std::max(0, g.pl);
  const int bottom = std::max(0, (g.oh - 1) * g.sh - g.pt + (g.kh - 1) * g.dh + 1 - g.h);
  const int right = std::max(0, (g.ow - 1) * g.sw - g.pl + (g.kw - 1) * g.dw + 1 - g.w);
  if (top + left + bottom + right > 0) {
    ConvGeometry q = g;
    q.h = g.h + top + bottom;
    q.w = g.w + left + right;
    q.pt = g.pt - top;
    q.pl = g.pl - left;
    std::vector<float> padded(static_cast<size_t>(g.n) * q.h * q.w * ci, 0.0f);
    for (int n = 0; n < g.n; n++)
      for (int r = 0; r < g.h; r++)
        std::memcpy(padded.data() + pixel(n, r + top, left, q.h, q.w) * ci, x + pixel(n, r, 0, g.h, g.w) * ci, sizeof(float) * g.w * ci);
    conv2dForward(q, padded.data(), filter, y);
    return;
  }
  const int cp = roundUp8(co);
  const int taps = g.kh * g.kw;
  std::vector<float> wideFilter(cp == co ? 0 : static_cast<size_t>(taps) * ci * cp);
  if (cp != co) widen(filter, taps * ci, co, cp, wideFilter.data());
  const float* w = cp == co ? filter : wideFilter.data();
  const int64_t outPixels = static_cast<int64_t>(g.n) * g.oh * g.ow;
  std::vector<float> wideOut(cp == co ? 0 : outPixels * cp);
  float* target = cp == co ? y : wideOut.data();
  constexpr int P = 4;  // output pixels along a row computed together, sharing each filter load
  // The padded copy above leaves every tap of every window inside the input. For one filter
  // row (undilated columns) or one tap (dilated), each pixel reads a contiguous run of `len`
  // inputs, xs[p][0..len), against `len` filter rows of cp floats from fp.
  for (int n = 0; n < g.n; n++) {
    for (int oh = 0; oh < g.oh; oh++) {
      for (int ow0 = 0; ow0 < g.ow; ow0 += P) {
        const int count = std::min(P, g.ow - ow0);
        auto body = [&]<int B>(int first) {
          v8 acc[P][B] = {};
          auto accumulate = [&](const float* const* xs, const float* fp, int len) {
            if (count == P) {
              for (int j = 0; j < len; j++) {
                const float* row = fp + static_cast<int64_t>(j) * cp;
                const float s0 = xs[0][j], s1 = xs[1][j], s2 = xs[2][j], s3 = xs[3][j];
                for (int b = 0; b < B; b++) {
                  const v8 f = load(row + 8 * b);
                  acc[0][b] += s0 * f;
                  acc[1][b] += s1 * f;
                  acc[2][b] += s2 * f;
                  acc[3][b] += s3 * f;
                }
              }
            } else {
              for (int p = 0; p < count; p++)
                for (int j = 0; j < len; j++)
                  for (int b = 0; b < B; b++) acc[p][b] += xs[p][j] * load(fp + static_cast<int64_t>(j) * cp + 8 * b);
            }
          };
          for (int kh = 0; kh < g.kh; kh++) {
            const int ih = oh * g.sh - g.pt + kh * g.dh;
            const float* xs[P];
            if (g.dw == 1) {
              for (int p = 0; p < count; p++) xs[p] = x + pixel(n, ih, (ow0 + p) * g.sw - g.pl, g.h, g.w) * ci;
              accumulate(xs, w + static_cast<int64_t>(kh) * g.kw * ci * cp + first, g.kw * ci);
              continue;
            }
            for (int kw = 0; kw < g.kw; kw++) {
              for (int p = 0; p < count; p++) xs[p] = x + pixel(n, ih, (ow0 + p) * g.sw - g.pl + kw * g.dw, g.h, g.w) * ci;
              accumulate(xs, w + (static_cast<int64_t>(kh) * g.kw + kw) * ci * cp + first, ci);
            }
          }
          for (int p = 0; p < count; p++)
            for (int b = 0; b < B; b++) store(target + pixel(n, oh, ow0 + p, g.oh, g.ow) * cp + first + 8 * b, acc[p][b]);
        };
        chunksOf2(cp, body);
      }
    }
  }
  if (cp != co) narrow(wideOut.data(), outPixels, co, cp, y);
}

// For each input position along one axis and each tap, the output position that reads it
// there, or -1: out·stride − pad + tap·dilation = in.
static std::vector<int> readers(int in, int out, int taps, int stride, int pad, int dilation) {
  std::vector<int> table(static_cast<size_t>(in) * taps, -1);
  for (int i = 0; i < in; i++)
    for (int k = 0; k < taps; k++) {
      const int t = i + pad - k * dilation;
      if (t >= 0 && t % stride == 0 && t / stride < out) table[static_cast<size_t>(i) * taps + k] = t / stride;
    }
  return table;
}

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
  const std::vector<int> rows = readers(g.h, g.oh, g.kh, g.sh, g.pt, g.dh);
  const std::vector<int> cols = readers(g.w, g.ow, g.kw, g.sw, g.pl, g.dw);
  const int64_t pixels = static_cast<int64_t>(g.n) * g.h * g.w;
  std::vector<float> wide(cp == ci ? 0 : pixels * cp);
  float* target = cp == ci ? dx : wide.data();
  for (int n = 0; n < g.n; n++) {
    for (int ih = 0; ih < g.h; ih++) {
      for (int iw = 0; iw < g.w; iw++) {
        float* out = target + pixel(n, ih, iw, g.h, g.w) * cp;
        auto body = [&]<int B>(int first) {
          // Four partial sums per vector, so consecutive products do not wait on each other.
          v8 acc[4][B] = {};
          for (int kh = 0; kh < g.kh; kh++) {
            const int oh = rows[static_cast<size_t>(ih) * g.kh + kh];
            if (oh < 0) continue;
            for (int kw = 0; kw < g.kw; kw++) {
              const int ow = cols[static_cast<size_t>(iw) * g.kw + kw];
              if (ow < 0) continue;
              const float* gp = dy + pixel(n, oh, ow, g.oh, g.ow) * co;
              const float* fp = ft.data() + (static_cast<size_t>(kh) * g.kw + kw) * co * cp + first;
              int o = 0;
              for (; o + 4 <= co; o += 4) {
                const float s0 = gp[o], s1 = gp[o + 1], s2 = gp[o + 2], s3 = gp[o + 3];
                const float* r0 = fp + static_cast<int64_t>(o) * cp;
                for (int b = 0; b < B; b++) {
                  acc[0][b] += s0 * load(r0 + 8 * b);
                  acc[1][b] += s1 * load(r0 + cp + 8 * b);
                  acc[2][b] += s2 * load(r0 + 2 * cp + 8 * b);
                  acc[3][b] += s3 * load(r0 + 3 * cp + 8 * b);
                }
              }
              for (; o < co; o++) {
                const float* r0 = fp + static_cast<int64_t>(o) * cp;
                for (int b = 0; b < B; b++) acc[0][b] += gp[o] * load(r0 + 8 * b);
              }
            }
          }
          for (int b = 0; b < B; b++) store(out + first + 8 * b, (acc[0][b] + acc[1][b]) + (acc[2][b] + acc[3][b]));
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
      // The output columns whose input column for this tap is inside the input: one range.
      int owLo = 0;
      while (owLo < g.ow && source(owLo, g.sw, g.pl, kw, g.dw, g.w) < 0) owLo++;
      int owHi = owLo;
      while (owHi < g.ow && source(owHi, g.sw, g.pl, kw, g.dw, g.w) >= 0) owHi++;
      const int64_t xStep = static_cast<int64_t>(g.sw) * ci;
      float* tap = target + (static_cast<int64_t>(kh) * g.kw + kw) * ci * cp;
      for (int c = 0; c < ci; c++) {
        float* out = tap + static_cast<int64_t>(c) * cp;
        auto body = [&]<int B>(int first) {
          // Four partial sums per vector, so consecutive products do not wait on each other.
          v8 acc[4][B] = {};
          for (int n = 0; n < g.n; n++)
            for (int oh = 0; oh < g.oh; oh++) {
              const int ih = source(oh, g.sh, g.pt, kh, g.dh, g.h);
              if (ih < 0 || owLo >= owHi) continue;
              const float* xp = x + pixel(n, ih, source(owLo, g.sw, g.pl, kw, g.dw, g.w), g.h, g.w) * ci + c;
              const float* gp = grad + pixel(n, oh, owLo, g.oh, g.ow) * cp + first;
              int ow = owLo;
              for (; ow + 4 <= owHi; ow += 4, xp += 4 * xStep, gp += 4 * cp) {
                const float s0 = xp[0], s1 = xp[xStep], s2 = xp[2 * xStep], s3 = xp[3 * xStep];
                for (int b = 0; b < B; b++) {
                  acc[0][b] += s0 * load(gp + 8 * b);
                  acc[1][b] += s1 * load(gp + cp + 8 * b);
                  acc[2][b] += s2 * load(gp + 2 * cp + 8 * b);
                  acc[3][b] += s3 * load(gp + 3 * cp + 8 * b);
                }
              }
              for (; ow < owHi; ow++, xp += xStep, gp += cp)
                for (int b = 0; b < B; b++) acc[0][b] += xp[0] * load(gp + 8 * b);
            }
          for (int b = 0; b < B; b++) store(out + first + 8 * b, (acc[0][b] + acc[1][b]) + (acc[2][b] + acc[3][b]));
        };
        chunks(cp, body);
      }
    }
  }
  if (cp != co) narrow(wideOut.data(), g.kh * g.kw * ci, co, cp, dfilter);
}

}  // namespace featurelens
