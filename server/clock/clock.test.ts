import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { fileClock, serverClock } from './clock'

describe('the server clock', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })
  const file = (content: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'provenance-clock-'))
    dirs.push(dir)
    const path = join(dir, 'clock.json')
    writeFileSync(path, content)
    return path
  }

  it('is the wall clock when no clock file is named', () => {
    expect(serverClock(undefined)).toBe(Date.now)
  })

  it('moves by the offset in the file, read again on every call', () => {
    const path = file(JSON.stringify({ offsetMs: 0 }))
    const clock = fileClock(path)
    const before = Date.now()
    expect(clock()).toBeGreaterThanOrEqual(before)
    writeFileSync(path, JSON.stringify({ offsetMs: 3_600_000 }))
    expect(clock() - Date.now()).toBeGreaterThan(3_590_000)
    writeFileSync(path, JSON.stringify({ offsetMs: -86_400_000 }))
    expect(Date.now() - clock()).toBeGreaterThan(86_390_000)
  })

  it('fails, naming the file, when the file is missing or does not hold an offset', () => {
    const path = file(JSON.stringify({ offset: '1h' }))
    expect(() => fileClock(path)()).toThrow(`PROVENANCE_CLOCK_FILE ${path} must hold {"offsetMs": <whole milliseconds>}`)
    expect(() => fileClock(join(tmpdir(), 'no-such-provenance-clock.json'))()).toThrow(/cannot be read/)
  })
})
