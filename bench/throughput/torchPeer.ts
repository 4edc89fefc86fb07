import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'

const peerScript = fileURLToPath(new URL('../torch_peer.py', import.meta.url))

/** What the peer reports about itself; null fields when it could not be started. */
export interface PeerInfo {
  python: string
  torch: string
  threads: number
  mkldnn: boolean
}

export interface PeerRound {
  imagesPerSecond: number
  cpuMsPerStep: number
  lastLoss: number
}

/**
 * `python3` on PATH first, then Debian's own interpreter: python3-torch installs into
 * /usr/lib/python3/dist-packages, which a python3 from pyenv or a venv does not see.
 */
function pythonWithTorch(): string | null {
  const candidates = ['python3', '/usr/bin/python3'].filter((p, i) => i === 0 || existsSync(p))
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' })
    if (probe.status === 0) return python
  }
  return null
}

/** Installs Debian's python3-torch where we are root and have apt-get, saying what it does. */
function installTorch(log: (line: string) => void): boolean {
  if (process.platform !== 'linux' || typeof process.getuid !== 'function' || process.getuid() !== 0) {
    log('python3-torch is not installed and this is not a root shell on Linux, so it cannot be installed here')
    return false
  }
  if (spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) {
    log('python3-torch is not installed and there is no apt-get to install it with')
    return false
  }
  for (const args of [['update'], ['install', '-y', 'python3-torch']]) {
    log(`running: apt-get ${args.join(' ')}`)
    const run = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
    if (run.status !== 0) {
      const why = run.stderr?.toString().trim().split('\n').pop() ?? `exit code ${run.status}`
      log(`apt-get ${args[0]} failed: ${why}`)
      return false
    }
  }
  return true
}

/**
 * The PyTorch peer as a long-lived child process, so that rounds of the two peers can
 * alternate without paying Python's start-up and `import torch` each time.
 */
export class TorchPeer {
  private readonly pending: Array<(line: string) => void> = []

  private constructor(
    private readonly child: ReturnType<typeof spawn>,
    readonly info: PeerInfo
  ) {}

  /** Starts the peer, installing python3-torch first if allowed; null (with the reason logged) if it cannot. */
  static async start(threads: number, allowInstall: boolean, log: (line: string) => void): Promise<TorchPeer | null> {
    let python = pythonWithTorch()
    if (!python && allowInstall) {
      log('import torch failed; trying to install Debian\'s python3-torch')
      if (installTorch(log)) python = pythonWithTorch()
      if (!python) log('python3-torch still cannot be imported')
    }
    if (!python) return null
    const child = spawn(python, [peerScript, String(threads)], { stdio: ['pipe', 'pipe', 'inherit'] })
    const lines = createInterface({ input: child.stdout! })
    let peer: TorchPeer | null = null
    const early: string[] = []
    lines.on('line', (line) => {
      const waiter = peer?.pending.shift()
      if (waiter) waiter(line)
      else early.push(line)
    })
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the PyTorch peer exited (code ${code})`))))
    exited.catch(() => undefined)
    peer = new TorchPeer(child, { python, torch: '', threads, mkldnn: false })
    const hello = (await Promise.race([peer.ask({ cmd: 'hello' }), exited])) as { torch: string; threads: number; mkldnn: boolean }
    Object.assign(peer.info, hello)
    return peer
  }

  private ask(command: object): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      this.pending.push((line) => {
        const answer = JSON.parse(line) as Record<string, unknown>
        if (typeof answer.error === 'string') reject(new Error(`PyTorch peer: ${answer.error}`))
        else resolve(answer)
      })
      this.child.stdin!.write(JSON.stringify(command) + '\n')
    })
  }

  async round(command: object): Promise<PeerRound> {
    return (await this.ask({ cmd: 'train', ...command })) as unknown as PeerRound
  }

  close(): void {
    this.child.stdin!.end()
  }
}
