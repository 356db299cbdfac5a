// One layer of a SeqNet at one batch size, one class per layer kind, as in oneDNN's
// cnn_training_f32 example: the constructor sets up the layer's primitives and memory objects
// once, forward() and backward() run them on every step.
#pragma once
#include <memory>
#include <string>

#include "seqnet.h"

namespace runbook {

/** What a layer works on: its spec and shapes, its parameters, and the plan's buffers. */
struct LayerIO {
  LayerSpec spec;
  int batch;
  Shape3 in, out;
  bool firstLayer;     // its input is the batch itself, a new pointer on every call
  bool needInputGrad;  // a layer before it has parameters, so dx is needed
  float *w, *b;        // kernel and bias in tfjs layouts (null for pool and flatten)
  float *dw, *db;      // their gradients
  float* x;            // input activations (null for the first layer: passed per call)
  float *y, *dy;       // output and its gradient (for Flatten: the input's buffers, aliased)
  float* dx;           // the input's gradient (null for the first layer)
};

class LayerPass {
 public:
  virtual ~LayerPass() = default;
  /** io.y = layer(x), ReLU fused where the spec asks; x is the batch for the first layer, else io.x. */
  virtual void forward(const float* x) = 0;
  /** From io.dy (already masked by the ReLU): dw and db, and io.dx when needInputGrad. */
  virtual void backward(const float* x) = 0;
  /** Which implementation runs (conv layers; for reports). */
  virtual std::string implInfo() const { return ""; }
};

/** The pass for io.spec.kind (MaxPool on oneDNN with RUNBOOK_NATIVE_POOL=onednn; conv kernels per RUNBOOK_NATIVE_CONV). */
std::unique_ptr<LayerPass> makeLayerPass(const LayerIO& io, const dnnl::engine& eng, dnnl::stream& strm);

}  // namespace runbook
