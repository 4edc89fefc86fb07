import type { Command } from '../command'
import { archCommand } from './arch'
import { backendCommand } from './backend'
import { ckaCommand } from './cka'
import { datasetCommand } from './dataset'
import { serveCommand } from './serve'
import { trainCommand } from './train'
import { runsCommand } from './runs'

/** Every `featurelens` subcommand, in the order `--help` lists them. Add new commands here. */
export const commands: Command[] = [
  serveCommand,
  datasetCommand,
  trainCommand,
  runsCommand,
  ckaCommand,
  archCommand,
  backendCommand,
]
