#include "../native/src/graph_ops.h"
#include <chrono>
#include <cstdio>
#include <vector>
#include <random>
using namespace runbook;
int main() {
  size_t n = 128 * 32 * 32 * 16;
  std::vector<float> y(n), dy(n), dx(n);
  std::mt19937 r(1); std::normal_distribution<float> d;
  for (size_t i = 0; i < n; i++) { y[i] = std::max(0.f, d(r)); dy[i] = d(r) * 1e-3f; }
  for (int rep = 0; rep < 3; rep++) {
    auto t0 = std::chrono::steady_clock::now();
    reluBackward(y.data(), dy.data(), n, dx.data(), false);
    auto t1 = std::chrono::steady_clock::now();
    reluForward(dy.data(), n, dx.data());
    auto t2 = std::chrono::steady_clock::now();
    printf("bwd %.2f ms fwd %.2f ms\n", std::chrono::duration<double, std::milli>(t1 - t0).count(), std::chrono::duration<double, std::milli>(t2 - t1).count());
  }
}
