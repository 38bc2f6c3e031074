// The option type of the charts EChart.vue registers (type imports only: nothing here is bundled).
// A chart that uses a series or component EChart.vue does not register fails the type-check.
import type { BarSeriesOption, HeatmapSeriesOption, LineSeriesOption, PieSeriesOption } from 'echarts/charts'
import type {
  GridComponentOption, LegendComponentOption, MarkLineComponentOption, TooltipComponentOption, VisualMapComponentOption,
} from 'echarts/components'
import type { ComposeOption } from 'echarts/core'

export type ChartOption = ComposeOption<
  | BarSeriesOption | HeatmapSeriesOption | LineSeriesOption | PieSeriesOption
  | GridComponentOption | LegendComponentOption | MarkLineComponentOption | TooltipComponentOption | VisualMapComponentOption
>
