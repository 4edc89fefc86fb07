// Opens one .onnx file in a process of its own and prints what happened and its peak memory,
// so a test can bound the memory a hostile file takes: {"message": …, "maxRssBytes": …}.
import { register } from 'tsx/esm/api'

register()
const { loadOnnxModel } = await import('../../src-main/engine/models/formats/onnx/onnxFormat.ts')
let message = null
try {
  const { model } = await loadOnnxModel(process.argv[2])
  model.dispose()
} catch (err) {
  message = err instanceof Error ? err.message : String(err)
}
process.stdout.write(JSON.stringify({ message, maxRssBytes: process.resourceUsage().maxRSS * 1024 }))
