import { appHandlers } from './app'
import { compareHandlers } from './compare'
import { datasetHandlers } from './datasets'
import { figureHandlers } from './figures'
import { earlyExitHandlers } from './earlyExit'
import { explainHandlers } from './explain'
import { inspectHandlers } from './inspect'
import { modelHandlers } from './models'
import { runHandlers } from './runs'
import { taskHandlers } from './tasks'
import type { Handlers } from './router'

/** Every handler module, merged. The type makes a missing handler a compile error. */
export const handlers: Handlers = {
  ...appHandlers,
  ...compareHandlers,
  ...datasetHandlers,
  ...runHandlers,
  ...inspectHandlers,
  ...taskHandlers,
  ...figureHandlers,
  ...earlyExitHandlers,
  ...explainHandlers,
  ...modelHandlers
}
