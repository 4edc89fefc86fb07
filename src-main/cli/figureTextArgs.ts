/** The words of a figure from the command line: `plot … --title T --x-label X --y-label Y --legend "a=Smiling,b=Male"`. */
import { ApiError } from '../../src-shared/errors'
import { parseLegend, type FigureText } from '../../src-shared/figures/figureText'

export const figureTextArgs = {
  title: { type: 'string' },
  'x-label': { type: 'string' },
  'y-label': { type: 'string' },
  'colorbar-label': { type: 'string' },
  legend: { type: 'string' }
} as const

export const figureTextUsage = `  --title T           the figure's title ("" hides it)
  --x-label X         the x axis name ("" hides it); --y-label the same for y
  --colorbar-label L  a map's colour-bar label
  --legend "a=Smiling,b=Male"
                      legend entries: a series' name or position (1 or a = first) = the name to show`

export function figureTextOf(values: Record<string, string | boolean | undefined>): FigureText {
  const str = (k: string): string | undefined => (typeof values[k] === 'string' ? (values[k] as string) : undefined)
  const text: FigureText = { title: str('title'), xLabel: str('x-label'), yLabel: str('y-label'), colorBar: str('colorbar-label') }
  const legend = str('legend')
  if (legend !== undefined) {
    try {
      text.legend = parseLegend(legend)
    } catch (err) {
      throw new ApiError('invalid_request', `--legend: ${(err as Error).message}`)
    }
  }
  return text
}
