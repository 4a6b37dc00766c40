export type StaleOptions = {
  /** The server and attestations too, and built from HEAD's commit (npm start); default: the SPA's sources only. */
  whole?: boolean
}
export declare function staleReason(options?: StaleOptions): string | null
export declare function buildIfStale(options?: StaleOptions): void
