import { describe, expect, it } from 'vitest'
import { layoutGraph } from './layout'
import { buildView, layoutInput } from './lineage-view'
import { buildScene, layerCovers, type GraphLayer } from './scene'
import { syntheticLineage } from './synthetic-lineage'

const sceneOf = (nodes: number) => {
  const view = buildView([syntheticLineage(nodes)])
  return buildScene(view, layoutGraph(layoutInput(view)))
}

describe('the cached graph layer', () => {
  const scene = sceneOf(60)
  // A layer drawn at zoom 0.5 around the graph point (100, 200), 1,600 × 1,000 CSS pixels: graph x 100–3,300, y 200–2,200.
  const layer: GraphLayer = { canvas: {} as HTMLCanvasElement, scene, scale: 0.5, dpr: 1, x: 100, y: 200, width: 1600, height: 1000 }

  it('serves a pan that stays inside it', () => {
    expect(layerCovers(layer, scene, { x: 100, y: 200, scale: 0.5 }, 800, 500, 1)).toBe(true)
    expect(layerCovers(layer, scene, { x: 1700, y: 1200, scale: 0.5 }, 800, 500, 1)).toBe(true)
  })

  it('is drawn again when the view leaves it, the zoom or pixel ratio changes, or the scene does (a state changed)', () => {
    expect(layerCovers(layer, scene, { x: 1701, y: 1200, scale: 0.5 }, 800, 500, 1)).toBe(false)
    expect(layerCovers(layer, scene, { x: 99, y: 200, scale: 0.5 }, 800, 500, 1)).toBe(false)
    expect(layerCovers(layer, scene, { x: 100, y: 200, scale: 0.6 }, 800, 500, 1)).toBe(false)
    expect(layerCovers(layer, scene, { x: 100, y: 200, scale: 0.5 }, 800, 500, 2)).toBe(false)
    expect(layerCovers(layer, sceneOf(60), { x: 100, y: 200, scale: 0.5 }, 800, 500, 1)).toBe(false)
  })
})
