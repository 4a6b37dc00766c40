import { Link } from 'react-router'
import type { LineageNode } from '../../../contract/lineage'
import { Facts } from '../../../components/ui/card-section'
import { SafeLink } from '../../../components/ui/safe-link'
import { formatAbsolute } from '../../../lib/format'
import { paths } from '../../../lib/paths'
import { stateWords, typeWords, type LineageView } from '../lib/lineage-view'

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
    case 'attestation':
      return [
        ['Predicate type', node.facts.predicateType],
        ['Status', `${node.facts.status}${node.facts.failedCheck ? ` (${node.facts.failedCheck})` : ''}`],
        ['Signer', node.facts.signer],
        ['Document', <code key="d">{node.facts.documentId}</code>],
        ['Ingested', formatAbsolute(node.facts.ingestedAt)],
      ]
    case 'sbom':
      return [
        ['Standard', `${node.facts.standard} ${node.facts.specVersion}`],
        ['Components', String(node.facts.componentCount)],
        ['Status', node.facts.status],
        ['Ingested', formatAbsolute(node.facts.ingestedAt)],
      ]
    case 'rebuild':
      return [
        ['Verdict', node.facts.verdict === 'match' ? 'the rebuild matches' : 'the rebuild disagrees'],
        ['Rebuilder', node.facts.rebuilderId],
        ['Rebuilt digest', node.facts.rebuiltDigest === null ? null : <code key="r">{node.facts.rebuiltDigest}</code>],
        ['Status', node.facts.status],
        ['Time', formatAbsolute(node.facts.time)],
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
