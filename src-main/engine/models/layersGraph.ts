/**
 * Builds a tfjs-layers functional model as plain data: the Keras JSON topology tfjs reads
 * (tf.models.modelFromJSON) and the weights by name. Translators (ONNX, Keras files) build the
 * whole graph here first, so a model that cannot be translated allocates nothing.
 */

export interface LayerRef {
  layer: string
}

export interface GraphWeight {
  shape: number[]
  data: Float32Array
}

interface LayerEntry {
  class_name: string
  name: string
  config: Record<string, unknown>
  inbound_nodes: [string, number, number, Record<string, never>][][]
}

const TF_NAME = /^[A-Za-z0-9][-A-Za-z0-9._]*$/

/** A name tfjs accepts for a layer (its weights are called `layer/kernel`). */
export function layerNameFrom(raw: string): string {
  let name = raw.replace(/[^-A-Za-z0-9._]/g, '_').replace(/_+/g, '_').replace(/^[-._]+|[-._]+$/g, '')
  if (!TF_NAME.test(name)) name = `n${name}`
  return name || 'layer'
}

export class LayersGraph {
  private readonly entries: LayerEntry[] = []
  private readonly used = new Set<string>()
  readonly weights = new Map<string, GraphWeight>()

  /** A unique, valid layer name from a suggestion. */
  name(suggested: string): string {
    const base = layerNameFrom(suggested)
    let name = base
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`
    this.used.add(name)
    return name
  }

  input(name: string, shape: number[]): LayerRef {
    const layer = this.name(name)
    this.entries.push({ class_name: 'InputLayer', name: layer, config: { batch_input_shape: [null, ...shape], dtype: 'float32', sparse: false, name: layer }, inbound_nodes: [] })
    return { layer }
  }

  /** Adds a layer applied once to `inputs`; `weights` are keyed by the weight's own name (kernel, bias…). */
  add(className: string, suggested: string, config: Record<string, unknown>, inputs: LayerRef[], weights: Record<string, GraphWeight> = {}): LayerRef {
    const layer = this.name(suggested)
    this.entries.push({ class_name: className, name: layer, config: { trainable: true, ...config, name: layer }, inbound_nodes: [inputs.map((r) => [r.layer, 0, 0, {}])] })
    for (const [key, weight] of Object.entries(weights)) this.weights.set(`${layer}/${key}`, weight)
    return { layer }
  }

  weight(ref: LayerRef, key: string): GraphWeight | undefined {
    return this.weights.get(`${ref.layer}/${key}`)
  }

  classOf(ref: LayerRef): string | undefined {
    return this.entries.find((e) => e.name === ref.layer)?.class_name
  }

  /** The functional model's topology, as model.toJSON() writes it. */
  topology(modelName: string, inputs: LayerRef[], outputs: LayerRef[]): Record<string, unknown> {
    return {
      class_name: 'Model',
      config: {
        name: layerNameFrom(modelName),
        layers: this.entries,
        input_layers: inputs.map((r) => [r.layer, 0, 0]),
        output_layers: outputs.map((r) => [r.layer, 0, 0])
      },
      keras_version: 'tfjs-layers',
      backend: 'tensor_flow.js'
    }
  }

  /** Number of values in all weights. */
  parameterCount(): number {
    let n = 0
    for (const w of this.weights.values()) n += w.data.length
    return n
  }
}
