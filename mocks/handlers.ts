import { buildHandlers } from './handlers/builds'
import { exploreHandlers } from './handlers/explore'
import { logHandlers } from './handlers/log'
import { metaHandlers } from './handlers/meta'

/** Every happy-path handler: the same set serves the browser in dev, vitest and Playwright. */
export const handlers = [...metaHandlers, ...exploreHandlers, ...buildHandlers, ...logHandlers]
