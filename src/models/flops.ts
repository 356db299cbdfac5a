/**
 * Compute per image: the multiply-adds of one forward pass (article §3.3), the "FLOPs" of the
 * ResNet paper (He et al. count a multiply-add once: ResNet-50 ≈ 3.8–4.1 G, ResNet-20 ≈ 41 M).
 * Counted from each layer's kernel and output shapes, so it needs no forward pass.
 */
import * as tf from "@tensorflow/tfjs";

/** Multiply-adds of one layer's forward pass for one sample, or 0 for layers without weights to multiply. */
function layerMultiplyAdds(layer: tf.layers.Layer): number {
  const cls = layer.getClassName();
  const out = layer.outputShape as (number | null)[];
  const spatial = (shape: (number | null)[]): number => shape.slice(1, -1).reduce<number>((p, d) => p * (d ?? 1), 1);
  if (cls === "Conv2D" || cls === "Conv1D" || cls === "DepthwiseConv2D") {
    const kernel = layer.getWeights()[0].shape; // Conv2D [kh, kw, cin, cout]; depthwise [kh, kw, cin, multiplier]
    return kernel.reduce((p, d) => p * d, 1) * spatial(out);
  }
  if (cls === "Dense") {
    const [inputs, units] = layer.getWeights()[0].shape; // [in, units], applied at every leading position
    return inputs * units * spatial(out);
  }
  return 0; // pooling, batch norm, activations, adds: a few operations per value, negligible beside the above
}

/**
 * Multiply-adds per sample of `model`'s forward pass: convolutions and dense layers (the rest is
 * negligible). 651,720 for LeNet on 32×32×3 (article §5.2).
 */
export function multiplyAddsPerSample(model: tf.LayersModel): number {
  return model.layers.reduce((sum, layer) => sum + layerMultiplyAdds(layer), 0);
}
