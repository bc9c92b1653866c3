// Package dashboard is kforstats' web face: the Gin routes, the ECharts page
// built with go-echarts, the JSON and CSV API of the record, and the health
// endpoints. It reads the current dataset from a dataset.Store at every
// request and depends on no other kforstats package.
package dashboard
