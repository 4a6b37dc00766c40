import { render } from '@testing-library/react'
import { userEvent } from '@testing-library/user-event'
import { UNSAFE_createMemoryHistory as createMemoryHistory, type To } from 'react-router'
import { App, createApp } from '../app/app'
import { createQueryClient } from '../app/providers'

/** Renders the whole app (shell, routes, loaders) at `url`, against the MSW handlers of the test. */
export function renderApp(url: string) {
  // No retries: a failing request should show its error at once, not after a back-off.
  const queryClient = createQueryClient({ retry: false })
  const history = createMemoryHistory({ initialEntries: [url], v5Compat: true })
  const app = createApp(history, queryClient)
  const user = userEvent.setup()
  const view = render(<App app={app} />)
  // The address bar, as the tests read and move it.
  const router = {
    state: {
      get location() {
        return history.location
      },
    },
    navigate: (to: To | number) => (typeof to === 'number' ? history.go(to) : history.push(to)),
  }
  return { ...view, router, user, queryClient }
}
