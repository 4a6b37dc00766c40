import type { ArtifactDetail } from '../../../contract/artifacts'
import type { ChangedOutput } from '../../../contract/meta'
import { artifactHeadline, artifactVerdicts, type Tone } from '../lib/artifact-verdicts'

const ICONS: Record<Tone, string> = { good: '✓', bad: '✕', none: '○' }
const TONE_WORDS: Record<Tone, string> = { good: 'good', bad: 'needs attention', none: 'not checked' }

/**
 * The top of the artifact page: every verdict about the artifact (attestations, rebuilds, SBOM, deployments) in
 * one place, so a disagreeing rebuilder far down the page cannot hide behind a green badge at the top.
 */
export function ArtifactSummary({ artifact, servedChanged }: { artifact: ArtifactDetail; servedChanged: readonly ChangedOutput[] }) {
  const verdicts = artifactVerdicts(artifact, servedChanged)
  const headline = artifactHeadline(verdicts)
  return (
    <section className={`card artifact-summary artifact-summary-${headline.tone}`} aria-labelledby="artifact-summary-heading">
      <h2 id="artifact-summary-heading">Every verdict about this artifact</h2>
      <p className="verdict">{headline.text}</p>
      <ul className="plain-list artifact-verdicts">
        {verdicts.map((verdict) => (
          <li key={verdict.topic} className={`artifact-verdict artifact-verdict-${verdict.tone}`}>
            <span aria-hidden="true">{ICONS[verdict.tone]} </span>
            <a href={`#${verdict.section}`}>{verdict.topic}</a>
            <span className="visually-hidden"> ({TONE_WORDS[verdict.tone]})</span>: {verdict.text}
          </li>
        ))}
      </ul>
    </section>
  )
}
