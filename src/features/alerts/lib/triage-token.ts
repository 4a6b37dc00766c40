/**
 * The triage token, kept for this tab only (sessionStorage) apart from the read token: changing an alert's state
 * needs scope `triage`, which a read token usually lacks. Forgotten when the server refuses it.
 */
const KEY = 'provenance-dashboard.triage-token'

export const triageToken = {
  get(): string | null {
    try {
      const value = globalThis.sessionStorage?.getItem(KEY) ?? null
      return value === '' ? null : value
    } catch {
      return null
    }
  },
  set(token: string | null): void {
    try {
      if (token === null || token.trim() === '') globalThis.sessionStorage?.removeItem(KEY)
      else globalThis.sessionStorage?.setItem(KEY, token.trim())
    } catch {
      // Storage may be disabled; the token is then asked for again.
    }
  },
}
