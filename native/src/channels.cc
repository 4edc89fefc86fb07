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

void biasActivation(float* __restrict y, const float* __restrict bias, int64_t rows, int channels, int activation) {
  for (int64_t r = 0; r < rows; r++) {
    float* __restrict row = y + r * channels;
    if (bias)
      for (int c = 0; c < channels; c++) row[c] += bias[c];
    if (activation == 1)
      for (int c = 0; c < channels; c++) row[c] = row[c] < 0.0f ? 0.0f : row[c];  // NaN stays NaN, as in tfjs
    else if (activation == 2)
      for (int c = 0; c < channels; c++) row[c] = row[c] < 0.0f ? 0.0f : (row[c] > 6.0f ? 6.0f : row[c]);
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
