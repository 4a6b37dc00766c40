import { cleanup, configure } from '@testing-library/react'
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest'
import { server } from '../../mocks/node'
import { tokenStore } from '../api/token-store'

// Two test projects share two cores, and a test's first render of the whole app imports its routes and builds the
// mocks' demo world (1,600 builds with their documents): 3–7 s on a busy machine. The default 1 s for findBy/waitFor
// fails such a test for the machine's load, not the page's behaviour; a waiting assertion that is wrong still fails.
configure({ asyncUtilTimeout: 15_000 })

// Every request a test makes must be one the mocks know: an unmocked call is a bug in the test or the app.
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterAll(() => server.close())

// A console.error in a test (React warnings, act() warnings, failed prop types, MSW's unhandled-request report)
// is a failure, not noise.
let consoleErrors: unknown[][] = []
beforeEach(() => {
  consoleErrors = []
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    consoleErrors.push(args)
  })
})

afterEach(() => {
  cleanup()
  server.resetHandlers()
  sessionStorage.clear()
  tokenStore.forget()
  vi.restoreAllMocks()
  const errors = consoleErrors
  consoleErrors = []
  if (errors.length > 0) {
    const text = errors.map((args) => args.map((arg) => (arg instanceof Error ? arg.stack : String(arg))).join(' ')).join('\n---\n')
    throw new Error(`console.error was called during the test:\n${text}`)
  }
})

// jsdom has no ResizeObserver; recharts' ResponsiveContainer needs one. Its size is never reported, so charts keep
// their initial dimension, which is all a jsdom test can check anyway.
if (typeof globalThis.ResizeObserver === 'undefined') {
  globalThis.ResizeObserver = class {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  }
}
