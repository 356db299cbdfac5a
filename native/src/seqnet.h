// A sequential conv net (Conv2D/MaxPool/Flatten/Dense, ReLU or linear) trained by one native call
// per step: forward, softmax cross-entropy, backward and the SGD(+momentum) update, on oneDNN.
// Tensors are channels-last (NHWC) exactly like TensorFlow.js, and parameters use tfjs layouts:
// conv kernel [kh, kw, cin, cout], dense kernel [in, out], biases [out].
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "onednn_version.h"  // first: a clear #error when the headers are not oneDNN 2.x
#include "oneapi/dnnl/dnnl.hpp"

namespace runbook {

enum class LayerKind { Conv, Pool, Flatten, Dense };

struct LayerSpec {
  LayerKind kind;
  bool relu = false;
  // Conv: filters = cout, kernel kh×kw, strides, explicit paddings (tfjs 'same' resolved by the caller).
  // Pool: kernel kh×kw, strides (valid padding). Dense: units = cout.
  int cout = 0, kh = 0, kw = 0, sh = 1, sw = 1, padTop = 0, padBottom = 0, padLeft = 0, padRight = 0;
};

struct Shape3 { int h, w, c; int size() const { return h * w * c; } };

struct Plan;  // buffers and layer passes (layers.h) for one batch size

class SeqNet {
 public:
  SeqNet(Shape3 input, const std::vector<LayerSpec>& layers);
  ~SeqNet();

  int numParams() const { return static_cast<int>(params_.size()); }
  std::vector<float>& param(int i) { return params_[i]; }
  std::vector<float>& grad(int i) { return grads_[i]; }
  std::vector<float>& velocity(int i) { return velocity_[i]; }
  Shape3 outShape(int layer) const { return shapes_[layer + 1]; }
  /** Floats per input sample. */
  int inputSize() const { return input_.size(); }
  int numClasses() const { return shapes_.back().size(); }

  /** One training step on x [batch, H, W, C] and labels [batch]; returns the mean loss. */
  float trainStep(const float* x, const int32_t* labels, int batch, float lr, float momentum, bool update);
  /** Logits [batch, classes] for x [batch, H, W, C]. */
  void predict(const float* x, int batch, float* logits);
  /** Which oneDNN implementation each conv primitive uses at this batch size (for reports). */
  std::string implInfo(int batch);

 private:
  Plan& plan(int batch);
  void forward(Plan& p, const float* x);
  /** From the loss gradient in the last layer's gout: every parameter gradient, last layer first. */
  void backward(Plan& p, const float* x);
  void sgdUpdate(float lr, float momentum);

  Shape3 input_;
  std::vector<LayerSpec> layers_;
  std::vector<Shape3> shapes_;          // shapes_[i] = input of layer i; shapes_[L] = output
  std::vector<int> paramIndex_;         // first param index of layer i (kernel; bias at +1), or -1
  std::vector<std::vector<float>> params_, grads_, velocity_;
  dnnl::engine eng_;
  dnnl::stream strm_;
  std::map<int, std::unique_ptr<Plan>> plans_;
};

}  // namespace runbook
