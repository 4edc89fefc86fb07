import { ApiError } from '../../../src-shared/errors'
import type { RunDetail, RunSummary } from '../../../src-shared/run'
import { openApi } from '../../api/openApi'
import { parseCommandArgs } from '../args'
import type { Command, CommandIO } from '../command'

const usage = `Usage: featurelens runs list|show ID|resume ID|delete ID [--workspace DIR] [--json]

  list        the runs in the workspace with their status
  show ID     a run's settings and per-epoch metrics
  resume ID   continue an interrupted or cancelled run from its last complete epoch
  delete ID   delete a run and everything stored for it (asks unless --yes)`

const pct = (v: number | null | undefined): string => (v == null ? '–' : `${(v * 100).toFixed(2)}%`)

function printList(runs: RunSummary[], io: CommandIO): void {
  if (runs.length === 0) {
    io.out('No runs yet. Start one with "featurelens train --dataset mnist --model lenet5".')
    return
  }
  io.out(['ID'.padEnd(22), 'STATUS'.padEnd(12), 'EPOCHS'.padEnd(7), 'TEST ACC'.padEnd(9), 'NAME'].join(' '))
  for (const r of runs) {
    io.out([r.id.padEnd(22), r.status.padEnd(12), `${r.epochsCompleted}/${r.config.epochs}`.padEnd(7), pct(r.lastMetrics?.testAccuracy).padEnd(9), r.name + (r.pairId ? ` [${r.pairId}]` : '')].join(' '))
  }
}

function printDetail(run: RunDetail, io: CommandIO): void {
  io.out(`${run.id}  ${run.name}`)
  io.out(`status: ${run.status}${run.statusReason ? ` (${run.statusReason})` : ''}`)
  io.out(`dataset: ${run.config.dataset}  label: ${run.config.label.kind === 'class' ? 'class' : run.config.label.attribute}  model: ${run.config.model.name}`)
  io.out(`optimizer: ${run.config.optimizer} lr ${run.config.learningRate}  batch ${run.config.batchSize}  seed ${run.config.seed}  stored: ${(run.storageBytes / 1e6).toFixed(1)} MB`)
  if (run.compute) io.out(`computed on: ${run.compute}`)
  io.out('epoch  train loss  train acc  val loss  val acc  test acc  img/s')
  for (const m of run.epochs) {
    const f = (v: number | null) => (v == null ? '–' : v.toFixed(4))
    io.out(`${String(m.epoch).padEnd(6)} ${f(m.trainLoss).padEnd(11)} ${pct(m.trainAccuracy).padEnd(10)} ${f(m.valLoss).padEnd(9)} ${pct(m.valAccuracy).padEnd(8)} ${pct(m.testAccuracy).padEnd(9)} ${m.imagesPerSecond ? Math.round(m.imagesPerSecond) : '–'}`)
  }
}

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list, show, resume or delete training runs',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('runs', args, { workspace: { type: 'string' }, json: { type: 'boolean' }, yes: { type: 'boolean' } })
    const [action, id] = positionals
    if (!action || !['list', 'show', 'resume', 'delete'].includes(action)) throw new ApiError('invalid_request', `runs needs one of list, show ID, resume ID, delete ID; got "${action ?? ''}"`)
    if (action !== 'list' && !id) throw new ApiError('invalid_request', `runs ${action} needs a run id ("featurelens runs list" shows them)`)
    const api = openApi({ workspace: values.workspace, shell: 'web' })
    try {
      if (action === 'list') {
        const runs = await api.call('runs.list', {})
        if (values.json) io.out(JSON.stringify(runs))
        else printList(runs, io)
        return 0
      }
      if (action === 'show') {
        const run = await api.call('runs.get', { id })
        if (values.json) io.out(JSON.stringify({ ...run, batchLosses: run.batchLosses.map((b) => ({ epoch: b.epoch, losses: Array.from(b.losses) })) }))
        else printDetail(run, io)
        return 0
      }
      if (action === 'delete') {
        if (!values.yes) {
          if (!process.stdin.isTTY) throw new ApiError('invalid_request', `deleting ${id} cannot be undone; add --yes to confirm`)
          const { createInterface } = await import('node:readline/promises')
          const rl = createInterface({ input: process.stdin, output: process.stderr })
          const answer = await rl.question(`Delete run ${id} and all its stored epochs? [y/N] `)
          rl.close()
          if (!/^y(es)?$/i.test(answer.trim())) {
            io.err('not deleted')
            return 1
          }
        }
        const result = await api.call('runs.delete', { id })
        io.out(values.json ? JSON.stringify(result) : `deleted ${id}${result.spaceNote ? `; ${result.spaceNote}` : ''}`)
        return 0
      }
      // resume: follow it to the end like `train` does
      await api.call('runs.resume', { id })
      const final = await new Promise<RunSummary>((resolve) => {
        const unsubscribe = api.context.events.subscribe((name, payload) => {
          const event = payload as { runId: string; status?: string }
          if (event.runId !== id) return
          if (values.json) io.out(JSON.stringify({ event: name, ...(payload as object) }))
          if (name === 'runs.status' && event.status && !['queued', 'running'].includes(event.status)) {
            unsubscribe()
            void api.context.jobs.whenIdle().then(async () => resolve(await api.call('runs.get', { id })))
          }
        })
      })
      io.out(values.json ? JSON.stringify({ summary: [final] }) : `${id}: ${final.status} after ${final.epochsCompleted} epochs`)
      return final.status === 'completed' ? 0 : 1
    } finally {
      api.close()
    }
  }
}
