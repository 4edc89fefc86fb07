import * as echarts from 'echarts'
const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 600, height: 400 })
chart.setOption({ animation: false, title: { text: 'Loss' }, legend: { top: 24 }, xAxis: { type: 'value', name: 'epoch' }, yAxis: { type: 'value', name: 'loss' }, series: [{ name: 'A train', type: 'line', data: [[1, 2], [2, 1.5]] }, { name: 'B train', type: 'line', data: [[1, 2.2], [2, 1.2]] }] })
const svg = chart.renderToSVGString()
console.log(svg.match(/<style[\s\S]*?<\/style>/g), svg.match(/<text[^>]*>[^<]*<\/text>/g)?.slice(0,5))
