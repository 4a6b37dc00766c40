import { cleanup, configure } from '@testing-library/react'
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest'
import { server } from '../../mocks/node'
import { tokenStore } from '../api/token-store'

// Two test projects share two cores; the default 1 s for findBy/waitFor is too tight under that load.
configure({ asyncUtilTimeout: 4000 })

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
