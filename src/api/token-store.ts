/**
 * The read token, kept for this browser tab only (sessionStorage), and whether the app should ask for one.
 * A tiny external store so that the fetch client (not React) can report a 401 and the app shell can react.
 */
export type TokenPrompt =
  /** Nothing to ask. */
  | null
  /** The server needs a token and we have none. */
  | 'required'
  /** The token we sent was refused; it has been forgotten. */
  | 'rejected'

export type AuthState = { token: string | null; prompt: TokenPrompt }

const STORAGE_KEY = 'provenance-dashboard.read-token'

function readStored(): string | null {
  try {
    const value = globalThis.sessionStorage?.getItem(STORAGE_KEY) ?? null
    return value === '' ? null : value
  } catch {
    // Storage can be disabled by the browser; the app then asks again after a reload.
    return null
  }
}

function writeStored(token: string | null): void {
  try {
    if (token === null) globalThis.sessionStorage?.removeItem(STORAGE_KEY)
    else globalThis.sessionStorage?.setItem(STORAGE_KEY, token)
  } catch {
    // See readStored.
  }
}

let state: AuthState = { token: readStored(), prompt: null }
const listeners = new Set<() => void>()

function update(next: AuthState): void {
  if (next.token === state.token && next.prompt === state.prompt) return
  state = next
  for (const listener of listeners) listener()
}

export const tokenStore = {
  getSnapshot: (): AuthState => state,
  subscribe: (listener: () => void): (() => void) => {
    listeners.add(listener)
    return () => listeners.delete(listener)
  },
  token: (): string | null => state.token,
  save: (token: string): void => {
    const trimmed = token.trim()
    if (trimmed === '') return
    writeStored(trimmed)
    update({ token: trimmed, prompt: null })
  },
  forget: (): void => {
    writeStored(null)
    update({ token: null, prompt: null })
  },
  /** The server says reads need a token (`/api/v1/meta`); ask unless we already hold one. */
  require: (): void => {
    if (state.token === null && state.prompt === null) update({ token: null, prompt: 'required' })
  },
  /** A request came back 401. `sent` is the token that request carried, if any. */
  unauthorized: (sent: string | null): void => {
    // A stale 401 from a request made before the user entered a new token must not wipe the new one.
    if (sent !== null && sent !== state.token) return
    if (sent !== null) writeStored(null)
    update({ token: null, prompt: sent === null ? 'required' : 'rejected' })
  },
}
