// The GraphNet's element-wise and data-movement nodes as loops over NHWC tensors (OpenMP over the
// batch), with tfjs' formulas. Every backward takes `acc`: add into dx (another consumer of the same
// tensor already wrote its share) instead of overwriting it.
#pragma once
#include <cstddef>
#include <cstdint>

#include "seqnet.h"

namespace runbook {

/** Training BatchNorm over M = batch·H·W rows of C channels: batch mean and biased variance (tf.moments),
 *  y = γ·(x − mean)·invstd + β; keeps mean, invstd (= 1/√(var + ε)) and var for backward and the moving averages. */
void batchNormTrainForward(const float* x, size_t M, int C, const float* gamma, const float* beta, float eps, float* y,
                           float* mean, float* invstd, float* var);
/** Inference BatchNorm on the moving statistics. */
void batchNormInferForward(const float* x, size_t M, int C, const float* gamma, const float* beta, const float* movingMean,
                           const float* movingVar, float eps, float* y);
/** dγ = Σ dy·x̂, dβ = Σ dy, dx = γ·invstd/M · (M·dy − dβ − x̂·dγ) (dx skipped when null). */
void batchNormBackward(const float* x, const float* dy, size_t M, int C, const float* gamma, const float* mean,
                       const float* invstd, float* dgamma, float* dbeta, float* dx, bool acc);

void reluForward(const float* x, size_t n, float* y);
/** dx = dy where y > 0, else 0. */
void reluBackward(const float* y, const float* dy, size_t n, float* dx, bool acc);
void addForward(const float* a, const float* b, size_t n, float* y);
/** dx = dy (the identity backward of Add and Flatten). */
void passGradient(const float* dy, size_t n, float* dx, bool acc);

/** Zero padding of [N, H, W, C] by (top, bottom, left, right) and its backward (the crop). */
void zeroPadForward(const float* x, int N, Shape3 in, int top, int left, Shape3 out, float* y);
void zeroPadBackward(const float* dy, int N, Shape3 in, int top, int left, Shape3 out, float* dx, bool acc);

/** Option-A shortcut: y[n, i, j, before + c] = x[n, s·i, s·j, c], the other channels zero. */
void shortcutAForward(const float* x, int N, Shape3 in, int stride, Shape3 out, float* y);
void shortcutABackward(const float* dy, int N, Shape3 in, int stride, Shape3 out, float* dx, bool acc);

/** Global average pooling [N, H, W, C] → [N, C] and its backward (dy / (H·W) to every pixel). */
void globalAvgPoolForward(const float* x, int N, Shape3 in, float* y);
void globalAvgPoolBackward(const float* dy, int N, Shape3 in, float* dx, bool acc);

/** Inverted dropout: mask = (u ≥ rate) / (1 − rate) with u uniform from a counter hash of (seed, step, i). */
void dropoutMask(uint64_t seed, uint64_t step, size_t n, float rate, float* mask);
void multiply(const float* x, const float* mask, size_t n, float* y);
void multiplyBackward(const float* dy, const float* mask, size_t n, float* dx, bool acc);

}  // namespace runbook
