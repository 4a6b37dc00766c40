import { readFileSync } from 'node:fs'
import { z } from 'zod'

/*
 * The server's clock. In production it is the wall clock. Tests that need time to pass (a waiver that runs out, a
 * window that closes) start the server with PROVENANCE_CLOCK_FILE naming a file they write `{"offsetMs": n}` to: the
 * server's now is then the wall clock moved by n, read again at every tick, so a test moves time with one write
 * instead of waiting for it. Nothing in the API can move it.
 */

const ClockFile = z.object({ offsetMs: z.number().int().safe() }).strict()

export type Clock = () => number

/** The wall clock moved by the offset in `file`, read on each call; a file that is missing or malformed fails loudly. */
export function fileClock(file: string): Clock {
  return () => {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (error) {
      throw new Error(`PROVENANCE_CLOCK_FILE ${file} cannot be read: ${error instanceof Error ? error.message : String(error)}`)
    }
    const parsed = ClockFile.safeParse(JSON.parse(text))
    if (!parsed.success) throw new Error(`PROVENANCE_CLOCK_FILE ${file} must hold {"offsetMs": <whole milliseconds>}`)
    return Date.now() + parsed.data.offsetMs
  }
}

/** The clock the environment asks for: the wall clock unless a clock file is named. */
export function serverClock(file: string | undefined): Clock {
  return file === undefined ? Date.now : fileClock(file)
}
