import { useQuery, useQueryClient } from '@tanstack/react-query'
import { lazy, memo, Suspense, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type FormEvent, type MouseEvent } from 'react'
import { useLocation } from 'react-router'
import { useSearchParams } from '../../../lib/search-params'
import { Link } from '../../../components/ui/app-link'
import { describeError, isApiError } from '../../../api/api-error'
import { environmentQueries } from '../../../api/environment-queries'
import type { LineageGraph } from '../../../contract/lineage'
import { ErrorState } from '../../../components/ui/error-state'
import { Spinner } from '../../../components/ui/spinner'
import { formatCount } from '../../../lib/format'
import { paths } from '../../../lib/paths'
import type { LayoutResult } from '../lib/layout'
import { prepareAnswers } from '../lib/answer-client'
import { readLineageSearch, writeLineageSearch, type LineageSearch, type Viewport } from '../lib/lineage-search'
import { buildView, findNodes, layerNames, refreshView, structureKey, type LineageView } from '../lib/lineage-view'
import { lineageQueries } from '../lineage-queries'
import type { CanvasHandle } from './lineage-canvas'
import type * as DrawingModule from './lineage-drawing'
import './lineage.css'

// Code a visit needs only when the reader acts: the selected node's panel (when a node is opened, or the address
// names one) and the SVG writer (on Export SVG). Each is its own small chunk, fetched then.
const NodePanel = lazy(() => import('./node-panel').then((module) => ({ default: module.NodePanel })))

type Drawing = typeof DrawingModule
/** The graph's drawing code (layout client, scene, canvas), once loaded; kept for the page's later visits. */
let loadedDrawing: Drawing | null = null

/**
 * The drawing code, asked for when a graph is first shown, so that it loads while the answer is on its way; null
 * until it is there. Not `React.lazy`: the layout needs its code before anything is drawn, and the page shows a
 * spinner meanwhile anyway. A failure to load it is reported like a failed layout.
 */
function useDrawing(onError: (message: string) => void): Drawing | null {
  const [drawing, setDrawing] = useState(() => loadedDrawing)
  useEffect(() => {
    if (drawing) return
    let live = true
    import('./lineage-drawing').then(
      (module) => {
        loadedDrawing = module
        if (live) setDrawing(module)
      },
      (error: unknown) => {
        if (live) onError(`Its drawing code could not be loaded: ${error instanceof Error ? error.message : String(error)}`)
      },
    )
    return () => {
      live = false
    }
  }, [drawing, onError])
  return drawing
}

/**
 * The Lineage screen: where something came from and where it went, as a layered graph on a canvas, with the
 * selected node's panel, a legend, find, focus, collapse and group expansion, exports, and the whole graph as an
 * off-screen list for assistive technology. Its state lives in the URL.
 */
export function LineagePage() {
  const [params, setParams] = useSearchParams()
  const search = useMemo(() => readLineageSearch(params), [params])
  // The URL as last written. React Router's updater sees the parameters of the last render, so two changes before
  // the next render (opening a panel, then the canvas reporting its viewport as the layout lands) would have the
  // second drop the first; each change builds on the one before it instead.
  const written = useRef(params)
  useLayoutEffect(() => {
    written.current = params
  }, [params])
  // A link to another page keeps this one on screen until that page has loaded; a change written meanwhile (the
  // canvas reporting its viewport) would replace that navigation with this page's address. Known at the click.
  const { pathname } = useLocation()
  const leaving = useRef(false)
  const onClickCapture = useCallback(
    (event: MouseEvent<HTMLElement>) => {
      const link = event.target instanceof Element ? event.target.closest('a') : null
      if (link === null || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
      if (link.origin === window.location.origin && link.pathname !== pathname) leaving.current = true
    },
    [pathname],
  )
  const update = useCallback(
    (change: Partial<LineageSearch>, replace = false) => {
      if (leaving.current) return
      const next = { ...readLineageSearch(written.current), ...change }
      const out = new URLSearchParams()
      for (const [key, value] of Object.entries(writeLineageSearch(next))) if (value !== undefined) out.set(key, value)
      // A change that changes nothing (the canvas reporting the viewport it already has) navigates nowhere: it would
      // otherwise replace a navigation in progress, such as a link from the panel to another page.
      if (out.toString() === written.current.toString()) return
      written.current = out
      setParams(out, { replace })
    },
    [setParams],
  )

  // The tab names where the graph starts once its answer is in (the graph view below asks for it).
  const rootLabel = useQuery({
    ...lineageQueries.graph({ from: search.from ?? '', depth: search.depth, direction: search.direction, expand: search.expand }),
    enabled: false,
    // As the graph view's own observer: an observer's options become the query's, and sharing would compare whole answers.
    structuralSharing: false,
    select: (graph) => graph.nodes.find((node) => node.id === graph.root)?.label,
  }).data

  return (
    <article className="page lineage-page" aria-labelledby="lineage-heading" onClickCapture={onClickCapture}>
      <title>{`${search.from && rootLabel ? `${rootLabel} · ` : ''}Lineage · Provenance`}</title>
      <header className="page-header">
        <div>
          <h1 id="lineage-heading">Lineage</h1>
          <p className="page-lede">Where a commit, build, artifact or deployment came from and where it went, each link proven or not.</p>
        </div>
      </header>
      <StartForm search={search} onStart={(from, depth, direction) => update({ from, depth, direction, focus: undefined, selected: undefined, expand: [], collapsed: [], more: [], view: undefined })} />
      {search.from ? <LineageGraphView key={`${search.from}|${search.depth}|${search.direction}`} search={search} update={update} /> : <Intro />}
    </article>
  )
}

function Intro() {
  return (
    <section className="card" aria-labelledby="lineage-intro">
      <h2 id="lineage-intro">Start from anything</h2>
      <p>
        Enter an artifact digest (or its first 12 characters), a commit (7 or more characters), a build id, a deployment id or <code>env:production</code>. Every
        artifact and build page also has a Lineage link.
      </p>
      <RunningNow />
    </section>
  )
}

/** Each environment as a starting point: where what runs there came from (the question an audit starts with). */
function RunningNow() {
  const environments = useQuery(environmentQueries.list())
  // Nothing deployed yet, or not known: the sentence above says how to start.
  if (environments.isError || !environments.data || environments.data.items.length === 0) return null
  return (
    <>
      <h3 className="intro-subheading">Or start from what runs now</h3>
      <ul className="running-now">
        {environments.data.items.map((environment) => (
          <li key={environment.name}>
            <Link className="untrusted-text" to={paths.lineage({ from: `env:${environment.name}` })}>
              {environment.name}
            </Link>{' '}
            <span className="muted">
              {formatCount(environment.services.length)} {environment.services.length === 1 ? 'service' : 'services'}
              {environment.flagged > 0 ? `, ${formatCount(environment.flagged)} without verified provenance` : ''}
            </span>
          </li>
        ))}
      </ul>
    </>
  )
}

function StartForm({ search, onStart }: { search: LineageSearch; onStart: (from: string, depth: number, direction: LineageSearch['direction']) => void }) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const data = new FormData(event.currentTarget)
    const text = (name: string) => {
      const value = data.get(name)
      return typeof value === 'string' ? value : ''
    }
    const from = text('from').trim()
    if (from === '') return
    const depth = Number(text('depth'))
    const direction = text('direction')
    onStart(from, depth, direction === 'up' || direction === 'down' ? direction : 'both')
  }
  return (
    <form className="lineage-start filters" onSubmit={submit} key={`${search.from}|${search.depth}|${search.direction}`}>
      <label>
        Start from
        <input name="from" defaultValue={search.from ?? ''} placeholder="sha256:…, commit, build id, deployment id" className="mono" required />
      </label>
      <label>
        Depth
        <select name="depth" defaultValue={String(search.depth)}>
          {[1, 2, 3, 4, 5, 6].map((depth) => (
            <option key={depth} value={depth}>
              {depth}
            </option>
          ))}
        </select>
      </label>
      <label>
        Direction
        <select name="direction" defaultValue={search.direction}>
          <option value="both">both ways</option>
          <option value="up">upstream (where it came from)</option>
          <option value="down">downstream (where it went)</option>
        </select>
      </label>
      <button type="submit" className="button button-primary">Show lineage</button>
    </form>
  )
}

type LaidOut = { key: string; result: LayoutResult }

/** A view, its structure's key, and what it was built from. */
type Shown = { view: LineageView; key: string; graphs: readonly LineageGraph[]; collapsed: ReadonlySet<string>; focus: string | undefined }

function nextView(previous: Shown | null, graphs: readonly LineageGraph[], collapsed: ReadonlySet<string>, focus: string | undefined): Shown | null {
  if (graphs.length === 0) return null
  if (previous && previous.collapsed === collapsed && previous.focus === focus) {
    const view = refreshView(previous.view, previous.graphs, graphs)
    if (view) return { ...previous, view, graphs }
  }
  const view = buildView(graphs, { collapsed, focus })
  return { view, key: structureKey(view), graphs, collapsed, focus }
}

const noGraphs: readonly LineageGraph[] = []

function LineageGraphView({ search, update }: { search: LineageSearch & { from?: string }; update: (change: Partial<LineageSearch>, replace?: boolean) => void }) {
  const from = search.from ?? ''
  // No structural sharing: comparing a 5,000-node answer with the last one, field by field, is what refreshView
  // does anyway, for the fields that matter and at a fraction of the cost (it was most of a refresh's time).
  const main = useQuery({ ...lineageQueries.graph({ from, depth: search.depth, direction: search.direction, expand: search.expand }), structuralSharing: false })
  // The answers of the neighbourhoods opened beyond the depth; the list keeps its identity until one changes.
  const queryClient = useQueryClient()
  const extra = useQuery(lineageQueries.neighbourhoods(queryClient, search.more)).data ?? noGraphs
  // By value: the URL's other parts (the viewport after every pan) must not rebuild the view.
  const collapsedKey = search.collapsed.join(',')
  const collapsed = useMemo(() => new Set(collapsedKey === '' ? [] : collapsedKey.split(',')), [collapsedKey])
  const graphs = useMemo(() => (main.data ? [main.data].concat(extra) : []), [main.data, extra])
  // The view last shown and what it was made from: answers that changed only states patch it (the unchanged nodes
  // keep their identity, so the canvas repaints and the list re-renders only what changed); anything else builds
  // it again. The layout is kept either way while the structure stays the same.
  const [shown, setShown] = useState<Shown | null>(null)
  let built = shown
  if (graphs.length === 0 ? shown !== null : shown?.graphs !== graphs || shown.collapsed !== collapsed || shown.focus !== search.focus) {
    // Derived from the last render's view, as React advises for state kept from a previous render.
    built = nextView(shown, graphs, collapsed, search.focus)
    setShown(built)
  }
  const view = built?.view ?? null
  const key = built?.key ?? ''
  const [layoutError, setLayoutError] = useState<string | null>(null)
  const drawing = useDrawing(setLayoutError)
  // The workers start while the answer is on its way, so their code is loaded when the answer and the first layout need them.
  useEffect(() => {
    prepareAnswers()
  }, [])
  useEffect(() => {
    drawing?.prepareLayout()
  }, [drawing])

  // Layout runs in the worker whenever the structure changes; a state change alone keeps the layout. Asked for
  // before the browser lays out the page's new DOM, so the worker works while this thread does that.
  const [laidOut, setLaidOut] = useState<LaidOut | null>(null)
  useLayoutEffect(() => {
    if (!view || !drawing || laidOut?.key === key) return
    let cancelled = false
    drawing.runLayout(drawing.layoutInput(view)).then(
      (result) => {
        if (!cancelled) setLaidOut({ key, result })
      },
      (error: unknown) => {
        if (!cancelled) setLayoutError(error instanceof Error ? error.message : String(error))
      },
    )
    return () => {
      cancelled = true
    }
  }, [view, key, laidOut?.key, drawing])

  const scene = useMemo(() => (drawing && view && laidOut && laidOut.key === key ? drawing.buildScene(view, laidOut.result) : null), [drawing, view, laidOut, key])
  const canvas = useRef<CanvasHandle>(null)
  const selected = view && search.selected !== undefined ? (view.index.get(search.selected) ?? null) : null
  const [currentId, setCurrentId] = useState<string | null>(search.selected ?? null)
  const current = view ? (view.index.get(currentId ?? view.root) ?? view.index.get(view.root) ?? (view.nodes.length > 0 ? 0 : null)) : null
  const [findText, setFindText] = useState('')
  const found = useMemo(() => (view ? findNodes(view, findText) : []), [view, findText])
  const matches = useMemo(() => new Set(found), [found])

  // The view as of the last render, read by the callbacks so that they keep their identity when only a state
  // changed (the node list's thousands of entries then skip rendering).
  const viewNow = useRef(view)
  useLayoutEffect(() => {
    viewNow.current = view
  })
  const open = useCallback(
    (node: number) => {
      const id = viewNow.current?.nodes[node]?.id
      if (id === undefined) return
      setCurrentId(id)
      update({ selected: id })
    },
    [update, setCurrentId],
  )
  const onViewport = useCallback((viewport: Viewport) => update({ view: viewport }, true), [update])
  const reportDigests = view ? artifactDigests(view, graphs) : []
  const selectAndCentre = useCallback(
    (node: number) => {
      open(node)
      canvas.current?.centre(node)
    },
    [open],
  )

  if (main.isError && !main.data) {
    const { message, hint } = describeError(main.error)
    const notFound = isApiError(main.error) && (main.error.status === 404 || main.error.status === 409)
    return <ErrorState title={notFound ? 'Nothing to start the graph from' : 'The lineage could not be loaded'} message={message} hint={hint} onRetry={notFound ? undefined : () => void main.refetch()} />
  }
  if (!view || (main.isPending && !main.data)) return <Spinner label="Loading the lineage graph" />
  if (layoutError) return <ErrorState title="The graph could not be drawn" message={layoutError} hint={null} />

  const download = (name: string, blob: Blob) => {
    const url = URL.createObjectURL(blob)
    const link = document.createElement('a')
    link.href = url
    link.download = name
    link.click()
    window.setTimeout(() => URL.revokeObjectURL(url), 1000)
  }
  const fileBase = `lineage-${from.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 40)}`

  return (
    <div className="lineage-layout">
      <section className="lineage-main" aria-label="Lineage graph">
        <div className="lineage-toolbar" role="toolbar" aria-label="Graph view">
          <button type="button" className="button button-small" onClick={() => canvas.current?.fit()}>
            Fit
          </button>
          <button type="button" className="button button-small" onClick={() => canvas.current?.zoom(1.25)}>
            Zoom in
          </button>
          <button type="button" className="button button-small" onClick={() => canvas.current?.zoom(0.8)}>
            Zoom out
          </button>
          <button
            type="button"
            className="button button-small"
            disabled={!scene}
            onClick={() => {
              const state = canvas.current?.viewport()
              if (!drawing || !scene || !state) return
              void drawing.loadSvgExport().then(({ viewToSvg }) =>
                download(`${fileBase}.svg`, new Blob([viewToSvg(scene, state.viewport, state.width, state.height)], { type: 'image/svg+xml' })),
              )
            }}
          >
            Export SVG
          </button>
          <button
            type="button"
            className="button button-small"
            disabled={!scene}
            onClick={() => void canvas.current?.png().then((blob) => blob && download(`${fileBase}.png`, blob))}
          >
            Export PNG
          </button>
          <button type="button" className="button button-small" onClick={() => void main.refetch()} disabled={main.isFetching}>
            Refresh states
          </button>
          {reportDigests.length > 0 ? (
            <Link className="button button-small" to={paths.reports(reportDigests.length === 1 ? { kind: 'artifact', digest: reportDigests[0] } : { kind: 'release', digests: reportDigests.join('\n') })}>
              Report on this
            </Link>
          ) : null}
          {search.focus ? (
            <button type="button" className="button button-small" onClick={() => update({ focus: undefined })}>
              Leave focus mode
            </button>
          ) : null}
          {/* Always laid out, shown while fetching: appearing would move everything below it (the list's thousands of entries too). */}
          <span className="muted lineage-updating" data-active={main.isFetching}>
            Updating…
          </span>
        </div>
        <Summary view={view} search={search} />
        <div className="lineage-find">
          <label>
            Find a node
            <input type="search" value={findText} onChange={(event) => setFindText(event.target.value)} placeholder="name or digest prefix" />
          </label>
          {findText.trim() !== '' ? (
            <p role="status" className="muted">
              {found.length === 0 ? 'No node matches.' : `${found.length}${found.length === 20 ? '+' : ''} match${found.length === 1 ? '' : 'es'}.`}
            </p>
          ) : null}
          {found.length > 0 ? (
            <ul className="lineage-found">
              {found.map((node) => (
                <li key={view.nodes[node]!.id}>
                  <button type="button" className="link-button" onClick={() => selectAndCentre(node)}>
                    {view.nodes[node]!.name}
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
        {drawing && scene ? (
          <drawing.LineageCanvas
            handle={canvas}
            scene={scene}
            initialViewport={search.view}
            selected={selected}
            matches={matches}
            current={current}
            onCurrent={(node) => setCurrentId(view.nodes[node]!.id)}
            onOpen={open}
            onViewport={onViewport}
          />
        ) : (
          <Spinner label="Laying out the graph" />
        )}
        <p id="lineage-keys" className="muted lineage-keys">
          Arrow keys move along the graph’s links, Enter opens a node’s panel, + and − zoom.
        </p>
        <Legend />
        <NodeList view={view} onOpen={selectAndCentre} />
      </section>
      {selected !== null ? (
        <Suspense fallback={<PanelLoading />}>
          <NodePanel
            view={view}
            node={selected}
            focused={search.focus === view.nodes[selected]!.id}
            collapsed={collapsed.has(view.nodes[selected]!.id)}
            onSelect={selectAndCentre}
            onClose={() => update({ selected: undefined })}
            onFocus={() => update({ focus: search.focus === view.nodes[selected]!.id ? undefined : view.nodes[selected]!.id })}
            onCollapse={() => {
              const id = view.nodes[selected]!.id
              update({ collapsed: collapsed.has(id) ? search.collapsed.filter((other) => other !== id) : [...search.collapsed, id] })
            }}
            onExpandGroup={(cursor) => update({ expand: [...search.expand.filter((other) => other !== cursor), cursor] })}
            onOpenNeighbours={(key) => update({ more: [...search.more.filter((other) => other !== key), key].slice(-10) })}
            onStartHere={(key) => update({ from: key, focus: undefined, selected: undefined, expand: [], collapsed: [], more: [], view: undefined })}
          />
        </Suspense>
      ) : null}
    </div>
  )
}

/** The node's panel while its code loads (the first node opened on a visit). */
function PanelLoading() {
  return (
    <aside className="lineage-panel card" aria-label="Node details">
      <Spinner label="Loading the node’s details" />
    </aside>
  )
}

function Summary({ view, search }: { view: LineageView; search: LineageSearch }) {
  // One pass each: this runs on every refresh of a graph of thousands of links.
  let failed = 0
  let unverified = 0
  for (const edge of view.edges) {
    if (edge.state === 'failed') failed++
    else if (edge.state === 'unverified') unverified++
  }
  let flagged = 0
  for (const node of view.nodes) if (node.flag !== null) flagged++
  const cutAt = view.cut.at.filter((entry) => entry.reason !== 'grouped').length
  return (
    <p className="lineage-summary" role="status">
      {view.nodes.length} nodes, {view.edges.length} links: {view.edges.length - failed - unverified} verified, {failed} failed, {unverified} unverified
      {flagged > 0 ? `; ${flagged} flagged` : ''}
      {view.groups.length > 0 ? `; ${view.groups.length} group${view.groups.length === 1 ? '' : 's'} of neighbours` : ''}
      {cutAt > 0 ? `; cut at depth ${search.depth} or the node limit (${view.cut.nodeLimit}) at ${cutAt} node${cutAt === 1 ? '' : 's'}` : ''}
      {search.focus ? '; focus mode: only paths through the selected node' : ''}.
    </p>
  )
}

function Legend() {
  return (
    <figure className="lineage-legend" aria-labelledby="lineage-legend-caption">
      <figcaption id="lineage-legend-caption">Legend</figcaption>
      <ul>
        <li>
          <svg width="40" height="10" aria-hidden="true">
            <line x1="0" y1="5" x2="40" y2="5" stroke="#3b6e52" strokeWidth="2" />
          </svg>{' '}
          solid: verified (a trusted signature vouches for the link)
        </li>
        <li>
          <svg width="40" height="10" aria-hidden="true">
            <line x1="0" y1="5" x2="40" y2="5" stroke="#c0241b" strokeWidth="3" />
          </svg>{' '}
          thick red: failed (a check failed or a rebuild disagrees)
        </li>
        <li>
          <svg width="40" height="10" aria-hidden="true">
            <line x1="0" y1="5" x2="40" y2="5" stroke="#5d6876" strokeWidth="2" strokeDasharray="6 4" />
          </svg>{' '}
          dashed: unverified (nothing trusted vouches for it)
        </li>
        <li>
          <span className="lineage-flag-swatch" aria-hidden="true" /> red stripe and ⚑: flagged (deployed without verified provenance, or a rebuild disagrees)
        </li>
      </ul>
    </figure>
  )
}

/** Entries per chunk of the list: a chunk is rendered (or skipped) as one piece. */
const LIST_CHUNK = 200
/** Chunks rendered with the page; a demo-sized graph is listed whole at once. */
const LIST_FIRST_CHUNKS = 4

/** Entries of one layer's list; skipped when the same nodes, each unchanged, are listed again (a refresh of other nodes). */
const NodeListChunk = memo(
  function NodeListChunk({ view, nodes, onOpen }: { view: LineageView; nodes: readonly number[]; onOpen: (node: number) => void }) {
    return nodes.map((node) => (
      <li key={view.nodes[node]!.id}>
        <button type="button" tabIndex={-1} onClick={() => onOpen(node)}>
          {view.nodes[node]!.name}
        </button>
      </li>
    ))
  },
  (before, after) =>
    before.onOpen === after.onOpen &&
    before.nodes.length === after.nodes.length &&
    before.nodes.every((node, index) => node === after.nodes[index] && before.view.nodes[node] === after.view.nodes[node]),
)

/** Per structure (see below): the artifacts' digests for "Report on this". */
const digestsByStructure = new WeakMap<LineageView['index'], string[]>()

/**
 * "Report on this": the artifacts of the answers, as a release (a report takes up to 500 digests). Once per
 * structure, not per render or refresh: an artifact's digest is part of its id, so the same nodes have the same digests.
 */
function artifactDigests(view: LineageView, graphs: readonly LineageGraph[]): string[] {
  const known = digestsByStructure.get(view.index)
  if (known) return known
  const digests = [...new Set(graphs.flatMap((graph) => graph.nodes).flatMap((node) => (node.type === 'artifact' && node.facts.digest.startsWith('sha256:') ? [node.facts.digest] : [])))].sort().slice(0, 500)
  digestsByStructure.set(view.index, digests)
  return digests
}

type ListChunks = Array<{ count: number; chunks: number[][] }>
/** Per structure (a view's index, which a refresh of states keeps, with every node's layer): the list's chunks by layer. */
const chunksByStructure = new WeakMap<LineageView['index'], ListChunks>()

function listChunks(view: LineageView): ListChunks {
  const known = chunksByStructure.get(view.index)
  if (known) return known
  const layers: number[][] = layerNames.map(() => [])
  view.nodes.forEach((node, index) => layers[node.layer]?.push(index))
  const chunks = layers.map((nodes) => ({ count: nodes.length, chunks: Array.from({ length: Math.ceil(nodes.length / LIST_CHUNK) }, (_, chunk) => nodes.slice(chunk * LIST_CHUNK, (chunk + 1) * LIST_CHUNK)) }))
  chunksByStructure.set(view.index, chunks)
  return chunks
}

/**
 * The graph as lists, one per layer, for screen readers and for finding a node without the canvas: each entry is
 * named like the node and opens its panel. Out of view, and out of the tab order (the canvas's node is the stop).
 * A big graph's list is added in chunks while the page is idle, so that thousands of entries neither hold up the
 * first picture nor make one long task; a refresh re-renders only the chunks holding a changed node.
 */
const NodeList = memo(function NodeList({ view, onOpen }: { view: LineageView; onOpen: (node: number) => void }) {
  const byLayer = listChunks(view)
  const chunks = byLayer.reduce((sum, layer) => sum + layer.chunks.length, 0)
  // A small graph is listed at once; a big one starts empty and fills while the worker lays it out.
  const [rendered, setRendered] = useState(chunks <= LIST_FIRST_CHUNKS ? chunks : 0)
  useEffect(() => {
    if (rendered >= chunks) return
    const more = () => setRendered((count) => count + 1)
    if (typeof requestIdleCallback !== 'function') {
      const timer = window.setTimeout(more, 16)
      return () => window.clearTimeout(timer)
    }
    const handle = requestIdleCallback(more, { timeout: 500 })
    return () => cancelIdleCallback(handle)
  }, [rendered, chunks])
  let budget = rendered
  return (
    <section className="visually-hidden lineage-list" aria-labelledby="lineage-list-heading">
      <h2 id="lineage-list-heading">The graph as a list</h2>
      {byLayer.map((layer, index) =>
        layer.count === 0 ? null : (
          <section key={layerNames[index]} aria-label={`${layerNames[index]} (${layer.count})`}>
            <h3>
              {layerNames[index]} ({layer.count})
            </h3>
            <ul>
              {layer.chunks.map((nodes, chunk) => (budget-- > 0 ? <NodeListChunk key={chunk} view={view} nodes={nodes} onOpen={onOpen} /> : null))}
            </ul>
          </section>
        ),
      )}
    </section>
  )
})
