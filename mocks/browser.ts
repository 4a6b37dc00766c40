import { setupWorker } from 'msw/browser'
import { handlers } from './handlers'
import { scenarioHandlers, scenarios } from './scenarios'

export const worker = setupWorker(...handlers)

/** Starts the mock API in the browser; `scenario` is the `?scenario=` value, comma-separated names. */
export async function startMockWorker(scenario: string | null): Promise<void> {
  await worker.start({
    // Vite's own modules and assets are not the API's business; only an unmocked API call is a mistake.
    onUnhandledRequest(request, print) {
      if (new URL(request.url).pathname.startsWith('/api/')) print.error()
    },
  })
  if (!scenario) return
  const names = scenario.split(',').map((name) => name.trim()).filter(Boolean)
  const { handlers: extra, unknown } = scenarioHandlers(names)
  if (unknown.length > 0) {
    console.warn(`[mocks] unknown scenario ${unknown.join(', ')}; known: ${Object.keys(scenarios).join(', ')}`)
  }
  worker.use(...extra)
  console.info(`[mocks] scenario ${names.join(', ')} applied`)
}
