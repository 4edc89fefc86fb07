// No module of the main process or the contract imports itself back through others: every
// static import (type-only ones included) between source files forms a graph without cycles.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../../..')

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : []
  })
}

/** The files a module imports statically (`import … from`, `export … from`), resolved. */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const targets: string[] = []
  for (const match of text.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s*'(\.[^']+)'/gm)) {
    const base = resolve(dirname(file), match[1]).replace(/\.js$/, '')
    const found = [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate))
    if (found) targets.push(found)
  }
  return targets
}

/** Strongly connected components of more than one file (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (v: string): void => {
    index.set(v, counter)
    low.set(v, counter++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = []
      let w: string
      do {
        w = stack.pop()!
        onStack.delete(w)
        component.push(relative(root, w))
      } while (w !== v)
      if (component.length > 1) found.push(component.sort())
    }
  }
  for (const v of graph.keys()) if (!index.has(v)) visit(v)
  return found
}

describe('import cycles', () => {
  it('finds a cycle when there is one', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']]
    ])
    expect(cycles(graph).map((c) => c.length)).toEqual([3])
  })

  it('src-main and src-shared have none', () => {
    const files = [...sourceFiles(join(root, 'src-main')), ...sourceFiles(join(root, 'src-shared'))]
    const graph = new Map(files.map((file) => [file, staticImports(file)]))
    expect([...graph.values()].flat().length).toBeGreaterThan(500)
    expect(cycles(graph)).toEqual([])
  })
})
