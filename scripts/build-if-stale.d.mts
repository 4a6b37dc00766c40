export type StaleOptions = {
  /** Also stale when dist/ attests another commit than HEAD (npm start); default: only when a source file is newer. */
  commit?: boolean
}
export declare function staleReason(options?: StaleOptions): string | null
export declare function buildIfStale(options?: StaleOptions): void
