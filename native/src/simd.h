// 8-float vectors (GCC/Clang vector extensions; AVX2 on x86-64) and the NHWC index the kernels share.
#pragma once
#include <cstdint>

namespace featurelens {

typedef float v8 __attribute__((vector_size(32)));
// The same vector at any 4-byte alignment, for loads and stores inside tensors.
typedef float v8u __attribute__((vector_size(32), aligned(4)));

inline v8 load(const float* p) { return *reinterpret_cast<const v8u*>(p); }
inline void store(float* p, v8 v) { *reinterpret_cast<v8u*>(p) = v; }

// The flat index of pixel (n, y, x) in an NHWC tensor of the given height and width.
inline int64_t pixel(int n, int y, int x, int height, int width) { return (static_cast<int64_t>(n) * height + y) * width + x; }

}  // namespace featurelens
