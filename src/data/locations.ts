/**
 * Where the image data sets live on disk. A module of its own, free of TensorFlow.js, so that code
 * which only needs the paths (the data catalogue, the environment table) loads no tensors library.
 */

/** The folder the CIFAR-10 binary archive extracts to (under the data root). */
export const CIFAR10_DIR_NAME = "cifar-10-batches-bin";

/** Where Debian's dataset-fashion-mnist installs the IDX files. */
export const FASHION_MNIST_DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";
