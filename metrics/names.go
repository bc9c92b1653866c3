package metrics

// family is a metric family that /metrics and the history both write: one
// name and one help text for both, so that they cannot drift apart.
type family struct {
	name, help string
	labels     []string
}

// The dataset's figures. README.md's "Metrics" table documents each one;
// keep the two in step.
var (
	famTroops = family{name: "kfor_troops",
		help: "Total strength of KFOR: the newest figure of the preferred series."}
	famTroopsTime = family{name: "kfor_troops_timestamp_seconds",
		help: "Date kfor_troops is plotted at (the day, the 15th of a month or 1 July of a year), as a Unix time."}
	famPeak = family{name: "kfor_peak_troops",
		help: "Highest total strength of the preferred series up to now."}
	famPeakTime = family{name: "kfor_peak_timestamp_seconds",
		help: "Date of kfor_peak_troops (the earliest of equal highs), as a Unix time."}
	famDrawdown = family{name: "kfor_drawdown_ratio",
		help: "How far kfor_troops is below kfor_peak_troops, as a ratio: 0 at the peak, 1 at nothing."}
	famNations = family{name: "kfor_nations",
		help: "Nations contributing troops in the newest count."}
	famNationsTime = family{name: "kfor_nations_timestamp_seconds",
		help: "Date of the count in kfor_nations, as a Unix time."}
	famMembership = family{name: "kfor_nations_by_membership",
		help:   "Contributing nations by NATO membership at the date, from the newest count that splits them.",
		labels: []string{"membership"}}
	famMembershipTime = family{name: "kfor_nations_by_membership_timestamp_seconds",
		help: "Date of the count in kfor_nations_by_membership, as a Unix time."}
	famNationTroops = family{name: "kfor_nation_troops",
		help:   "Troops of one nation in the newest complete per-nation list; membership is the nation's at the list's date.",
		labels: []string{"nation", "name", "membership"}}
	famNationTroopsTime = family{name: "kfor_nation_troops_timestamp_seconds",
		help: "Date of the per-nation list in kfor_nation_troops, as a Unix time."}
	famArea = family{name: "kfor_area_square_meters",
		help: "Area of KFOR's area of responsibility (Kosovo), in square meters."}
)

// History only: dated events, for Grafana annotations. Scraped samples carry
// the time of the scrape, so an event's own date can only come from the
// history.
var famEvent = family{name: "kfor_event_info",
	help:   "1 on each day of a dated event of the record; history only.",
	labels: []string{"kind", "title", "nation"}}

// squareMetersPerKm2 converts the record's km² to the base unit.
const squareMetersPerKm2 = 1e6
