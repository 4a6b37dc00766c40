import { describe, expect, it } from 'vitest'
import { instantMs } from './facts'

describe('instantMs', () => {
  it('reads every instant as Date.parse does', () => {
    // A pseudo-random walk over four centuries, every millisecond field and the ends of months included.
    let ms = Date.UTC(1901, 0, 1)
    for (let step = 0; step < 20_000; step++) {
      ms += ((step * 7919) % 104_729) * 3_600_017 + (step % 1000)
      const text = new Date(ms).toISOString()
      if (text.length !== 24) break
      expect(instantMs(text)).toBe(Date.parse(text))
    }
    for (const text of ['2026-02-28T23:59:59.999Z', '2026-02-29T00:00:00.000Z', '2024-02-29T12:00:00.000Z', '2026-12-31T23:59:59.999Z', '2026-01-01T00:00:00.000Z', '0099-06-01T00:00:00.000Z', '2026-06-01T24:00:00.000Z']) {
      expect(instantMs(text)).toEqual(Date.parse(text))
    }
  })

  it('leaves other forms and nonsense to Date.parse', () => {
    for (const text of ['2026-06-01T10:00:00Z', '2026-06-01T10:00:00.000+02:00', '2026-13-01T00:00:00.000Z', '2026-06-01T10:60:00.000Z', '2026-06-01T1a:00:00.000Z', '', 'yesterday', '+002026-06-01T00:00:00.000Z']) {
      expect(instantMs(text)).toEqual(Date.parse(text))
    }
  })
})
