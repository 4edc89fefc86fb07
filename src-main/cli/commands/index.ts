import type { Command } from '../command'
import { archCommand } from './arch'
import { ckaCommand } from './cka'
import { serveCommand } from './serve'
import { trainCommand } from './train'

/** Every `featurelens` subcommand, in the order `--help` lists them. Add new commands here. */
export const commands: Command[] = [
  serveCommand,
  trainCommand,
  ckaCommand,
  archCommand,
]
