import { ZodError } from 'zod'
import { isMethodName, methods, type MethodName, type ParsedRequestOf, type RequestOf, type ResponseOf } from '../../src-shared/contract'
import { ApiError, type ApiErrorShape } from '../../src-shared/errors'
import { storageFailure } from '../engine/store/storageErrors'
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
 * What happens when a handler's response does not match its schema: tests throw (vitest sets
 * VITEST, also in the hosts they start), production says so once per method on stderr and
 * still answers. zod checks a response faster than JSON.stringify writes it, so every response
 * is checked.
 */
export type ResponseCheck = 'throw' | 'warn'
const defaultResponseCheck = (): ResponseCheck => (process.env.VITEST || process.env.FEATURELENS_STRICT_CONTRACT ? 'throw' : 'warn')

/**
 * The single entry point both transports call. It validates the method name and the request
 * against the contract before any handler runs, so handlers only ever see well-formed input,
 * and every response against the contract after it.
 */
export function createDispatcher(handlers: Handlers, context: ApiContext, options: { responseCheck?: ResponseCheck; warn?: (line: string) => void } = {}) {
  const responseCheck = options.responseCheck ?? defaultResponseCheck()
  const warn = options.warn ?? ((line: string) => process.stderr.write(line + '\n'))
  const warned = new Set<string>()
  function checkResponse(method: MethodName, value: unknown): void {
    const checked = methods[method].response.safeParse(value)
    if (checked.success) return
    const problems = checked.error.issues.slice(0, 3).map((issue) => `${issue.path.length ? issue.path.join('.') : '(response)'}: ${issue.message}`)
    const message = `the ${method} response does not match the API contract: ${problems.join('; ')}`
    if (responseCheck === 'throw') throw new ApiError('internal', message)
    if (!warned.has(method)) warn(`featurelens: ${message}`)
    warned.add(method)
  }

  return async function dispatch(method: unknown, params: unknown): Promise<unknown> {
    if (!isMethodName(method)) throw new ApiError('unknown_method', `unknown method "${String(method)}"`)
    const parsed = methods[method].request.safeParse(params ?? {})
    if (!parsed.success) throw new ApiError('invalid_request', describeValidationError(method, parsed.error))
    const handler = handlers[method] as (request: unknown, context: ApiContext) => unknown
    let value: unknown
    try {
      value = await handler(parsed.data, context)
    } catch (err) {
      // A full disk, a read-only or damaged workspace: name the file and what to do.
      throw storageFailure(err, context.workspace.database, method) ?? err
    }
    checkResponse(method, value)
    return value
  }
}
export type Dispatch = ReturnType<typeof createDispatcher>

/** A dispatcher's typed face (what the renderer's client is): the request as the contract takes it, the response it answers. */
export type Call = <M extends MethodName>(method: M, request: RequestOf<M>) => Promise<ResponseOf<M>>

/** `call` over a dispatcher, whose every response has been checked against its method's schema. */
export function typedCall(dispatch: Dispatch): Call {
  return async <M extends MethodName>(method: M, request: RequestOf<M>) => (await dispatch(method, request)) as ResponseOf<M>
}
