import { render } from '@testing-library/react'
import { userEvent } from '@testing-library/user-event'
import { createMemoryRouter, RouterProvider } from 'react-router'
import { AppProviders, createQueryClient } from '../app/providers'
import { createRoutes } from '../app/routes'

/** Renders the whole app (shell, routes, loaders) at `url`, against the MSW handlers of the test. */
export function renderApp(url: string) {
  // No retries: a failing request should show its error at once, not after a back-off.
  const queryClient = createQueryClient({ retry: false })
  const router = createMemoryRouter(createRoutes(queryClient), { initialEntries: [url] })
  const user = userEvent.setup()
  const view = render(
    <AppProviders queryClient={queryClient}>
      <RouterProvider router={router} />
    </AppProviders>,
  )
  return { ...view, router, user, queryClient }
}
