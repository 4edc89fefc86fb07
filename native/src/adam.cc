#include <cmath>

#include "kernels.h"

namespace featurelens {

// No fused multiply-adds, so the results equal the JavaScript kernel's bit for bit.
__attribute__((optimize("fp-contract=off"))) void adamUpdate(const AdamConstants& k, int64_t n, const float* __restrict w, const float* __restrict g, const float* __restrict m,
                const float* __restrict v, float* __restrict w1, float* __restrict m1, float* __restrict v1) {
  // The same arithmetic, in the same order and precision, as the JavaScript kernel: double,
  // with the moments rounded to float32 before they are used.
  for (int64_t i = 0; i < n; i++) {
    const double gi = g[i];
    const float mi = static_cast<float>(static_cast<double>(m[i]) * k.beta1 + gi * k.oneMinusBeta1);
    const float vi = static_cast<float>(static_cast<double>(v[i]) * k.beta2 + gi * gi * k.oneMinusBeta2);
    m1[i] = mi;
    v1[i] = vi;
    w1[i] = static_cast<float>((mi / k.correction1 / (std::sqrt(vi / k.correction2) + k.epsilon)) * k.step + w[i]);
  }
}

}  // namespace featurelens
