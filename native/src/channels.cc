#include <cstring>

#include "kernels.h"

namespace featurelens {

void addChannels(const float* __restrict x, const float* __restrict bias, float* __restrict out, int64_t rows, int channels) {
  for (int64_t r = 0; r < rows; r++) {
    const float* __restrict xr = x + r * channels;
    float* __restrict o = out + r * channels;
    for (int c = 0; c < channels; c++) o[c] = xr[c] + bias[c];
  }
}

void sumChannels(const float* __restrict x, float* __restrict out, int64_t rows, int channels) {
  std::memset(out, 0, sizeof(float) * channels);
  for (int64_t r = 0; r < rows; r++) {
    const float* __restrict xr = x + r * channels;
    for (int c = 0; c < channels; c++) out[c] += xr[c];
  }
}

}  // namespace featurelens
