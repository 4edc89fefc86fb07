import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { WorkspaceDb } from '../store/database'
import { getRunRow, setRunStatus } from '../store/runStore'
import { createEndpoint } from '../../../src-shared/rpc/endpoint'
import { processTransport } from '../../../src-shared/rpc/nodePorts'
import { fromJob, type JobMessage } from './jobMessages'
import { tsxLoader } from '../tasks/tsxLoader'

const jobEntry = fileURLToPath(new URL('./jobMain.ts', import.meta.url))

export interface RunningJob {
  runId: string
  pid: number
  cancel(): void
  /** Resolves when the process has exited and the run's final status is on disk. */
  done: Promise<void>
}

/**
 * Starts a training job in its own OS process. If the process dies without saying how it
 * ended (SIGKILL, out-of-memory kill, native crash), the run is marked interrupted or failed
 * here, with the reason; the epochs it committed stay intact.
 */
export function startTrainingJob(db: WorkspaceDb, workspaceDir: string, runId: string, onMessage: (message: JobMessage) => void): RunningJob {
  const child = fork(jobEntry, ['--run', runId, '--workspace', workspaceDir], {
    execArgv: ['--import', tsxLoader, '--max-old-space-size=8192'],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc']
  })
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000)
  })
  let lastStatus: { status: string; reason: string | null } | null = null
  const job = createEndpoint(processTransport(child, 'parent'), {
    events: fromJob,
    onEvent: (_name, message) => {
      if (message.t === 'status') lastStatus = { status: message.status, reason: message.reason }
      onMessage(message)
    },
    onDropped: (problem) => process.stderr.write(`featurelens: from the training job of ${runId}: ${problem}\n`)
  })
  setRunStatus(db, runId, 'running', null, child.pid ?? null)

  const done = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      const stored = getRunRow(db, runId).status
      if (stored === 'running' || stored === 'queued') {
        const tail = stderr.trim().split('\n').filter(Boolean).slice(-2).join(' ').slice(0, 300)
        const interrupted = signal !== null
        // The job may have said why it failed but been unable to write it (e.g. a full disk).
        const reason = interrupted
          ? `the training process was stopped by ${signal}; the completed epochs are kept and the run can be resumed`
          : lastStatus?.status === 'failed' && lastStatus.reason
            ? lastStatus.reason
            : `the training process exited with code ${code}${tail ? `: ${tail}` : ''}`
        const status = interrupted ? 'interrupted' : 'failed'
        try {
          setRunStatus(db, runId, status, reason)
        } catch {
          // The workspace may be unwritable now (full disk); the event still tells the user.
        }
        if (lastStatus?.status !== status) onMessage({ t: 'status', status, reason })
      }
      resolve()
    })
  })

  return {
    runId,
    pid: child.pid ?? -1,
    cancel() {
      if (child.connected) job.emit('cancel', {})
    },
    done
  }
}
