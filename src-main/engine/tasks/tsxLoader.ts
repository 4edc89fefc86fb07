import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'

// Resolved here, not by the child: `--import tsx` would resolve against the user's cwd.
const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'))

/** tsx's loader as a file URL, for `--import` in the processes we start so they can run our TypeScript. */
export const tsxLoader = pathToFileURL(join(tsxDir, 'dist', 'loader.mjs')).href

/**
 * Code for a worker thread (`new Worker(code, { eval: true })`) that runs a TypeScript module.
 * A worker's entry does not go through loaders given in execArgv, so the bootstrap registers
 * tsx in the worker first, then imports the module.
 */
export function typeScriptWorkerCode(entry: URL): string {
  const api = pathToFileURL(join(tsxDir, 'dist', 'esm', 'api', 'index.mjs')).href
  return `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}) })`
}
