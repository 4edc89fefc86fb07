import { readFileSync } from 'node:fs'
import { ApiError } from '../../src-shared/errors'
import { processIO, stopQuietlyWhenOutputCloses, type CommandIO } from './command'
import { commandEntries } from './commands/index'

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

async function helpText(): Promise<string> {
  const commands = await Promise.all(commandEntries.map((entry) => entry.load()))
  const width = Math.max(...commands.map((c) => c.name.length))
  return [
    'featurelens: understand convolutional networks through their feature maps',
    '',
    'Usage: featurelens <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  --help, -h     show help (also "featurelens <command> --help")',
    '  --version, -v  print the version'
  ].join('\n')
}

/** Runs the CLI and returns the exit code. User errors print one line, never a stack trace. */
export async function runCli(argv: string[], io: CommandIO = processIO): Promise<number> {
  if (io === processIO) stopQuietlyWhenOutputCloses()
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(await helpText())
    return 0
  }
  if (name === '--version' || name === '-v') {
    io.out(packageVersion())
    return 0
  }
  const entry = commandEntries.find((c) => c.name === name)
  if (!entry) {
    io.err(`featurelens: unknown command "${name}". Run "featurelens --help" to see the commands.`)
    return 2
  }
  const command = await entry.load()
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage)
    return 0
  }
  try {
    return await command.run(rest, io)
  } catch (err) {
    if (err instanceof ApiError) {
      io.err(`featurelens ${name}: ${err.message}`)
      return err.code === 'invalid_request' ? 2 : 1
    }
    const message = err instanceof Error ? err.message : String(err)
    io.err(`featurelens ${name}: unexpected error: ${message}`)
    if (process.env.FEATURELENS_DEBUG) io.err(err instanceof Error && err.stack ? err.stack : '')
    return 1
  }
}
