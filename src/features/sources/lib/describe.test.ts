import { describe, expect, it } from 'vitest'
import type { SyncRun } from '../../../contract/sources'
import { errorStatus, intervalLabel, kindLabel, pendingLabel, runStateLabel, runSummary } from './describe'

const run = (overrides: Partial<SyncRun>): SyncRun => ({
  id: 'r',
  state: 'running',
  trigger: 'on-demand',
  startedAt: '2026-11-01T10:00:00.000Z',
  finishedAt: null,
  phase: 'x',
  done: 0,
  total: 0,
  documentsFound: 0,
  documentsIngested: 0,
  telemetryRuns: 0,
  unchanged: 0,
  errors: [],
  ...overrides,
})

describe('sources wording', () => {
  it('names kinds, states and statuses in words', () => {
    expect(kindLabel('oci')).toBe('OCI registry')
    expect(runStateLabel('partial')).toBe('Finished with errors')
    expect(errorStatus({ status: 404 })).toBe('HTTP 404')
    expect(errorStatus({ status: null })).toBe('no answer')
  })
  it('summarises a run with its counts', () => {
    expect(runSummary(run({ state: 'running' }))).toBe('listing · 0 documents found, 0 new')
    expect(runSummary(run({ state: 'succeeded', done: 3, total: 4, documentsFound: 1, documentsIngested: 1, unchanged: 2 }))).toBe(
      '3 of 4 items · 1 document found, 1 new · 2 unchanged since the last sync',
    )
    expect(runSummary(run({ state: 'succeeded', done: 1, total: 1, telemetryRuns: 2 }))).toBe('1 of 1 items · 0 documents found, 0 new · 2 CI runs read')
    expect(runSummary(run({ state: 'failed', errors: [{ at: '2026-11-01T10:00:00.000Z', message: 'm', url: null, status: null }] }))).toBe('nothing to read · 0 documents found, 0 new · 1 error')
  })
  it('says what a change-feed source’s run read, and how many events wait', () => {
    expect(runSummary(run({ state: 'succeeded', mode: 'changes', changeEvents: 0 }))).toBe('nothing to read · 0 documents found, 0 new · read 0 change events')
    expect(runSummary(run({ state: 'succeeded', done: 1, total: 1, documentsFound: 2, documentsIngested: 2, mode: 'changes', changeEvents: 1 }))).toBe(
      '1 of 1 items · 2 documents found, 2 new · read 1 change event',
    )
    expect(runSummary(run({ state: 'succeeded', done: 2, total: 2, unchanged: 2, mode: 'full' }))).toBe('2 of 2 items · 0 documents found, 0 new · full check · 2 unchanged since the last sync')
    expect(pendingLabel(0)).toBe('none waiting')
    expect(pendingLabel(1)).toBe('1 event waits for the next sync')
    expect(pendingLabel(1200)).toBe('1,200 events wait for the next sync')
  })
  it('says the interval in the largest whole unit', () => {
    expect(intervalLabel(3600)).toBe('every hour')
    expect(intervalLabel(900)).toBe('every 15 minutes')
    expect(intervalLabel(172_800)).toBe('every 2 days')
    expect(intervalLabel(45)).toBe('every 45 seconds')
  })
})
