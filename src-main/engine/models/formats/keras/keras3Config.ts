import { ApiError } from '../../../../../src-shared/errors'

/**
 * Keras 3 writes every object as {module, class_name, config, registered_name[, build_config]},
 * a layer's dtype as a DTypePolicy object and its calls as {args, kwargs} holding
 * "__keras_tensor__" references (keras/src/saving/serialization_lib.py, models/functional.py).
 * tfjs-layers builds the Keras 2 form: these turn one into the other.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type Obj = { [key: string]: Json }

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v)
const DTYPE_POLICIES = new Set(['DTypePolicy', 'FloatDTypePolicy', 'Policy'])
const MODELS = new Set(['Functional', 'Sequential', 'Model'])

/** Serialized objects as {class_name, config}, dtype policies as their name, recursively. */
function plain(value: Json): Json {
  if (Array.isArray(value)) return value.map(plain)
  if (!isObj(value)) return value
  if (typeof value.class_name === 'string' && DTYPE_POLICIES.has(value.class_name) && isObj(value.config)) return value.config.name ?? 'float32'
  if (typeof value.class_name === 'string' && 'config' in value && ('module' in value || 'registered_name' in value)) {
    return { class_name: value.class_name, config: plain(value.config) }
  }
  const out: Obj = {}
  for (const [k, v] of Object.entries(value)) out[k] = plain(v)
  return out
}

/** The "__keras_tensor__" references in a call's arguments, in order. */
function tensorRefs(value: Json, out: [string, number, number, Obj][]): void {
  if (Array.isArray(value)) for (const v of value) tensorRefs(v, out)
  else if (isObj(value)) {
    if (value.class_name === '__keras_tensor__' && isObj(value.config)) {
      const h = value.config.keras_history
      if (!Array.isArray(h) || typeof h[0] !== 'string' || typeof h[1] !== 'number' || typeof h[2] !== 'number') throw new Error('a tensor without its keras_history')
      out.push([h[0], h[1], h[2], {}])
    } else for (const v of Object.values(value)) tensorRefs(v, out)
  }
}

function layerConfig(layer: Json, path: string, where: string): Obj {
  if (!isObj(layer) || typeof layer.class_name !== 'string' || !isObj(layer.config)) {
    throw new ApiError('bad_input', `${path}: config.json has a layer (${where}) without "class_name" and "config"; save the model again`)
  }
  const name = typeof layer.config.name === 'string' ? layer.config.name : typeof layer.name === 'string' ? layer.name : where
  if (MODELS.has(layer.class_name)) {
    throw new ApiError('bad_input', `${path}: layer "${name}" is a whole ${layer.class_name} model nested in this one, which Featurelens does not open from .keras files; build the model flat, or export it to ONNX`)
  }
  const config = plain(layer.config) as Obj
  if (layer.class_name === 'InputLayer') {
    config.batch_input_shape = config.batch_input_shape ?? config.batch_shape ?? null
    delete config.batch_shape
    delete config.optional
  }
  const out: Obj = { class_name: layer.class_name, config, name }
  if (Array.isArray(layer.inbound_nodes)) {
    out.inbound_nodes = layer.inbound_nodes.map((node, i) => {
      if (Array.isArray(node)) return node // already the Keras 2 form
      if (!isObj(node)) throw new ApiError('bad_input', `${path}: layer "${name}" has a malformed inbound node ${i}`)
      const refs: [string, number, number, Obj][] = []
      const kwargRefs: [string, number, number, Obj][] = []
      try {
        tensorRefs(node.args ?? [], refs)
        tensorRefs(node.kwargs ?? {}, kwargRefs)
      } catch {
        throw new ApiError('bad_input', `${path}: layer "${name}" is called on a tensor without its origin (keras_history); save the model again`)
      }
      if (kwargRefs.length) throw new ApiError('bad_input', `${path}: layer "${name}" takes tensors as keyword arguments (e.g. a mask), which Featurelens does not translate`)
      return refs
    })
  }
  return out
}

/** [name, node, tensor] or a list of them, as a list of them. */
function tensorList(value: Json): Json {
  return Array.isArray(value) && typeof value[0] === 'string' ? [value] : value
}

/** The Keras 2 topology tfjs-layers builds, from a Keras 3 config.json. */
export function fromKeras3Config(raw: unknown, path: string): Obj {
  if (!isObj(raw) || typeof raw.class_name !== 'string' || !isObj(raw.config)) {
    throw new ApiError('bad_input', `${path}: its config.json is not a Keras model config (no "class_name" and "config"); save the model with model.save("model.keras")`)
  }
  if (!MODELS.has(raw.class_name)) {
    throw new ApiError('bad_input', `${path} holds a "${raw.class_name}" model, a subclassed model whose layers Keras does not record; Featurelens opens Functional and Sequential models (or export it to ONNX)`)
  }
  const layers = raw.config.layers
  if (!Array.isArray(layers) || layers.length === 0) throw new ApiError('bad_input', `${path}: its config.json lists no layers; save the model again`)
  const config: Obj = { name: raw.config.name ?? 'model', layers: layers.map((l, i) => layerConfig(l, path, `#${i}`)) }
  const first = (config.layers as Obj[])[0].config as Obj
  const buildShape = isObj(raw.build_config) ? raw.build_config.input_shape : null
  if (raw.class_name === 'Sequential' && (config.layers as Obj[])[0].class_name !== 'InputLayer' && first.batch_input_shape === undefined && Array.isArray(buildShape)) {
    first.batch_input_shape = buildShape // a Sequential model built without an Input records its shape here
  }
  if (raw.class_name !== 'Sequential') {
    config.input_layers = tensorList(raw.config.input_layers ?? [])
    config.output_layers = tensorList(raw.config.output_layers ?? [])
  }
  return { class_name: raw.class_name === 'Sequential' ? 'Sequential' : 'Functional', config }
}

/** keras.src.utils.naming.to_snake_case. */
export function snakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
}

/**
 * Where each layer's variables lie in model.weights.h5: Keras 3 saves model.layers as a container,
 * each layer under its class name in snake case, numbered per class in order (conv2d, conv2d_1,
 * …), not under the layer's name (saving_lib._save_container_state).
 */
export function weightPaths(topology: Obj): { layer: string; group: string }[] {
  const used = new Map<string, number>()
  const out: { layer: string; group: string }[] = []
  for (const layer of (topology.config as Obj).layers as Obj[]) {
    const base = snakeCase(layer.class_name as string)
    const n = used.has(base) ? (used.get(base) as number) + 1 : 0
    used.set(base, n)
    out.push({ layer: layer.name as string, group: `layers/${n === 0 ? base : `${base}_${n}`}` })
  }
  return out
}
