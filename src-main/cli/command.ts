/** One `featurelens` subcommand. Each lives in its own module under cli/commands/. */
export interface Command {
  name: string
  /** One line for `featurelens --help`. */
  summary: string
  /** Full usage text for `featurelens NAME --help`. */
  usage: string
  /** Runs the command; returns the process exit code. Throw ApiError for user-facing failures. */
  run(args: string[], io: CommandIO): Promise<number>
}

export interface CommandIO {
  out(line: string): void
  err(line: string): void
}

export const processIO: CommandIO = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n')
}
