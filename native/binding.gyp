{
  "targets": [
    {
      "target_name": "featurelens_kernels",
      "sources": ["src/addon.cc", "src/conv.cc", "src/pool.cc", "src/channels.cc", "src/adam.cc"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-O3", "-march=native", "-std=c++20", "-fno-math-errno"],
      "cflags": ["-O3", "-march=native"]
    }
  ]
}
