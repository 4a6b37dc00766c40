import { policyRoutes } from '../../src/contract/policy'
import type { RouteDeps } from '../http/deps'
import { resourceApp } from '../http/mount'

/** The per-project policies in force, as the config file set them. */
export function policyApp({ config, auth }: RouteDeps) {
  const { app, mount } = resourceApp(auth)
  mount(policyRoutes.getPolicy, (c) => c.json({ policies: config.policies }))
  return app
}
