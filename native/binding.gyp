{
  "targets": [
    {
      "target_name": "featurelens_kernels",
      "sources": ["src/addon.cc", "src/conv.cc", "src/pool.cc", "src/channels.cc", "src/adam.cc", "src/matmul.cc"],
      "cflags_cc": ["-O3", "-std=c++20", "-fno-math-errno"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++20", "-fno-math-errno"] },
      "conditions": [
        # A fixed baseline rather than -march=native, so a build copied to another x86-64
        # machine still runs there; the addon checks the CPU when it loads.
        ["target_arch=='x64'", {
          "cflags_cc": ["-mavx2", "-mfma"],
          "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-mavx2", "-mfma"] }
        }]
      ]
    }
  ]
}
