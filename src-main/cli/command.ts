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

let outputGuarded = false

/**
 * `featurelens runs list | head -3`: once the reader closes the pipe, further output has nowhere
 * to go. Stop quietly (like other Unix tools) instead of dying on EPIPE with a stack trace.
 */
export function stopQuietlyWhenOutputCloses(): void {
  if (outputGuarded) return
  outputGuarded = true
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') process.exit(process.exitCode ?? 0)
      throw err
    })
  }
}
