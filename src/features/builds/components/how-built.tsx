import type { BuildDetail } from '../../../contract/builds'
import type { PipelineResult } from '../../../contract/telemetry'
import { Section } from '../../../components/ui/card-section'
import { FlatTable } from '../../../components/ui/flat-table'
import { NotRecorded } from '../../../components/ui/not-recorded'
import { SafeLink } from '../../../components/ui/safe-link'
import { useFirstRows } from '../../../components/ui/first-rows'
import { hostsContacted, pipelineTimeline, toolVersions } from '../../../lib/build-facts'
import { formatAbsolute, formatDuration } from '../../../lib/format'

const sourceLabels = { pipeline: 'CI telemetry', provenance: 'provenance (pkg: dependency)' } as const

export function ToolVersionsSection({ build }: { build: BuildDetail }) {
  const tools = toolVersions(build)
  const first = useFirstRows(tools, 'tools', build.id)
  return (
    <Section id="tools" title={`Tool versions (${tools.length})`}>
      <p className="section-note">From the CI telemetry’s tool events and from the provenance’s <code>pkg:</code> dependencies.</p>
      {tools.length === 0 ? (
        <p className="muted">Neither the provenance nor CI telemetry names any tool.</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table" aria-label="Tool versions">
            <thead>
              <tr>
                <th scope="col">Tool</th>
                <th scope="col">Version</th>
                <th scope="col">Recorded by</th>
              </tr>
            </thead>
            <tbody>
              {first.shown.map((tool) => (
                <tr key={`${tool.name}@${tool.version ?? ''}`}>
                  <th scope="row">{tool.name}</th>
                  <td>{tool.version === null ? <NotRecorded compact /> : <code className="mono">{tool.version}</code>}</td>
                  <td>{tool.sources.map((source) => sourceLabels[source]).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {first.more}
    </Section>
  )
}

export function EnvironmentSection({ build }: { build: BuildDetail }) {
  const pipeline = build.pipeline
  const task = pipeline?.tasks[0]
  return (
    <Section id="environment" title="Environment">
      <p className="section-note">Internal parameters: set by the builder platform itself, not by whoever started the build.</p>
      <FlatTable value={build.internalParameters} label="Internal parameters" empty="The provenance records no internal parameters." />
      {pipeline ? (
        <dl className="facts facts-compact">
          <div className="fact">
            <dt>CI run</dt>
            <dd>{pipeline.url ? <SafeLink value={pipeline.url} display={pipeline.name ?? pipeline.url} /> : (pipeline.name ?? <NotRecorded />)}</dd>
          </div>
          <div className="fact">
            <dt>Ref</dt>
            <dd>{pipeline.ref ?? <NotRecorded />}</dd>
          </div>
          <div className="fact">
            <dt>Worker</dt>
            <dd>{task?.worker?.name ?? task?.worker?.id ?? <NotRecorded />}</dd>
          </div>
          <div className="fact">
            <dt>Telemetry source</dt>
            <dd>{pipeline.source === 'otlp' ? 'OpenTelemetry traces' : 'GitHub webhooks'}</dd>
          </div>
        </dl>
      ) : null}
    </Section>
  )
}

const resultLabels: Record<PipelineResult, string> = {
  success: 'Succeeded',
  failure: 'Failed',
  error: 'CI error',
  timeout: 'Timed out',
  cancellation: 'Cancelled',
  skip: 'Skipped',
}

/** The CI run's tasks and steps on one time axis. A table (readable by everyone) whose last column draws the bars. */
export function TimelineSection({ build }: { build: BuildDetail }) {
  if (build.pipeline === null) {
    return (
      <Section id="timeline" title="CI timeline">
        <p className="muted">No CI telemetry was received for this build, so its steps and durations are unknown.</p>
      </Section>
    )
  }
  const timeline = pipelineTimeline(build.pipeline)
  return (
    <Section id="timeline" title={`CI timeline (${formatDuration(timeline.totalMs)})`}>
      <p className="section-note">
        Started {timeline.startedAt ? formatAbsolute(timeline.startedAt) : 'at an unrecorded time'}; offsets are from the start of the run.
      </p>
      <div className="table-wrap">
        <table className="data-table timeline-table" aria-label="CI steps with their start and duration">
          <thead>
            <tr>
              <th scope="col">Step</th>
              <th scope="col">Starts at</th>
              <th scope="col">Duration</th>
              <th scope="col">Result</th>
              <th scope="col" className="timeline-bar-col">
                <span className="visually-hidden">Bar</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {timeline.bars.map((bar) => {
              const left = bar.offsetMs === null ? 0 : (bar.offsetMs / timeline.totalMs) * 100
              const width = bar.durationMs === null ? 0 : Math.max(0.5, (bar.durationMs / timeline.totalMs) * 100)
              return (
                <tr key={bar.key} className={bar.kind === 'task' ? 'timeline-task' : undefined}>
                  <th scope="row" className={bar.kind === 'step' ? 'timeline-step-name' : undefined}>
                    {bar.label}
                  </th>
                  <td>{bar.offsetMs === null ? <NotRecorded compact /> : `+${formatDuration(bar.offsetMs)}`}</td>
                  <td>{bar.durationMs === null ? <NotRecorded compact /> : formatDuration(bar.durationMs)}</td>
                  <td>{bar.result === null ? <NotRecorded compact /> : resultLabels[bar.result]}</td>
                  <td className="timeline-bar-cell" aria-hidden="true">
                    {bar.durationMs !== null ? (
                      <span className={`timeline-bar timeline-bar-${bar.result ?? 'unknown'}`} style={{ marginLeft: `${left}%`, width: `${width}%` }} />
                    ) : null}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>
    </Section>
  )
}

export function HostsSection({ build }: { build: BuildDetail }) {
  if (build.pipeline === null) {
    return (
      <Section id="hosts" title="Network hosts contacted">
        <p className="muted">No CI telemetry was received for this build, so the hosts it contacted are unknown.</p>
      </Section>
    )
  }
  const hosts = hostsContacted(build.pipeline)
  return (
    <Section id="hosts" title={`Network hosts contacted (${hosts.length})`}>
      {hosts.length === 0 ? (
        <p className="muted">The CI telemetry reports no network connections.</p>
      ) : (
        <ul className="host-list" aria-label="Hosts contacted">
          {hosts.map((contact) => (
            <li key={contact.host}>
              <code className="mono">{contact.host}</code> <span className="muted">by {contact.steps.join(', ')}</span>
            </li>
          ))}
        </ul>
      )}
    </Section>
  )
}
