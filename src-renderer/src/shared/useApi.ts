import type { ApiClient } from '../../../src-shared/contract'

let client: ApiClient | null = null

/** Sets the one API client: main.ts sets the real one before the app mounts; a unit test sets its own. */
export function setApiClient(next: ApiClient): void {
  client = next
}

/**
 * The API client, for stores and composables. Components never call it (lint forbids it): they
 * ask a store or composable, so every request a view makes is in one place per feature.
 */
export function useApi(): ApiClient {
  if (!client) throw new Error('No API client is set: main.ts sets it before the app mounts (setApiClient).')
  return client
}
