import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { isSoftwareAdapter, probeWebGpu, vulkanDrivers } from '../../../../src-main/engine/backend/webgpuProbe'
import { tempDir } from '../../../support/workspace'

const saved = { icd: process.env.VK_ICD_FILENAMES, driverFiles: process.env.VK_DRIVER_FILES }
afterEach(() => {
  for (const [key, value] of [['VK_ICD_FILENAMES', saved.icd], ['VK_DRIVER_FILES', saved.driverFiles]] as const) {
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
})

describe('looking for a WebGPU adapter', () => {
  it('tells software devices from GPUs by what Dawn reports', () => {
    const base = { vendor: '', architecture: '', description: '', device: '' }
    expect(isSoftwareAdapter({ ...base, vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0' })).toBe(true)
    expect(isSoftwareAdapter({ ...base, vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe(true)
    expect(isSoftwareAdapter({ ...base, vendor: 'intel', description: 'Intel(R) UHD Graphics', isFallbackAdapter: true })).toBe(true)
    expect(isSoftwareAdapter({ ...base, vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' })).toBe(false)
    expect(isSoftwareAdapter({ ...base, vendor: 'amd', architecture: 'rdna-3', description: 'AMD Radeon RX 7900 XTX' })).toBe(false)
  })

  it('lists the Vulkan driver manifests the loader would read', () => {
    const dir = tempDir('fl-icd-')
    mkdirSync(join(dir, 'icd.d'))
    writeFileSync(join(dir, 'icd.d', 'nvidia_icd.json'), '{}')
    writeFileSync(join(dir, 'lone_icd.json'), '{}')
    expect(vulkanDrivers({ VK_ICD_FILENAMES: `${join(dir, 'icd.d')}:${join(dir, 'lone_icd.json')}:${join(dir, 'missing_icd.json')}` })).toEqual(['lone_icd.json', 'nvidia_icd.json'])
    expect(vulkanDrivers({ VK_ICD_FILENAMES: join(dir, 'missing_icd.json') })).toEqual([])
  })

  it.skipIf(process.platform !== 'linux')('says in plain words that no Vulkan driver is installed', async () => {
    process.env.VK_ICD_FILENAMES = join(tempDir('fl-icd-'), 'none_icd.json')
    delete process.env.VK_DRIVER_FILES
    const probe = await probeWebGpu()
    expect(probe.ok).toBe(false)
    expect(probe.ok ? '' : probe.reason).toMatch(/^no Vulkan driver found \(install your GPU's Vulkan driver\)/)
  })
})
