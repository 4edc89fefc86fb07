import type { ArchitectureRow, ArchitectureTable } from '../architecture'
import type { ChartFigure } from '../figure'

/** Rows with a bounded field: the ones the profile can place (dense layers see everything). */
export function profileRows(table: ArchitectureTable): ArchitectureRow[] {
  return table.rows.filter((r) => r.fieldKind === 'spatial' && r.receptiveField !== null && r.kind !== 'input')
}

/**
 * The spatial scale profile (seed 001): receptive field and jump against depth. On a log axis
 * pooling and stride show as straight lines (exponential growth); plain convolutions bend
 * (linear growth). Height is plotted; width differs only for non-square kernels.
 */
export function spatialScaleProfile(table: ArchitectureTable, log: boolean): ChartFigure {
  const rows = profileRows(table)
  return {
    kind: 'chart',
    title: `Spatial scale profile · ${table.model} at ${table.input.height}×${table.input.width}`,
    option: {
      tooltip: { trigger: 'axis' },
      legend: {},
      grid: { left: 60, right: 20, top: 60, bottom: 80 },
      xAxis: { type: 'category', name: 'depth', nameLocation: 'middle', nameGap: 62, data: rows.map((r) => r.name), axisLabel: { rotate: 40, fontSize: 10 } },
      yAxis: { type: log ? 'log' : 'value', name: 'input pixels', min: log ? 1 : 0, logBase: 2 },
      series: [
        { name: 'receptive field', type: 'line', symbolSize: 6, data: rows.map((r) => r.receptiveField!.height.size) },
        { name: 'jump (effective stride)', type: 'line', symbolSize: 6, data: rows.map((r) => r.receptiveField!.height.jump) }
      ]
    }
  }
}
