import { describe, expect, it } from 'vitest'
import type { ArchitectureRow, ArchitectureTable } from '../../../../src-shared/architecture'
import { ArchitectureTable as ArchitectureTableSchema } from '../../../../src-shared/architecture'
import { architectureTable } from '../../../../src-main/engine/analysis/receptiveField/receptiveField'
import {
  effectiveKernel,
  outputLength,
  unionField,
  windowField,
  windowGeometry
} from '../../../../src-main/engine/analysis/receptiveField/receptiveFieldGeometry'
import { PlanBuilder } from '../../../../src-main/engine/models/layerPlan'
import { planModel } from '../../../../src-main/engine/models/architectures/registry'

const imagenet = { height: 224, width: 224, channels: 3 }

function row(table: ArchitectureTable, name: string): ArchitectureRow {
  const found = table.rows.find((r) => r.name === name)
  if (!found) throw new Error(`no row ${name}`)
  return found
}

/** Field size, jump and Araujo et al.'s effective padding P = (r − 1)/2 − start, along the height. */
function field(table: ArchitectureTable, name: string) {
  const rf = row(table, name).receptiveField
  if (!rf) throw new Error(`${name} has no spatial field`)
  const { size, jump, start } = rf.height
  expect(rf.width).toEqual(rf.height)
  return { size, jump, start, effectivePadding: (size - 1) / 2 - start }
}

describe('output size ⌊(n + 2p − k̂)/s⌋ + 1', () => {
  it('follows the formula for explicit padding, stride and dilation', () => {
    expect(outputLength(224, 7, 2, 3, 3)).toBe(112) // ResNet stem
    expect(outputLength(227, 11, 4, 0, 0)).toBe(55) // AlexNet conv1
    expect(outputLength(224, 3, 1, 1, 1)).toBe(224) // VGG conv
    expect(outputLength(32, 3, 1, 2, 2, 2)).toBe(32) // dilation 2, k̂ = 5, padding 2 keeps the size
    expect(outputLength(32, 3, 1, 0, 0, 4)).toBe(24) // k̂ = 9 without padding
    expect(outputLength(5, 3, 2, 0, 0)).toBe(2)
    expect(effectiveKernel(3, 4)).toBe(9)
    expect(outputLength(4, 3, 1, 0, 0, 2)).toBeLessThan(1) // k̂ = 5 does not fit 4 pixels
  })

  it("pads 'same' like TensorFlow: ⌈n/s⌉ outputs, the odd pixel after", () => {
    expect(windowGeometry(56, { kernel: 3, stride: 2, dilation: 1, padding: 'same' })).toEqual({ size: 28, before: 0, after: 1 })
    expect(windowGeometry(57, { kernel: 3, stride: 2, dilation: 1, padding: 'same' })).toEqual({ size: 29, before: 1, after: 1 })
    expect(windowGeometry(112, { kernel: 3, stride: 2, dilation: 1, padding: 'same' })).toEqual({ size: 56, before: 0, after: 1 })
    expect(windowGeometry(28, { kernel: 5, stride: 1, dilation: 1, padding: 'same' })).toEqual({ size: 28, before: 2, after: 2 })
    expect(windowGeometry(20, { kernel: 3, stride: 1, dilation: 3, padding: 'same' })).toEqual({ size: 20, before: 3, after: 3 })
    expect(windowGeometry(10, { kernel: 2, stride: 2, dilation: 1, padding: 'valid' })).toEqual({ size: 5, before: 0, after: 0 })
  })

  it('propagates the field: r += (k̂ − 1)·j, j ·= s, start += ((k̂ − 1)/2 − p)·j', () => {
    const afterStem = windowField({ size: 1, jump: 1, start: 0 }, { kernel: 7, stride: 2, dilation: 1, padding: 'valid' }, 3)
    expect(afterStem).toEqual({ size: 7, jump: 2, start: 0 })
    const dilated = windowField(afterStem, { kernel: 3, stride: 1, dilation: 2, padding: 'same' }, 2)
    expect(dilated).toEqual({ size: 15, jump: 2, start: 0 })
  })

  it('merges paths by the union of their fields', () => {
    const { field: merged, jumpsAgree } = unionField([
      { size: 11, jump: 4, start: 2 },
      { size: 3, jump: 4, start: 10 }
    ])
    // [2 − 5, 2 + 5] ∪ [10 − 1, 10 + 1] = [−3, 11]
    expect(merged).toEqual({ size: 15, jump: 4, start: 4 })
    expect(jumpsAgree).toBe(true)
  })
})

describe('published receptive fields at 224 px', () => {
  it('VGG-16: conv5_3 sees 196 px, pool5 212 px with jump 32 and effective padding 90', () => {
    const table = architectureTable(planModel({ name: 'vgg16' }, imagenet, 1000, 'softmax'))
    expect(ArchitectureTableSchema.parse(table)).toEqual(table)
    expect(field(table, 'block5_conv3')).toMatchObject({ size: 196, jump: 16 })
    expect(field(table, 'block5_pool')).toEqual({ size: 212, jump: 32, start: 15.5, effectivePadding: 90 })
    expect(field(table, 'block1_conv2')).toMatchObject({ size: 5, jump: 1 })
    expect(field(table, 'block3_pool')).toMatchObject({ size: 44, jump: 8 })
    expect(row(table, 'block5_pool').outputShape).toEqual([7, 7, 512])
    expect(row(table, 'fc1').fieldKind).toBe('global')
    // Simonyan & Zisserman's 138 M parameters and the commonly cited 15.5 G multiply-adds.
    expect(table.totals.params).toBe(138_357_544)
    expect(table.totals.flops).toBe(15_470_264_320)
    expect(row(table, 'block1_conv1').flops).toBe(224 * 224 * 64 * 3 * 3 * 3)
  })

  it('ResNet-50: the final conv sees 483 px with jump 32 and effective padding 239 (Araujo et al. 2019)', () => {
    const table = architectureTable(planModel({ name: 'resnet50' }, imagenet, 1000, 'softmax'))
    expect(field(table, 'stage5_block3_conv2')).toEqual({ size: 483, jump: 32, start: 2, effectivePadding: 239 })
    expect(field(table, 'stage5_block3_out')).toEqual({ size: 483, jump: 32, start: 2, effectivePadding: 239 })
    expect(row(table, 'stage5_block3_out').outputShape).toEqual([7, 7, 2048])
    // The projection shortcut sees less than the main path; the merge takes the larger.
    expect(field(table, 'stage5_block1_shortcut_conv').size).toBe(291)
    expect(field(table, 'stage5_block1_add').size).toBe(355)
    expect(field(table, 'conv1')).toMatchObject({ size: 7, jump: 2 })
    expect(field(table, 'pool1')).toMatchObject({ size: 11, jump: 4 })
    // torchvision's 25,557,032 trainable parameters; BN moving statistics add the rest.
    expect(table.totals.trainableParams).toBe(25_557_032)
    expect(table.totals.params).toBe(25_610_152)
  })

  it('ResNet-18: the final conv sees 435 px with jump 32', () => {
    const table = architectureTable(planModel({ name: 'resnet18' }, imagenet, 1000, 'softmax'))
    expect(field(table, 'stage5_block2_out')).toMatchObject({ size: 435, jump: 32 })
    expect(table.totals.trainableParams).toBe(11_689_512)
  })

  it('AlexNet at 227 px: pool5 sees 195 px with jump 32 and effective padding 64', () => {
    const p = new PlanBuilder('alexnet')
    let x = p.input([227, 227, 3])
    x = p.conv('conv1', x, { filters: 96, kernel: 11, strides: 4, padding: 'valid', activation: 'relu' })
    x = p.maxPool('pool1', x, 3, 2)
    x = p.conv('conv2', x, { filters: 256, kernel: 5, activation: 'relu' })
    x = p.maxPool('pool2', x, 3, 2)
    x = p.conv('conv3', x, { filters: 384, kernel: 3, activation: 'relu' })
    x = p.conv('conv4', x, { filters: 384, kernel: 3, activation: 'relu' })
    x = p.conv('conv5', x, { filters: 256, kernel: 3, activation: 'relu' })
    x = p.maxPool('pool5', x, 3, 2)
    const table = architectureTable(p.finish(x))
    expect(row(table, 'conv1').outputShape).toEqual([55, 55, 96])
    expect(row(table, 'pool5').outputShape).toEqual([6, 6, 256])
    expect(field(table, 'conv1')).toMatchObject({ size: 11, jump: 4 })
    expect(field(table, 'pool5')).toEqual({ size: 195, jump: 32, start: 33, effectivePadding: 64 })
  })
})

describe('spatial scale profile', () => {
  function stack(dilations: number[], pool: boolean) {
    const p = new PlanBuilder('stack')
    let x = p.input([64, 64, 1])
    dilations.forEach((d, i) => {
      x = p.conv(`conv${i + 1}`, x, { filters: 4, kernel: 3, dilation: d })
      if (pool) x = p.maxPool(`pool${i + 1}`, x, 2)
    })
    return architectureTable(p.finish(x))
  }

  it('grows linearly with plain convolutions and exponentially with pooling or dilation', () => {
    const plain = stack([1, 1, 1, 1], false)
    expect([1, 2, 3, 4].map((i) => field(plain, `conv${i}`).size)).toEqual([3, 5, 7, 9])
    const pooled = stack([1, 1, 1, 1], true)
    expect([1, 2, 3, 4].map((i) => field(pooled, `pool${i}`).size)).toEqual([4, 10, 22, 46])
    expect([1, 2, 3, 4].map((i) => field(pooled, `pool${i}`).jump)).toEqual([2, 4, 8, 16])
    // Dilations 1, 2, 4, 8 widen the field as fast as pooling but keep the 64 px map.
    const dilated = stack([1, 2, 4, 8], false)
    expect([1, 2, 3, 4].map((i) => field(dilated, `conv${i}`).size)).toEqual([3, 7, 15, 31])
    expect(row(dilated, 'conv4').outputShape).toEqual([64, 64, 4])
    expect(row(dilated, 'conv4').dilation).toEqual([8, 8])
    expect(row(pooled, 'pool4').depth).toBe(8)
  })

  it('keeps height and width apart for non-square kernels and inputs', () => {
    const p = new PlanBuilder('rect')
    let x = p.input([40, 30, 1])
    x = p.conv('wide', x, { filters: 2, kernel: [1, 5], strides: [1, 2], padding: 'valid' })
    const table = architectureTable(p.finish(x))
    const wide = row(table, 'wide')
    expect(wide.outputShape).toEqual([40, 13, 2])
    expect(wide.receptiveField?.height).toEqual({ size: 1, jump: 1, start: 0 })
    expect(wide.receptiveField?.width).toEqual({ size: 5, jump: 2, start: 2 })
  })

  it('names the layer when the input is too small for the poolings', () => {
    expect(() => architectureTable(planModel({ name: 'vgg16' }, { height: 28, width: 28, channels: 1 }, 10, 'softmax'))).toThrow(
      /block5_pool.*2-pixel window does not fit the 1-pixel height/
    )
  })
})
