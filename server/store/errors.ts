/**
 * A query the caller got wrong (a bad cursor, an unreadable time), as opposed to a fault in the store.
 * The HTTP layer turns it into a 400 with `{ error: { code, message, path } }`; anything else the store
 * throws is a server fault.
 */
export type StoreQueryErrorCode = 'invalid-cursor' | 'invalid-time'

export class StoreQueryError extends Error {
  override readonly name = 'StoreQueryError'
  readonly code: StoreQueryErrorCode
  /** The query parameter at fault, e.g. `cursor`. */
  readonly path: string

  constructor(code: StoreQueryErrorCode, message: string, path: string) {
    super(message)
    this.code = code
    this.path = path
  }
}
