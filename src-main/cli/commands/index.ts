import type { Command } from '../command'
import { ckaCommand } from './cka'
import { serveCommand } from './serve'

/** Every `featurelens` subcommand, in the order `--help` lists them. Add new commands here. */
export const commands: Command[] = [
  serveCommand,
  ckaCommand,
]
