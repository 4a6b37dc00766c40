import { useCallback, useEffect, useImperativeHandle, useLayoutEffect, useRef, type KeyboardEvent, type Ref, type RefObject } from 'react'
import type { Viewport } from '../lib/lineage-search'
import { centreOn, drawGraph, drawHighlights, fitViewport, GROUP_HEIGHT, neighbourInDirection, nodeAt, nodeHeight, NODE_WIDTH, sceneChanges, type Scene } from '../lib/scene'
import { composeTiles, createTileCache, fillTiles, snapViewport, syncTiles, type TileCache } from '../lib/tiles'

export type CanvasHandle = {
  fit: () => void
  zoom: (factor: number) => void
  centre: (node: number) => void
  /** The current view as a PNG blob. */
  png: () => Promise<Blob | null>
  viewport: () => { viewport: Viewport; width: number; height: number }
}

type Props = {
  scene: Scene
  initialViewport: Viewport | undefined
  selected: number | null
  matches: ReadonlySet<number>
  /** The node the keyboard is on (drawn in the DOM over the canvas, the graph's one tab stop). */
  current: number | null
  onCurrent: (node: number) => void
  /** A node clicked, or Enter pressed on it: open its panel. */
  onOpen: (node: number) => void
  /** The viewport after a pan or zoom settles, for the URL. */
  onViewport: (viewport: Viewport) => void
  handle: Ref<CanvasHandle>
}

const MINIMAP_WIDTH = 180
const MINIMAP_HEIGHT = 140

/**
 * The graph on a 2D canvas: thousands of nodes cost one draw, not thousands of DOM elements. Pan by dragging,
 * zoom with the wheel or the buttons; only the keyboard's current node is a DOM element (a button over its box,
 * named like the node), so assistive technology and the keyboard meet the graph there.
 */
export function LineageCanvas({ scene, initialViewport, selected, matches, current, onCurrent, onOpen, onViewport, handle }: Props) {
  const box = useRef<HTMLDivElement>(null)
  const canvas = useRef<HTMLCanvasElement>(null)
  const minimap = useRef<HTMLCanvasElement>(null)
  const size = useRef({ width: 0, height: 0, dpr: 1 })
  const viewport = useRef<Viewport | null>(initialViewport ?? null)
  const frame = useRef(0)
  const settle = useRef(0)
  const props = useRef({ scene, selected, matches, current })
  useLayoutEffect(() => {
    props.current = { scene, selected, matches, current }
  })
  const keyTarget = useRef<HTMLButtonElement>(null)
  const tiles = useRef(createTileCache())
  const lastScale = useRef(0)
  const idle = useRef(0)

  const paint = useCallback(() => {
    frame.current = 0
    const element = canvas.current
    const ctx = element?.getContext('2d')
    const raw = viewport.current
    if (!element || !ctx || !raw) return
    const { width, height, dpr } = size.current
    const now = props.current
    const start = performance.now()
    const view = snapViewport(raw, dpr)
    // The tiles follow the scene: a state change repaints the rectangles it touched in them, a new layout drops them.
    syncTiles(tiles.current, now.scene, view.scale, dpr)
    // A zoom step draws the view directly (tiles at a zoom that is about to change again would be wasted), and
    // the tiles at the new zoom are drawn in idle time; any other frame copies tiles, drawing the one or two a pan
    // reached before idle time did, or, when most are missing (just after a zoom), draws the view directly.
    const zooming = lastScale.current !== view.scale
    lastScale.current = view.scale
    if (zooming || !composeTiles(ctx, tiles.current, view, width, height, 2)) drawGraph(ctx, now.scene, view, width, height, dpr)
    drawHighlights(ctx, now.scene, view, dpr, { selected: now.selected, matches: now.matches })
    // For the rendering bench (a PerformanceObserver sees entries even once cleared; the buffer stays empty).
    performance.measure('lineage:paint', { start, end: performance.now() })
    performance.clearMeasures('lineage:paint')
    placeOverlay(keyTarget.current, now.scene, now.current, view)
    paintMinimap(minimap.current, now.scene, raw, width, height)
    if (idle.current === 0) idle.current = whenIdle(() => fillAhead({ tiles, viewport, size, idle }))
  }, [])

  const schedule = useCallback(() => {
    if (frame.current === 0) frame.current = requestAnimationFrame(paint)
  }, [paint])

  const moved = useCallback(() => {
    schedule()
    window.clearTimeout(settle.current)
    settle.current = window.setTimeout(() => {
      if (viewport.current) onViewport(viewport.current)
    }, 250)
  }, [onViewport, schedule])

  // Size: the canvas fills its box, in device pixels.
  useLayoutEffect(() => {
    const element = box.current
    if (!element) return
    const resize = () => {
      const rect = element.getBoundingClientRect()
      const dpr = window.devicePixelRatio || 1
      const before = size.current
      size.current = { width: Math.max(1, rect.width), height: Math.max(1, rect.height), dpr }
      // The view keeps its centre when the box changes size (the panel opening or closing beside it), so the node
      // in the middle stays there.
      const view = viewport.current
      // The observer reports the size once as it starts; an unchanged size needs no frame.
      if (view !== null && before.width === size.current.width && before.height === size.current.height && before.dpr === dpr) return
      const shifted = view !== null && before.width > 0 && (before.width !== size.current.width || before.height !== size.current.height)
      if (shifted) {
        viewport.current = {
          ...view,
          x: view.x + (before.width - size.current.width) / 2 / view.scale,
          y: view.y + (before.height - size.current.height) / 2 / view.scale,
        }
      }
      if (canvas.current) {
        canvas.current.width = Math.round(size.current.width * dpr)
        canvas.current.height = Math.round(size.current.height * dpr)
      }
      if (!viewport.current) viewport.current = initialView(props.current.scene, size.current.width, size.current.height)
      if (shifted) moved()
      else schedule()
    }
    resize()
    if (typeof ResizeObserver === 'undefined') return
    const observer = new ResizeObserver(resize)
    observer.observe(element)
    return () => observer.disconnect()
  }, [schedule, moved])

  // Any new scene, selection or match repaints; a state change costs one frame, no layout.
  useEffect(() => {
    schedule()
  }, [scene, selected, matches, current, schedule])

  useEffect(
    () => () => {
      cancelAnimationFrame(frame.current)
      cancelIdle(idle.current)
      // Forget the cancelled frame, or a remount (StrictMode runs effects twice in development) would never paint.
      frame.current = 0
      idle.current = 0
      window.clearTimeout(settle.current)
    },
    [],
  )

  const zoomAt = useCallback(
    (factor: number, screenX: number, screenY: number) => {
      const view = viewport.current
      if (!view) return
      const scale = Math.min(4, Math.max(0.002, view.scale * factor))
      const graphX = view.x + screenX / view.scale
      const graphY = view.y + screenY / view.scale
      viewport.current = { x: graphX - screenX / scale, y: graphY - screenY / scale, scale }
      moved()
    },
    [moved],
  )

  // Wheel zoom needs a listener that may cancel scrolling, which React's onWheel cannot be.
  useEffect(() => {
    const element = canvas.current
    if (!element) return
    const wheel = (event: WheelEvent) => {
      event.preventDefault()
      const rect = element.getBoundingClientRect()
      zoomAt(Math.exp(-event.deltaY * 0.0015), event.clientX - rect.left, event.clientY - rect.top)
    }
    element.addEventListener('wheel', wheel, { passive: false })
    return () => element.removeEventListener('wheel', wheel)
  }, [zoomAt])

  const centre = useCallback(
    (node: number) => {
      const view = viewport.current
      const { width, height } = size.current
      viewport.current = centreOn(props.current.scene, node, width, height, Math.max(view?.scale ?? 1, 0.6))
      // A node found from the list above may centre a canvas scrolled out of sight; bring it into view.
      box.current?.scrollIntoView?.({ block: 'nearest' })
      moved()
    },
    [moved],
  )

  useImperativeHandle(
    handle,
    () => ({
      fit: () => {
        viewport.current = fitViewport(props.current.scene, size.current.width, size.current.height)
        moved()
      },
      zoom: (factor) => zoomAt(factor, size.current.width / 2, size.current.height / 2),
      centre,
      png: () => new Promise((resolve) => (canvas.current ? canvas.current.toBlob(resolve, 'image/png') : resolve(null))),
      viewport: () => ({ viewport: viewport.current ?? { x: 0, y: 0, scale: 1 }, width: size.current.width, height: size.current.height }),
    }),
    [centre, moved, zoomAt],
  )

  // Drag to pan; a press that does not move is a click on whatever node is under it.
  const drag = useRef<{ x: number; y: number; moved: boolean; id: number } | null>(null)
  const onPointerDown = (event: React.PointerEvent<HTMLCanvasElement>) => {
    if (event.button !== 0) return
    event.currentTarget.setPointerCapture(event.pointerId)
    drag.current = { x: event.clientX, y: event.clientY, moved: false, id: event.pointerId }
  }
  const onPointerMove = (event: React.PointerEvent<HTMLCanvasElement>) => {
    const state = drag.current
    const view = viewport.current
    if (!state || !view || state.id !== event.pointerId) return
    const dx = event.clientX - state.x
    const dy = event.clientY - state.y
    if (!state.moved && Math.abs(dx) + Math.abs(dy) < 4) return
    state.moved = true
    state.x = event.clientX
    state.y = event.clientY
    viewport.current = { ...view, x: view.x - dx / view.scale, y: view.y - dy / view.scale }
    moved()
  }
  const onPointerUp = (event: React.PointerEvent<HTMLCanvasElement>) => {
    const state = drag.current
    drag.current = null
    const view = viewport.current
    if (!state || state.moved || !view) return
    const rect = event.currentTarget.getBoundingClientRect()
    const node = nodeAt(props.current.scene, view.x + (event.clientX - rect.left) / view.scale, view.y + (event.clientY - rect.top) / view.scale)
    if (node !== null) {
      onCurrent(node)
      onOpen(node)
    }
  }

  const onMinimap = (event: React.PointerEvent<HTMLCanvasElement>) => {
    if (event.type === 'pointermove' && event.buttons !== 1) return
    const view = viewport.current
    if (!view) return
    const rect = event.currentTarget.getBoundingClientRect()
    const { layout } = props.current.scene
    const { ratio, left, top } = minimapFrame(props.current.scene)
    const graphX = (event.clientX - rect.left - left) / ratio
    const graphY = (event.clientY - rect.top - top) / ratio
    viewport.current = { ...view, x: Math.min(layout.width, graphX) - size.current.width / 2 / view.scale, y: Math.min(layout.height, graphY) - size.current.height / 2 / view.scale }
    moved()
  }

  // The keyboard's node: arrows move along edges, Enter opens the panel.
  const focusNext = useRef(false)
  useEffect(() => {
    if (focusNext.current) {
      focusNext.current = false
      keyTarget.current?.focus()
    }
  }, [current])
  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>) => {
    if (current === null) return
    const direction = ({ ArrowRight: 'right', ArrowLeft: 'left', ArrowUp: 'up', ArrowDown: 'down' } as const)[event.key as 'ArrowRight']
    if (direction) {
      event.preventDefault()
      const next = neighbourInDirection(scene.view, current, direction, scene.layout.y)
      if (next === null) return
      focusNext.current = true
      onCurrent(next)
      if (!inView(scene, next, viewport.current, size.current)) centre(next)
      return
    }
    if (event.key === '+' || event.key === '=') zoomAt(1.25, size.current.width / 2, size.current.height / 2)
    else if (event.key === '-') zoomAt(0.8, size.current.width / 2, size.current.height / 2)
  }

  const node = current === null ? null : scene.view.nodes[current]

  return (
    <div className="lineage-canvas" ref={box}>
      <canvas
        ref={canvas}
        className="lineage-canvas-surface"
        aria-hidden="true"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={() => (drag.current = null)}
      />
      {node ? (
        <button
          key={node.id}
          ref={keyTarget}
          type="button"
          className="lineage-current"
          aria-label={node.name}
          aria-describedby="lineage-keys"
          onKeyDown={onKeyDown}
          onClick={() => current !== null && onOpen(current)}
        />
      ) : null}
      <canvas
        ref={minimap}
        className="lineage-minimap"
        width={MINIMAP_WIDTH}
        height={MINIMAP_HEIGHT}
        aria-hidden="true"
        onPointerDown={onMinimap}
        onPointerMove={onMinimap}
      />
    </div>
  )
}

/**
 * The first view of a graph without one in the URL: all of it when that stays readable, else its root centred at
 * a readable size (a lineage link opens the graph centred on what it came from).
 */
function initialView(scene: Scene, width: number, height: number): Viewport {
  const fit = fitViewport(scene, width, height)
  const root = scene.view.index.get(scene.view.root)
  return fit.scale >= 0.5 || root === undefined ? fit : centreOn(scene, root, width, height, 0.9)
}

/** Puts the keyboard's button over its node's box; moved with every paint rather than every React render. */
function placeOverlay(button: HTMLButtonElement | null, scene: Scene, current: number | null, view: Viewport): void {
  const node = current === null ? undefined : scene.view.nodes[current]
  if (!button || !node || current === null) return
  const h = nodeHeight(node)
  button.style.left = `${(scene.layout.x[current]! - view.x) * view.scale}px`
  button.style.top = `${(scene.layout.y[current]! - h / 2 - view.y) * view.scale}px`
  button.style.width = `${Math.max(12, NODE_WIDTH * view.scale)}px`
  button.style.height = `${Math.max(12, h * view.scale)}px`
}

function inView(scene: Scene, node: number, view: Viewport | null, size: { width: number; height: number }): boolean {
  if (!view) return false
  const x = (scene.layout.x[node]! - view.x) * view.scale
  const y = (scene.layout.y[node]! - view.y) * view.scale
  return x >= 0 && y >= 0 && x + NODE_WIDTH * view.scale <= size.width && y <= size.height
}

/**
 * How the graph sits in the miniature: scaled to fit it, and centred in it. A wide, short graph drawn along the top
 * edge left the viewport's rectangle (which reaches above and below such a graph) cut off at that edge.
 */
function minimapFrame(scene: Scene): { ratio: number; left: number; top: number } {
  const ratio = Math.min(MINIMAP_WIDTH / Math.max(1, scene.layout.width), MINIMAP_HEIGHT / Math.max(1, scene.layout.height))
  return { ratio, left: Math.floor((MINIMAP_WIDTH - scene.layout.width * ratio) / 2), top: Math.floor((MINIMAP_HEIGHT - scene.layout.height * ratio) / 2) }
}

/** The miniature of each layout and the scene it shows; a state change repaints only the nodes it changed. */
const minimapCache = new WeakMap<Scene['layout'], { canvas: HTMLCanvasElement; scene: Scene }>()
const minimapColour = { verified: '#7aa98c', failed: '#c0241b', unverified: '#8d97a3' } as const

/** The whole graph in miniature (drawn once per layout) and the viewport's rectangle on it. */
function paintMinimap(element: HTMLCanvasElement | null, scene: Scene, view: Viewport, width: number, height: number): void {
  const ctx = element?.getContext('2d')
  if (!element || !ctx) return
  const frame = minimapFrame(scene)
  const { ratio, left, top: above } = frame
  let cached = minimapCache.get(scene.layout)
  const changes = cached && cached.scene !== scene ? sceneChanges(cached.scene, scene) : null
  if (!cached || (cached.scene !== scene && !changes)) {
    const canvas = cached?.canvas ?? document.createElement('canvas')
    canvas.width = MINIMAP_WIDTH
    canvas.height = MINIMAP_HEIGHT
    const c = canvas.getContext('2d')
    if (c) {
      c.fillStyle = '#f0f3f7'
      c.fillRect(0, 0, MINIMAP_WIDTH, MINIMAP_HEIGHT)
      for (const column of scene.columns) drawMiniatures(c, scene, frame, column, 0, column.length)
    }
    cached = { canvas, scene }
    minimapCache.set(scene.layout, cached)
  } else if (changes) {
    const c = cached.canvas.getContext('2d')
    if (c) {
      for (const node of changes.nodes) {
        // Its box (whole pixels) cleared, then every node of its column drawn there again, in the usual order.
        const h = nodeHeight(scene.view.nodes[node]!)
        const x = left + Math.floor(scene.layout.x[node]! * ratio)
        const top = above + Math.floor((scene.layout.y[node]! - h / 2) * ratio)
        const bottom = above + Math.ceil((scene.layout.y[node]! + h / 2) * ratio) + 1
        const column = scene.columns[scene.view.nodes[node]!.layer]
        if (!column) continue
        c.save()
        c.beginPath()
        c.rect(x, top, Math.ceil(NODE_WIDTH * ratio) + 2, bottom - top)
        c.clip()
        c.fillStyle = '#f0f3f7'
        c.fillRect(x, top, Math.ceil(NODE_WIDTH * ratio) + 2, bottom - top)
        const from = column.findIndex((other) => above + (scene.layout.y[other]! + GROUP_HEIGHT) * ratio >= top)
        let to = from
        while (to >= 0 && to < column.length && above + (scene.layout.y[column[to]!]! - GROUP_HEIGHT) * ratio <= bottom) to++
        if (from >= 0) drawMiniatures(c, scene, frame, column, from, to)
        c.restore()
      }
    }
    cached.scene = scene
  }
  ctx.drawImage(cached.canvas, 0, 0)
  ctx.strokeStyle = '#1f5fa8'
  ctx.lineWidth = 2
  ctx.strokeRect(left + view.x * ratio, above + view.y * ratio, Math.max(2, (width / view.scale) * ratio), Math.max(2, (height / view.scale) * ratio))
}

/** Nodes `from`–`to` of a column as boxes of their state's colour, failed ones drawn last (on top). */
function drawMiniatures(c: CanvasRenderingContext2D, scene: Scene, { ratio, left, top }: { ratio: number; left: number; top: number }, column: Int32Array, from: number, to: number): void {
  for (const state of ['verified', 'unverified', 'failed'] as const) {
    c.fillStyle = minimapColour[state]
    for (let i = from; i < to; i++) {
      const index = column[i]!
      const node = scene.view.nodes[index]!
      if (node.state !== state) continue
      c.fillRect(left + scene.layout.x[index]! * ratio, top + (scene.layout.y[index]! - nodeHeight(node) / 2) * ratio, Math.max(1, NODE_WIDTH * ratio), Math.max(1, nodeHeight(node) * ratio))
    }
  }
}

type FillRefs = { tiles: RefObject<TileCache>; viewport: RefObject<Viewport | null>; size: RefObject<{ width: number; height: number; dpr: number }>; idle: RefObject<number> }

/** Draws the tiles around the view while nothing else runs, one short task at a time, until none is missing. */
function fillAhead(refs: FillRefs): void {
  refs.idle.current = 0
  const view = refs.viewport.current
  if (!view) return
  const started = performance.now()
  const { width, height, dpr } = refs.size.current
  const more = fillTiles(refs.tiles.current, snapViewport(view, dpr), width, height, () => performance.now() - started < 8)
  if (more) refs.idle.current = whenIdle(() => fillAhead(refs))
}

/** Runs work when the page is idle (after a timeout at the latest); a timer where there is no idle callback (jsdom). */
function whenIdle(work: () => void): number {
  if (typeof requestIdleCallback === 'function') return requestIdleCallback(work, { timeout: 1000 })
  return window.setTimeout(work, 30)
}

function cancelIdle(handle: number): void {
  if (handle === 0) return
  if (typeof cancelIdleCallback === 'function') cancelIdleCallback(handle)
  else window.clearTimeout(handle)
}
