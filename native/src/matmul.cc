// C = A·B for the dense layers: vectors of 8 run along C's columns, 4 rows of C per pass share
// each load of B, and columns are taken 16 at a time so that slice of B stays in cache while
// every row block reads it.
#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels.h"
#include "simd.h"

namespace featurelens {

namespace {

// C[m][n] (row-major, n a multiple of 8, row stride n) = Σ_k A(m,k)·B[k][n], A(m,k) = a[m·sam + k·sak].
template <int R, int V>
inline void block(const float* a, int64_t sam, int64_t sak, const float* b, float* c, int m0, int n0, int k, int n) {
  v8 acc[R][V] = {};
  for (int kk = 0; kk < k; kk++) {
    const float* brow = b + static_cast<int64_t>(kk) * n + n0;
    v8 bv[V];
    for (int v = 0; v < V; v++) bv[v] = load(brow + 8 * v);
    for (int r = 0; r < R; r++) {
      const float s = a[(m0 + r) * sam + kk * sak];
      for (int v = 0; v < V; v++) acc[r][v] += s * bv[v];
    }
  }
  for (int r = 0; r < R; r++)
    for (int v = 0; v < V; v++) store(c + static_cast<int64_t>(m0 + r) * n + n0 + 8 * v, acc[r][v]);
}

template <int V>
void columns(const float* a, int64_t sam, int64_t sak, const float* b, float* c, int m, int n0, int k, int n) {
  int r = 0;
  for (; r + 4 <= m; r += 4) block<4, V>(a, sam, sak, b, c, r, n0, k, n);
  for (; r < m; r++) block<1, V>(a, sam, sak, b, c, r, n0, k, n);
}

}  // namespace

void matMul(const float* a, const float* b, float* c, int m, int k, int n, bool transposeA, bool transposeB) {
  const int np = (n + 7) / 8 * 8;
  // B as [k][np]: transposed and/or padded with zero columns in a copy where needed.
  std::vector<float> bCopy;
  const float* bRows = b;
  if (transposeB || np != n) {
    bCopy.assign(static_cast<size_t>(k) * np, 0.0f);
    if (transposeB) {
      // In 32×32 tiles, so neither side is read with a stride that misses the cache every time.
      for (int k0 = 0; k0 < k; k0 += 32)
        for (int j0 = 0; j0 < n; j0 += 32)
          for (int j = j0; j < std::min(n, j0 + 32); j++)
            for (int kk = k0; kk < std::min(k, k0 + 32); kk++) bCopy[static_cast<size_t>(kk) * np + j] = b[static_cast<int64_t>(j) * k + kk];
    } else {
      for (int kk = 0; kk < k; kk++) std::memcpy(bCopy.data() + static_cast<size_t>(kk) * np, b + static_cast<int64_t>(kk) * n, sizeof(float) * n);
    }
    bRows = bCopy.data();
  }
  std::vector<float> cCopy(np != n ? static_cast<size_t>(m) * np : 0);
  float* cRows = np != n ? cCopy.data() : c;
  const int64_t sam = transposeA ? 1 : k;
  const int64_t sak = transposeA ? m : 1;
  int j = 0;
  for (; j + 16 <= np; j += 16) columns<2>(a, sam, sak, bRows, cRows, m, j, k, np);
  if (j < np) columns<1>(a, sam, sak, bRows, cRows, m, j, k, np);
  if (np != n)
    for (int i = 0; i < m; i++) std::memcpy(c + static_cast<int64_t>(i) * n, cRows + static_cast<int64_t>(i) * np, sizeof(float) * n);
}

}  // namespace featurelens
