import type { ApiClient, EventName, EventOf, MethodName, RequestOf, ResponseOf } from '../../../src-shared/contract'
import { ApiError, isApiErrorShape } from '../../../src-shared/errors'
import type { FeaturelensBridge } from '../../../src-shared/bridge'

/** The API through the Electron preload bridge: one named method per contract method. */
export function createElectronClient(bridge: FeaturelensBridge): ApiClient {
  return {
    transport: 'electron',
    async call<M extends MethodName>(method: M, request: RequestOf<M>): Promise<ResponseOf<M>> {
      const reply = await bridge.methods[method](request)
      if (reply.ok) return reply.value as ResponseOf<M>
      throw new ApiError(isApiErrorShape(reply.error) ? reply.error.code : 'internal', reply.error.message)
    },
    on<E extends EventName>(event: E, listener: (payload: EventOf<E>) => void): () => void {
      return bridge.on(event, listener as (payload: unknown) => void)
    }
  }
}
