import { setupServer } from 'msw/node'
import { handlers } from './handlers'

/** The mock API for vitest (and any Node script). Tests apply scenarios with `server.use(...scenarios.x)`. */
export const server = setupServer(...handlers)
