import { describe, expect, it } from 'vitest'
import { adviceFor, finishedState, nextSyncDelayMs } from './schedule'

describe('nextSyncDelayMs', () => {
  it('waits the interval after a success', () => {
    expect(nextSyncDelayMs(3600, 0)).toBe(3_600_000)
  })
  it('retries sooner after the first failure, then doubles, up to a day', () => {
    expect(nextSyncDelayMs(3600, 1)).toBe(900_000)
    expect(nextSyncDelayMs(3600, 2)).toBe(1_800_000)
    expect(nextSyncDelayMs(3600, 3)).toBe(3_600_000)
    expect(nextSyncDelayMs(3600, 30)).toBe(86_400_000)
    // A short interval still waits at least a minute after a failure.
    expect(nextSyncDelayMs(60, 1)).toBe(60_000)
  })
})

describe('finishedState', () => {
  it('is succeeded without errors, partial when something was read, failed when nothing was', () => {
    const counts = { documentsFound: 0, telemetryRuns: 0, unchanged: 0, done: 3, total: 3 }
    expect(finishedState(counts, 0)).toBe('succeeded')
    expect(finishedState({ ...counts, documentsFound: 2 }, 1)).toBe('partial')
    expect(finishedState({ ...counts, unchanged: 4 }, 1)).toBe('partial')
    expect(finishedState({ ...counts, telemetryRuns: 1 }, 1)).toBe('partial')
    expect(finishedState(counts, 3)).toBe('failed')
  })
})

describe('adviceFor', () => {
  const failed = (status: number | null, message = 'x') => ({ state: 'failed' as const, errors: [{ at: '2026-01-01T00:00:00.000Z', message, url: 'http://r/v2/', status }] })
  it('says nothing once a sync succeeded', () => {
    expect(adviceFor('oci', 'http://r', 1, failed(401))).toBeNull()
  })
  it('names what to check for each kind of failure', () => {
    expect(adviceFor('oci', 'http://r', null, null)).toMatch(/Sync now/)
    expect(adviceFor('oci', 'http://r', null, failed(null))).toMatch(/could not reach http:\/\/r/)
    expect(adviceFor('oci', 'http://r', null, failed(401))).toMatch(/auth\.usernameEnv and auth\.passwordEnv/)
    expect(adviceFor('github', 'http://g', null, failed(403))).toMatch(/auth\.tokenEnv/)
    expect(adviceFor('npm', 'http://n', null, failed(404))).toMatch(/does not know/)
    expect(adviceFor('github', 'http://g', null, failed(429))).toMatch(/rate limiting/)
    expect(adviceFor('oci', 'http://r', null, failed(null, 'the environment variable REG_PASS (named by auth.passwordEnv) is not set'))).toMatch(/Set the environment variable/)
  })
})
