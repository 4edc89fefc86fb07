import { ESLint } from 'eslint'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// The project's own lint config: a component that reaches the API client fails lint, while a
// store or composable in the same folder may use it.
const root = fileURLToPath(new URL('../../..', import.meta.url))
const eslint = new ESLint({ cwd: root })

async function restrictedImports(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

const component = (imports: string, body: string) => `<script setup lang="ts">
${imports}
${body}
</script>

<template>
  <p>{{ 1 }}</p>
</template>
`

describe('lint: components never call the API client', () => {
  it('fails a component that imports the client to call it', async () => {
    const code = component("import { api } from '../../api/client'", "void api.call('runs.list', {})")
    const messages = await restrictedImports(code, 'src-renderer/src/features/runs/RunsCount.vue')
    expect(messages).toHaveLength(1)
    expect(messages[0]).toContain("Components do not call the API client: put the request in the feature's store or a composable")
  })

  it('fails a component that takes the client from useApi', async () => {
    const code = component("import { useApi } from '../../shared/useApi'", "void useApi().call('runs.list', {})")
    expect(await restrictedImports(code, 'src-renderer/src/features/runs/RunsCount.vue')).toHaveLength(1)
    const shared = component("import { useApi } from './useApi'", "void useApi().call('app.info', {})")
    expect(await restrictedImports(shared, 'src-renderer/src/shared/BaseVersion.vue')).toHaveLength(1)
  })

  it('lets a store use the client and a component use the store', async () => {
    const store = "import { useApi } from '../../shared/useApi'\nexport const count = async () => (await useApi().call('runs.list', {})).length\n"
    expect(await restrictedImports(store, 'src-renderer/src/features/runs/runsCount.ts')).toEqual([])
    const code = component("import { useRunsStore } from './useRunsStore'", 'void useRunsStore().refresh()')
    expect(await restrictedImports(code, 'src-renderer/src/features/runs/RunsCount.vue')).toEqual([])
  })
})
