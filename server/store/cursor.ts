import { StoreQueryError } from './errors'

/** The sort key of the last row on a page; the next page starts strictly after it. */
export type BuildCursor = { time: number; id: string }

const base64url = /^[A-Za-z0-9_-]+$/
// `time` may be negative (builds dated before 1970 are odd but not invalid); ids are SHA-256 hex.
const payload = /^(-?\d{1,16}):([0-9a-f]{64})$/

export function encodeCursor(cursor: BuildCursor): string {
  return Buffer.from(`${cursor.time}:${cursor.id}`, 'utf8').toString('base64url')
}

/** Cursors come back from clients, so every part is checked: a tampered cursor must be a 400, not a 500. */
export function decodeCursor(text: string): BuildCursor {
  const invalid = () =>
    new StoreQueryError(
      'invalid-cursor',
      'cursor is not one this server issued; drop it to start from the first page',
      'cursor',
    )
  if (!base64url.test(text)) throw invalid()
  const match = payload.exec(Buffer.from(text, 'base64url').toString('utf8'))
  const [, timeText, id] = match ?? []
  if (timeText === undefined || id === undefined) throw invalid()
  const time = Number(timeText)
  if (!Number.isSafeInteger(time)) throw invalid()
  return { time, id }
}
