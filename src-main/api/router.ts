import { ZodError } from 'zod'
import { isMethodName, methods, type MethodName, type ParsedRequestOf, type ResponseOf } from '../../src-shared/contract'
import { ApiError, type ApiErrorShape } from '../../src-shared/errors'
import { GpuMemoryError } from '../engine/backend/webgpuErrors'
import type { ApiContext } from './context'

export type Handler<M extends MethodName> = (request: ParsedRequestOf<M>, context: ApiContext) => Promise<ResponseOf<M>> | ResponseOf<M>
export type Handlers = { [M in MethodName]: Handler<M> }

/** Turns a zod error into one line that names the field and the problem. */
export function describeValidationError(method: string, error: ZodError): string {
  const issues = error.issues.slice(0, 3).map((issue) => {
    const field = issue.path.length ? issue.path.join('.') : '(request)'
    return `${field}: ${issue.message}`
  })
  return `invalid request to ${method}: ${issues.join('; ')}`
}

export function toErrorShape(err: unknown): ApiErrorShape {
  if (err instanceof ApiError) return err.toJSON()
  if (err instanceof ZodError) return { code: 'invalid_request', message: describeValidationError('(unknown)', err) }
  if (err instanceof GpuMemoryError) {
    return { code: 'unavailable', message: `${err.message}; analyse fewer images or layers at once, or choose wasm under Settings → Compute backend` }
  }
  const message = err instanceof Error ? err.message : String(err)
  return { code: 'internal', message: `unexpected error: ${message}` }
}

/**
 * The single entry point both transports call. It validates the method name and the request
 * against the contract before any handler runs, so handlers only ever see well-formed input.
 */
export function createDispatcher(handlers: Handlers, context: ApiContext) {
  return async function dispatch(method: unknown, params: unknown): Promise<unknown> {
    if (!isMethodName(method)) throw new ApiError('unknown_method', `unknown method "${String(method)}"`)
    const parsed = methods[method].request.safeParse(params ?? {})
    if (!parsed.success) throw new ApiError('invalid_request', describeValidationError(method, parsed.error))
    const handler = handlers[method] as (request: unknown, context: ApiContext) => unknown
    return await handler(parsed.data, context)
  }
}
export type Dispatch = ReturnType<typeof createDispatcher>
