#!/usr/bin/env node
// The `featurelens` command. Node-side code runs from its TypeScript source through tsx,
// so the CLI, the web host and the training process need no build step.
import { register } from 'tsx/esm/api'

register()
const { runCli } = await import('../src-main/cli/main.ts')
const code = await runCli(process.argv.slice(2))
process.exitCode = code
