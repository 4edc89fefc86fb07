/**
 * WebGPU reports a buffer that does not fit (out of memory, or larger than the adapter allows)
 * only through the device's 'uncapturederror' event; the computation then goes on with an
 * invalid buffer and reads back zeros. So every error is recorded, and the next read of any
 * tensor fails with it instead of returning wrong numbers.
 */

interface DeviceErrorEvent {
  error?: { message?: string; constructor?: { name?: string } }
  preventDefault?(): void
}

export interface WatchedBackend {
  device: { addEventListener(type: 'uncapturederror', listener: (event: DeviceErrorEvent) => void): void }
  read(dataId: object): Promise<unknown>
}

/** The device could not hold what a computation needed. */
export class GpuMemoryError extends Error {
  constructor(
    readonly detail: string,
    /** Bytes of the buffer it refused, when the error says. */
    readonly bytes: number | null
  ) {
    super(`the GPU ran out of memory: ${detail}`)
    this.name = 'GpuMemoryError'
  }
}

/** Any other error the device raised; the results of that computation are not to be trusted. */
export class GpuDeviceError extends Error {
  constructor(readonly detail: string) {
    super(`the GPU device reported an error: ${detail}`)
    this.name = 'GpuDeviceError'
  }
}

function firstLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find(Boolean) ?? text
}

/** Turns what the device said into our error: memory problems are named as such. */
export function deviceError(kind: string, message: string): Error {
  const line = firstLine(message)
  const sizeMatch = /Buffer size \((\d+)\) exceeds the max buffer size/i.exec(line)
  if (kind === 'GPUOutOfMemoryError' || sizeMatch || /out of memory|OOM|allocation failed/i.test(line)) {
    return new GpuMemoryError(line, sizeMatch ? Number(sizeMatch[1]) : null)
  }
  return new GpuDeviceError(line)
}

const watched = new WeakSet<object>()

export function watchDeviceErrors(backend: WatchedBackend): void {
  if (watched.has(backend)) return
  watched.add(backend)
  let pending: Error | null = null
  backend.device.addEventListener('uncapturederror', (event) => {
    // Ours to report: keep Dawn from printing it as well.
    event.preventDefault?.()
    // The first error is the cause; the rest follow from its invalid buffer.
    pending ??= deviceError(event.error?.constructor?.name ?? '', event.error?.message ?? 'unknown error')
  })
  const read = backend.read.bind(backend)
  backend.read = async (dataId: object) => {
    const values = await read(dataId)
    if (pending) {
      const err = pending
      pending = null
      throw err
    }
    return values
  }
}
