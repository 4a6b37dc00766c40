import { Link } from '../../../components/ui/app-link'
import type { LineageGateDecision, LineageNode, LineagePulledFrom } from '../../../contract/lineage'
import { Facts } from '../../../components/ui/card-section'
import { SafeLink } from '../../../components/ui/safe-link'
import { formatAbsolute } from '../../../lib/format'
import { paths } from '../../../lib/paths'
import type { LineageView } from '../lib/lineage-view'
import { stateWords, typeWords } from '../lib/lineage-words'

type Props = {
  view: LineageView
  node: number
  focused: boolean
  collapsed: boolean
  onSelect: (node: number) => void
  onClose: () => void
  onFocus: () => void
  onCollapse: () => void
  onExpandGroup: (cursor: string) => void
  onOpenNeighbours: (key: string) => void
  onStartHere: (key: string) => void
}

const relationWords: Record<string, [outgoing: string, incoming: string]> = {
  'built-from': ['built into', 'built from'],
  produced: ['produced', 'produced by'],
  attests: ['attested by', 'attests'],
  describes: ['described by', 'describes'],
  'rebuilt-as': ['rebuilt as', 'a rebuild of'],
  'deployed-to': ['deployed to', 'deploys'],
  'depends-on': ['used by', 'depends on'],
}

/** The selected node's facts, its edges with their states in words, and what can be done from it. */
export function NodePanel({ view, node, focused, collapsed, onSelect, onClose, onFocus, onCollapse, onExpandGroup, onOpenNeighbours, onStartHere }: Props) {
  const viewNode = view.nodes[node]
  if (!viewNode) return null
  const data = viewNode.node
  const edges = (view.incident[node] ?? []).map((index) => view.edges[index]!)
  const page = data ? pageOf(data, view, node) : null
  return (
    <aside className="lineage-panel card" aria-labelledby="lineage-panel-heading">
      <div className="card-header">
        <h2 id="lineage-panel-heading">
          {typeWords[viewNode.kind]} {viewNode.label}
        </h2>
        <button type="button" className="button button-small" onClick={onClose}>
          Close
        </button>
      </div>
      <p className={`lineage-state lineage-state-${viewNode.state}`}>
        <strong>{stateWords[viewNode.state]}</strong>
        {viewNode.flag ? <span className="lineage-flag">: {viewNode.flag}</span> : null}
      </p>
      {data ? <Facts items={facts(data)} /> : null}
      {data?.type === 'artifact' && data.facts.gateDecisions !== undefined ? <GateDecisions digest={data.facts.digest} decisions={data.facts.gateDecisions} /> : null}
      {viewNode.group ? (
        <>
          <p>
            {viewNode.group.count} in all, {viewNode.group.shown} shown: {viewNode.group.verified} verified, {viewNode.group.failed} failed, {viewNode.group.unverified} unverified.
          </p>
          {viewNode.group.expandCursor ? (
            <button type="button" className="button button-primary button-small" onClick={() => onExpandGroup(viewNode.group!.expandCursor!)}>
              Expand group
            </button>
          ) : null}
        </>
      ) : null}
      <div className="lineage-panel-actions">
        {page ? <Link to={page.href}>{page.label}</Link> : null}
        {data ? (
          <button type="button" className="button button-small" onClick={onFocus} aria-pressed={focused}>
            {focused ? 'Show the whole graph' : 'Focus: paths through this node'}
          </button>
        ) : null}
        {data && view.root !== viewNode.id ? (
          <button type="button" className="button button-small" onClick={onCollapse} aria-pressed={collapsed}>
            {collapsed ? 'Expand neighbours' : 'Collapse neighbours'}
          </button>
        ) : null}
        {data?.more ? (
          <button type="button" className="button button-small" onClick={() => onOpenNeighbours(data.key)}>
            Show more neighbours
          </button>
        ) : null}
        {data && view.root !== viewNode.id ? (
          <button type="button" className="button button-small" onClick={() => onStartHere(data.key)}>
            Centre the graph here
          </button>
        ) : null}
      </div>
      <h3>Links ({edges.length})</h3>
      <ul className="lineage-edges">
        {edges.map((edge) => {
          const outgoing = edge.from === node
          const other = outgoing ? edge.to : edge.from
          const words = relationWords[edge.type] ?? [edge.type, edge.type]
          return (
            <li key={edge.id}>
              <span className={`lineage-edge-state lineage-state-${edge.state}`}>{stateWords[edge.state]}</span> {outgoing ? words[0] : words[1]}{' '}
              <button type="button" className="link-button" onClick={() => onSelect(other)}>
                {view.nodes[other]!.name}
              </button>
              <span className="lineage-reason">: {edge.reason}</span>
            </li>
          )
        })}
      </ul>
    </aside>
  )
}

function facts(node: LineageNode): [string, React.ReactNode][] {
  switch (node.type) {
    case 'commit':
      return [
        ['Commit', <code key="c">{node.facts.commit}</code>],
        ['Project', node.facts.project],
        ['Repository', node.facts.repo === null ? null : <SafeLink value={node.facts.repo} />],
      ]
    case 'build':
      return [
        ['Project', node.facts.project],
        ['Status', `${node.facts.status}${node.facts.failedCheck ? ` (${node.facts.failedCheck})` : ''}`],
        ['Builder', node.facts.builderId],
        ['Source commit', node.facts.sourceCommit === null ? null : <code key="c">{node.facts.sourceCommit}</code>],
        ['Time', formatAbsolute(node.facts.time)],
        ...pulledFrom(node.facts.pulledFrom),
      ]
    case 'artifact':
      return [
        ['Digest', <code key="d">{node.facts.digest}</code>],
        ['Name', node.facts.name],
        ['Project', node.facts.project],
        ['Provenance', node.facts.provenance],
        ['Verified path to a source commit', node.facts.verifiedPath ? 'yes' : 'no'],
        ['Rebuild', node.facts.rebuildDisagrees ? 'a rebuild disagrees' : 'no disagreement recorded'],
      ]
    case 'attestation': {
      const vsa = node.facts.vsa
      return [
        ['Predicate type', node.facts.predicateType],
        ['Status', `${node.facts.status}${node.facts.failedCheck ? ` (${node.facts.failedCheck})` : ''}`],
        ['Signer', node.facts.signer],
        ...(vsa === undefined
          ? []
          : ([
              ['Verifier', <SafeLink key="v" value={vsa.verifierId} />],
              ['Verifier’s verdict', `${vsa.result}${vsa.levels.length > 0 ? ` at ${vsa.levels.join(', ')}` : ''}`],
              ['Policy', vsa.policyUri === null ? null : <SafeLink key="p" value={vsa.policyUri} />],
              ['Verified at', vsa.timeVerified === null ? null : formatAbsolute(vsa.timeVerified)],
            ] satisfies [string, React.ReactNode][])),
        ['Document', <code key="d">{node.facts.documentId}</code>],
        ['Ingested', formatAbsolute(node.facts.ingestedAt)],
        ...pulledFrom(node.facts.pulledFrom),
      ]
    }
    case 'sbom':
      return [
        ['Standard', `${node.facts.standard} ${node.facts.specVersion}`],
        ['Components', String(node.facts.componentCount)],
        ['Status', node.facts.status],
        ['Ingested', formatAbsolute(node.facts.ingestedAt)],
        ...pulledFrom(node.facts.pulledFrom),
      ]
    case 'rebuild':
      return [
        ['Verdict', node.facts.verdict === 'match' ? 'the rebuild matches' : 'the rebuild disagrees'],
        ['Rebuilder', node.facts.rebuilderId],
        ['Rebuilt digest', node.facts.rebuiltDigest === null ? null : <code key="r">{node.facts.rebuiltDigest}</code>],
        ['Status', node.facts.status],
        ['Time', formatAbsolute(node.facts.time)],
        ...pulledFrom(node.facts.pulledFrom),
      ]
    case 'deployment':
      return [
        ['Environment', node.facts.environment],
        ['Service', node.facts.service],
        ['Cluster', node.facts.cluster],
        ['Namespace', node.facts.namespace],
        ['Region', node.facts.region],
        ['Deployed', formatAbsolute(node.facts.deployedAt)],
        ['By', node.facts.runUrl ? <SafeLink key="r" value={node.facts.runUrl} display={node.facts.system} /> : node.facts.system],
        ['Current', node.facts.current ? 'yes, what runs now' : node.facts.replacedBy ? 'replaced' : 'no'],
        ['Provenance', node.facts.flagged ? 'no verified path to a source commit' : 'verified path to a source commit'],
      ]
    case 'environment':
      return [
        ['Environment', node.facts.name],
        ['Services running', String(node.facts.services)],
        ['Without verified provenance', String(node.facts.flagged)],
      ]
  }
}

const sourceKinds: Record<string, string> = { oci: 'OCI registry', npm: 'npm registry', github: 'GitHub' }

/** Where the evidence came from, when a source connector pulled it rather than a pipeline pushing it. */
function pulledFrom(origin: LineagePulledFrom | undefined): [string, React.ReactNode][] {
  if (origin === undefined) return []
  const kind = origin.kind === null ? 'a source no longer configured' : (sourceKinds[origin.kind] ?? origin.kind)
  return [
    [
      'Pulled from',
      <span key="o">
        {origin.source} ({kind}), {formatAbsolute(origin.at)}: <SafeLink value={origin.url} display="where it was read" />
      </span>,
    ],
  ]
}

/** The artifact's newest gate decisions, each answer in words, and the way to all of them. */
function GateDecisions({ digest, decisions }: { digest: string; decisions: LineageGateDecision[] }) {
  return (
    <section aria-labelledby="lineage-gate-heading">
      <h3 id="lineage-gate-heading">Release gate decisions</h3>
      {decisions.length === 0 ? (
        <p>No gate decision names this artifact.</p>
      ) : (
        <ul className="lineage-gate-decisions">
          {decisions.map((decision) => (
            <li key={decision.id}>
              <strong>{decision.decision === 'allow' ? 'Allowed' : 'Denied'}</strong> by policy {decision.policy}
              {decision.environment ? ` for ${decision.environment}` : ''}, {formatAbsolute(decision.decidedAt)}, asked by {decision.askedBy}
              {decision.failed.length > 0 ? `; failed: ${decision.failed.join(', ')}` : ''}
              {decision.release !== decision.decision ? ` (the release was ${decision.release === 'allow' ? 'allowed' : 'denied'})` : ''}
            </li>
          ))}
        </ul>
      )}
      {decisions.length > 0 ? <Link to={`${paths.artifact(digest)}#gate-decisions`}>All gate decisions for this artifact</Link> : null}
    </section>
  )
}

/** The node's own page in the dashboard, when it has one. */
function pageOf(node: LineageNode, view: LineageView, index: number): { href: string; label: string } | null {
  const artifactNeighbour = () => {
    for (const edgeIndex of view.incident[index] ?? []) {
      const edge = view.edges[edgeIndex]!
      const other = view.nodes[edge.from === index ? edge.to : edge.from]?.node
      if (other?.type === 'artifact') return other.facts.digest
    }
    return null
  }
  switch (node.type) {
    case 'commit':
      return { href: paths.buildsByCommit(node.facts.commit), label: 'Builds of this commit' }
    case 'build':
      return { href: paths.build(node.key), label: 'Open the build page' }
    case 'artifact':
      return { href: paths.artifact(node.facts.digest), label: 'Open the artifact page' }
    case 'attestation': {
      const digest = artifactNeighbour()
      return digest ? { href: paths.artifact(digest, { document: node.facts.documentId }), label: 'Open it on the artifact page' } : null
    }
    case 'sbom': {
      const digest = artifactNeighbour()
      return digest ? { href: paths.artifact(digest), label: 'Open the artifact page' } : null
    }
    case 'rebuild': {
      const digest = artifactNeighbour()
      return digest ? { href: paths.artifact(digest, { rebuild: node.facts.rebuildId }), label: 'Open the rebuild on the artifact page' } : null
    }
    default:
      return null
  }
}
