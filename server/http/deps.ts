import type { Config } from '../config'
import type { Store } from '../store/types'
import type { Auth } from './auth'

/** What every resource's routes are built from; app.ts makes one and hands it to each. */
export type RouteDeps = {
  store: Store
  config: Config
  auth: Auth
  now: () => number
}
