import { z } from 'zod'

/** Error codes that cross the API boundary. The message is always for a person to read. */
export const errorCodes = [
  'invalid_request',
  'unknown_method',
  'not_found',
  'bad_input',
  'conflict',
  'unauthorized',
  'unavailable',
  'cancelled',
  'internal'
] as const
export const ErrorCode = z.enum(errorCodes)
export type ErrorCode = z.infer<typeof ErrorCode>

export const ApiErrorShape = z.object({ code: ErrorCode, message: z.string() })
export type ApiErrorShape = z.infer<typeof ApiErrorShape>

/** An error whose message is meant for the user: it names the input and what to do. */
export class ApiError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string) {
    super(message)
    this.name = 'ApiError'
    this.code = code
  }
  toJSON(): ApiErrorShape {
    return { code: this.code, message: this.message }
  }
}

export function isApiErrorShape(value: unknown): value is ApiErrorShape {
  return ApiErrorShape.safeParse(value).success
}
