// The engine's layer order, enforced by lint: a folder of src-main/engine imports only folders
// below it, and never the api, cli, server, engine process or Electron code that drives it.
// The order and the reasons are written down in src-main/engine/LAYERS.md; change both together.
import { dirname, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const srcMain = resolve(root, 'src-main')
const engine = resolve(srcMain, 'engine')

/** Lowest first: each folder may import the folders before it in this list, and itself. */
export const ENGINE_ORDER = ['tasks', 'backend', 'store', 'data', 'models', 'analysis', 'train', 'figures']

/**
 * Inside analysis, tiers (lowest first): a folder imports lower tiers only, never a sibling in
 * its own tier. A new analysis folder not named here sits in the top tier.
 */
export const ANALYSIS_TIERS = [['core'], ['receptiveField', 'weights'], ['featureMaps', 'cka', 'earlyExit'], ['explain'], ['compare']]

const OUTSIDE_ENGINE = ['api', 'cli', 'server', 'engineProcess', 'electron']
const orderText = ENGINE_ORDER.join(' ← ')
const see = 'see src-main/engine/LAYERS.md'

const analysisTier = (folder) => {
  const tier = ANALYSIS_TIERS.findIndex((names) => names.includes(folder))
  return tier === -1 ? ANALYSIS_TIERS.length - 1 : tier
}

/** Where a path sits: { layer, sub } inside the engine, { outside } for the rest of the app, or null. */
function placeOf(path) {
  const inEngine = relative(engine, path)
  if (!inEngine.startsWith('..') && inEngine !== '') {
    const parts = inEngine.split(sep)
    return parts.length === 1 ? { layer: null, file: parts[0] } : { layer: parts[0], sub: parts.length > 2 ? parts[1] : null }
  }
  const inMain = relative(srcMain, path)
  if (!inMain.startsWith('..')) {
    const top = inMain.split(sep)[0]
    return { outside: OUTSIDE_ENGINE.includes(top) ? `src-main/${top}` : 'src-main (the Electron entry)' }
  }
  const inRoot = relative(root, path).split(sep)[0]
  if (inRoot === 'src-renderer' || inRoot === 'src-preload') return { outside: inRoot }
  return null
}

/** Why `from` may not import `to`, or null when it may. */
export function layerViolation(from, to) {
  if (to.outside) return `the engine never imports ${to.outside}; it is driven from there (${see})`
  if (from.layer === null) return `src-main/engine/${from.file} sits in no layer; put it in one of ${ENGINE_ORDER.join(', ')} (${see})`
  const a = ENGINE_ORDER.indexOf(from.layer)
  if (a === -1) return `src-main/engine/${from.layer} has no place in the layer order; add it to ENGINE_ORDER in eslint/engineLayers.js and to LAYERS.md`
  if (to.layer === null) return `src-main/engine/${to.file} sits in no layer (${see})`
  const b = ENGINE_ORDER.indexOf(to.layer)
  if (b === -1) return `src-main/engine/${to.layer} has no place in the layer order; add it to ENGINE_ORDER in eslint/engineLayers.js and to LAYERS.md`
  if (b > a) return `engine/${from.layer} may not import engine/${to.layer}, a higher layer (order ${orderText}; ${see})`
  if (a === b && from.layer === 'analysis' && from.sub && to.sub && from.sub !== to.sub) {
    const [ta, tb] = [analysisTier(from.sub), analysisTier(to.sub)]
    if (tb >= ta) {
      const tiers = ANALYSIS_TIERS.map((t) => t.join(', ')).join(' ← ')
      return `analysis/${from.sub} may not import analysis/${to.sub}; inside analysis a folder imports lower tiers only (${tiers}; ${see})`
    }
  }
  return null
}

const engineOrder = {
  meta: {
    type: 'problem',
    docs: { description: 'Keeps src-main/engine in its layer order and free of the code that drives it' },
    schema: []
  },
  create(context) {
    const filename = resolve(context.cwd ?? root, context.filename)
    const from = placeOf(filename)
    if (!from || from.outside) return {}
    const check = (node, source) => {
      if (!source || typeof source.value !== 'string' || !source.value.startsWith('.')) return
      const to = placeOf(resolve(dirname(filename), source.value))
      if (!to) return
      const problem = layerViolation(from, to)
      if (problem) context.report({ node, message: `${source.value}: ${problem}` })
    }
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source : null),
      TSImportType: (node) => check(node, node.argument?.type === 'TSLiteralType' ? node.argument.literal : node.argument)
    }
  }
}

export const engineLayersPlugin = { rules: { order: engineOrder } }
