import { describe, expect, it } from 'vitest'
import { alertSettings } from '../../domain/alerts/settings'
import { buildConfig } from '../config'

const policy = (alerts: unknown) => ({ policies: [{ name: 'acme', repositories: ['https://github.com/acme/*'], alerts }] })

describe('alert settings in the policy config', () => {
  it('names the field of every mistake', () => {
    expect(() => buildConfig(policy({ rules: { 'unexpected-tool': { enabled: false } } }), 'cfg.yaml')).toThrow(/policies\[0\]\.alerts\.rules: Unrecognized key: "unexpected-tool"/)
    expect(() => buildConfig(policy({ rules: { 'duration-outlier': { severity: 'urgent' } } }), 'cfg.yaml')).toThrow(/policies\[0\]\.alerts\.rules\.duration-outlier\.severity/)
    expect(() => buildConfig(policy({ baseline: { minShare: 0.3 } }), 'cfg.yaml')).toThrow(/policies\[0\]\.alerts\.baseline\.minShare/)
    expect(() => buildConfig(policy({ durationOutlier: { threshold: -1 } }), 'cfg.yaml')).toThrow(/policies\[0\]\.alerts\.durationOutlier\.threshold/)
    expect(() => buildConfig(policy({ webhook: {} }), 'cfg.yaml')).toThrow(/policies\[0\]\.alerts/)
  })
  it('fills defaults around what the policy sets', () => {
    const config = buildConfig(policy({ rules: { 'builder-changed': { severity: 'critical' }, 'duration-outlier': { enabled: false } }, baseline: { builds: 50 } }), 'cfg.yaml')
    const settings = alertSettings(config.policies[0] ?? null)
    expect(settings.rules['builder-changed']).toEqual({ enabled: true, severity: 'critical' })
    expect(settings.rules['duration-outlier']).toEqual({ enabled: false, severity: 'low' })
    expect(settings.rules['verification-failed']).toEqual({ enabled: true, severity: 'critical' })
    expect(settings.baseline).toEqual({ builds: 50, minBuilds: 10, minShare: 0.9 })
  })
  it('accepts the triage scope on a token', () => {
    const config = buildConfig({ tokens: [{ name: 'oncall', sha256: 'a'.repeat(64), scopes: ['triage'] }] }, 'cfg.yaml')
    expect(config.tokens[0]?.scopes).toEqual(['triage'])
    expect(() => buildConfig({ tokens: [{ name: 'x', sha256: 'a'.repeat(64), scopes: ['admin'] }] }, 'cfg.yaml')).toThrow(/tokens\[0\]\.scopes\[0\]/)
  })
})
