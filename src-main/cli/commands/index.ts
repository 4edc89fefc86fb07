import type { Command } from '../command'

interface CommandEntry {
  name: string
  load: () => Promise<Command>
}

/**
 * Every `featurelens` subcommand, in the order `--help` lists them. Modules are imported only
 * when their command runs: the engines behind them (tfjs, sharp, SQLite) take seconds to load.
 * Add new commands here.
 */
export const commandEntries: CommandEntry[] = [
  { name: 'serve', load: async () => (await import('./serve')).serveCommand },
  { name: 'dataset', load: async () => (await import('./dataset')).datasetCommand },
  { name: 'train', load: async () => (await import('./train')).trainCommand },
  { name: 'runs', load: async () => (await import('./runs')).runsCommand },
  { name: 'compare', load: async () => (await import('./compare')).compareCommand },
  { name: 'cka', load: async () => (await import('./cka')).ckaCommand },
  { name: 'arch', load: async () => (await import('./arch')).archCommand },
  { name: 'backend', load: async () => (await import('./backend')).backendCommand },
  { name: 'figures', load: async () => (await import('./figures')).figuresCommand },
  { name: 'export', load: async () => (await import('./export')).exportCommand },
  { name: 'plot', load: async () => (await import('./plot')).plotCommand },
  { name: 'compose', load: async () => (await import('./compose')).composeCommand },
  { name: 'descriptors', load: async () => (await import('./descriptors')).descriptorsCommand },
  { name: 'earlyexit', load: async () => (await import('./earlyExit')).earlyExitCommand },
  { name: 'featuremap-train', load: async () => (await import('./featureMapTrain')).featureMapTrainCommand },
  { name: 'explain', load: async () => (await import('./explain')).explainCommand },
  { name: 'top9', load: async () => (await import('./top9')).top9Command },
  { name: 'invariance', load: async () => (await import('./invariance')).invarianceCommand },
  { name: 'model', load: async () => (await import('./model')).modelCommand },
  { name: 'predict', load: async () => (await import('./predict')).predictCommand }
]
