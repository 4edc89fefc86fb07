import type { Command } from '../command'

/** Every `featurelens` subcommand, in the order `--help` lists them. Add new commands here. */
export const commands: Command[] = []
