import { signatureRoutes } from '../../src/contract/signatures'
import type { RouteDeps } from '../http/deps'
import { resourceApp } from '../http/mount'

/** Every verification result, with counts by status. */
export function signaturesApp({ store, auth }: RouteDeps) {
  const { app, mount } = resourceApp(auth)
  mount(signatureRoutes.listSignatures, async (c, { query }) => c.json(await store.signatures.list(query)))
  return app
}
