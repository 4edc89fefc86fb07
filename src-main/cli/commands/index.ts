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
  { name: 'model', load: async () => (await import('./model')).modelCommand },
  { name: 'predict', load: async () => (await import('./predict')).predictCommand }
]
