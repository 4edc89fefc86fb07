import { describe, expect, it } from 'vitest'
import { BackendReport, backendNames } from '../../../../src-shared/backend'
import { runCli } from '../../../../src-main/cli/main'

async function cli(...argv: string[]) {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(['backend', ...argv], { out: (l) => out.push(l), err: (l) => err.push(l) })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

describe('featurelens backend', () => {
  it('prints the report as JSON', async () => {
    const { code, out } = await cli('--json')
    expect(code).toBe(0)
    const report = BackendReport.parse(JSON.parse(out))
    expect(report.candidates.map((c) => c.name)).toEqual([...backendNames])
    // The first that loads is chosen (wasm here; webgpu or a native one on a GPU machine).
    const at = backendNames.indexOf(report.chosen)
    expect(report.candidates.slice(0, at).every((c) => !c.available)).toBe(true)
    expect(report.candidates[at].available).toBe(true)
    expect(report.candidates.find((c) => c.name === 'wasm')?.available).toBe(true)
    expect(report.candidates.find((c) => c.name === 'cpu')?.available).toBe(true)
  })

  it('prints the chosen backend and one line per candidate with its reason', async () => {
    const { code, out } = await cli()
    expect(code).toBe(0)
    const lines = out.split('\n')
    // The webgpu line says why a GPU is not used, or the chosen one is webgpu.
    expect(lines.some((l) => /^ {2}webgpu {10}\S/.test(l))).toBe(true)
    // The rest is this machine's (no GPU, no tfjs-node): wasm in use.
    if (lines[0] !== 'Compute backend: wasm') return
    expect(lines).toContain('  tensorflow-gpu  not installed (npm install @tensorflow/tfjs-node-gpu; it needs CUDA 11.2 and cuDNN 8.1)')
    expect(lines).toContain('  tensorflow      not installed (npm install @tensorflow/tfjs-node)')
    expect(lines).toContain('  wasm            in use')
    expect(lines).toContain('  cpu             available; not used because wasm comes first')
    expect(out).toMatch(/^ {2}simd: (true|false)$/m)
  })

  it('tries a requested backend and exits 1 with a note when it cannot be used', async () => {
    const used = await cli('--backend', 'cpu')
    expect(used.code).toBe(0)
    expect(used.out.split('\n')[0]).toBe('Compute backend: cpu')

    const refused = await cli('--backend', 'tensorflow')
    expect(refused.code).toBe(1)
    expect(refused.out).toMatch(/Note: tensorflow was requested but not installed \(npm install @tensorflow\/tfjs-node\); using (wasm|webgpu|tensorflow-gpu)$/m)
  })

  it('rejects an unknown backend name, naming the valid ones', async () => {
    const { code, err } = await cli('--backend', 'gpu')
    expect(code).toBe(2)
    expect(err).toBe('featurelens backend: --backend must be one of tensorflow-gpu, webgpu, tensorflow, wasm, cpu, got "gpu"')
  })
})
