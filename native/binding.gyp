{
  "targets": [
    {
      "target_name": "runbook_native",
      "sources": ["src/binding.cc", "src/seqnet.cc", "src/direct_conv.cc"],
      "cflags_cc": ["-O3", "-march=native", "-std=c++17", "-fopenmp", "-fexceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++14", "-std=gnu++17"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
