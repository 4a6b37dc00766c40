import type { Check } from '../../../contract/common'

/** Failing checks first, so the reason for a verdict is the first thing read; otherwise the server's order. */
export function orderChecks(checks: readonly Check[]): Check[] {
  // Array.prototype.sort is stable, so each group keeps the order in which the checks ran.
  return [...checks].sort((a, b) => Number(a.ok) - Number(b.ok))
}
