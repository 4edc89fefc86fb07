#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "kernels.h"
#include "simd.h"

namespace featurelens {

namespace {

// Calls visit(o, n, h0, h1, w0, w1) for each output pixel: o is its first element in dy, and
// rows [h0, h1) × columns [w0, w1) of image n are the part of its window inside the input.
template <typename Visit>
void eachWindow(const PoolGeometry& g, Visit&& visit) {
  int64_t o = 0;
  for (int n = 0; n < g.n; n++)
    for (int oh = 0; oh < g.oh; oh++) {
      const int top = oh * g.sh - g.pt;
      const int h0 = std::max(0, top);
      const int h1 = std::min(g.h, top + g.fh);
      for (int ow = 0; ow < g.ow; ow++, o += g.c) {
        const int left = ow * g.sw - g.pl;
        visit(o, n, h0, h1, std::max(0, left), std::min(g.w, left + g.fw));
      }
    }
}

}  // namespace

void maxPoolGrad(const PoolGeometry& g, const float* __restrict x, const float* __restrict dy, float* __restrict dx) {
  const int c = g.c;
  std::memset(dx, 0, sizeof(float) * static_cast<size_t>(g.n) * g.h * g.w * c);
  std::vector<float> best(c);
  std::vector<int64_t> where(c);
  eachWindow(g, [&](int64_t o, int n, int h0, int h1, int w0, int w1) {
    std::fill(best.begin(), best.end(), -std::numeric_limits<float>::infinity());
    std::fill(where.begin(), where.end(), -1);
    float* __restrict b = best.data();
    int64_t* __restrict at = where.data();
    for (int h = h0; h < h1; h++) {
      for (int w = w0; w < w1; w++) {
        const int64_t base = pixel(n, h, w, g.h, g.w) * c;
        const float* __restrict xp = x + base;
        for (int ch = 0; ch < c; ch++) {
          const bool better = xp[ch] > b[ch];
          b[ch] = better ? xp[ch] : b[ch];
          at[ch] = better ? base + ch : at[ch];
        }
      }
    }
    for (int ch = 0; ch < c; ch++)
      if (at[ch] >= 0) dx[at[ch]] += dy[o + ch];
  });
}

void avgPoolGrad(const PoolGeometry& g, const float* __restrict dy, float* __restrict dx) {
  const int c = g.c;
  // As in tfjs's cpu backend, the divisor is the whole window's area, padding included.
  const float scale = 1.0f / (static_cast<float>(g.fh) * g.fw);
  std::memset(dx, 0, sizeof(float) * static_cast<size_t>(g.n) * g.h * g.w * c);
  eachWindow(g, [&](int64_t o, int n, int h0, int h1, int w0, int w1) {
    const float* __restrict gp = dy + o;
    for (int h = h0; h < h1; h++)
      for (int w = w0; w < w1; w++) {
        float* __restrict dp = dx + pixel(n, h, w, g.h, g.w) * c;
        for (int ch = 0; ch < c; ch++) dp[ch] += gp[ch] * scale;
      }
  });
}

}  // namespace featurelens
