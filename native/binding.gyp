{
  "targets": [
    {
      "target_name": "runbook_native",
      "sources": ["src/binding.cc", "src/seqnet.cc", "src/layers.cc", "src/direct_conv.cc", "src/transformer.cc", "src/transformer_binding.cc", "src/wasm_kernels.cc", "src/graphnet.cc", "src/graph_ops.cc", "src/graph_binding.cc", "src/gru_net.cc", "src/gru_binding.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fopenmp", "-fexceptions", "-Wno-psabi"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++14", "-std=gnu++17"],
      "libraries": ["-ldnnl", "-fopenmp"],
      "conditions": [
        # Portable: the x86-64 baseline every x86-64 CPU runs (no -march=native). The direct conv's
        # AVX2 and AVX-512 kernels are compiled alongside and chosen at run time (direct_conv.cc).
        ["target_arch=='x64'", {"cflags_cc": ["-march=x86-64", "-mtune=generic"]}]
      ]
    }
  ]
}
