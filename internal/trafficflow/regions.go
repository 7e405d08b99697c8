package trafficflow

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/regis-infra/terraform-provider-regis/internal/regions"
)

// RegionInfo describes one AWS region as this package needs it: the city its
// data centres are near (for geoproximity and the distance-based latency
// estimate) and where Route 53's geolocation database would place a resolver
// in that region (for geo rules). The commercial regions come from
// internal/regions.
type RegionInfo = regions.Region

// otherLatencyRegions are the regions outside the commercial partition that
// Route 53 also accepts as a latency Region (ResourceRecordSet Region, which
// the Traffic Policy Document Format refers to), with the locations the
// simulator needs: internal/regions knows the China and GovCloud regions
// without locations, and not the European Sovereign Cloud.
var otherLatencyRegions = []RegionInfo{
	{Code: "cn-north-1", Partition: regions.AWSCN, City: "Beijing", Latitude: 39.90, Longitude: 116.41, Continent: "AS", Country: "CN"},
	{Code: "cn-northwest-1", Partition: regions.AWSCN, City: "Ningxia", Latitude: 37.51, Longitude: 105.19, Continent: "AS", Country: "CN"},
	{Code: "us-gov-west-1", Partition: regions.AWSUSGov, City: "GovCloud (US-West)", Latitude: 45.52, Longitude: -122.68, Continent: "NA", Country: "US", Subdivision: "OR"},
	{Code: "us-gov-east-1", Partition: regions.AWSUSGov, City: "GovCloud (US-East)", Latitude: 40.42, Longitude: -82.91, Continent: "NA", Country: "US", Subdivision: "OH"},
	{Code: "eusc-de-east-1", Partition: "aws-eusc", City: "European Sovereign Cloud (Brandenburg)", Latitude: 52.41, Longitude: 12.53, Continent: "EU", Country: "DE"},
}

// Regions returns the AWS regions Route 53 accepts as a latency Region,
// sorted by code: the commercial ones and otherLatencyRegions.
func Regions() []RegionInfo {
	out := append(regions.InPartition(regions.AWS), otherLatencyRegions...)
	slices.SortFunc(out, func(a, b RegionInfo) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// LookupRegion returns the table entry for a region Route 53 accepts as a
// latency Region.
func LookupRegion(code string) (RegionInfo, bool) {
	if r, ok := regions.Lookup(code); ok && r.Partition == regions.AWS {
		return r, true
	}
	for _, r := range otherLatencyRegions {
		if r.Code == code {
			return r, true
		}
	}
	return RegionInfo{}, false
}

// IsRegion reports whether code is a region Route 53 accepts as a latency
// Region.
func IsRegion(code string) bool {
	_, ok := LookupRegion(code)
	return ok
}

// latencyMS holds approximate round-trip times in milliseconds between the
// main AWS regions. The figures are rounded medians of the kind published by
// public inter-region ping dashboards, not AWS data, and Route 53's own latency
// measurements (from resolver networks to regions) differ from inter-region
// RTTs. They exist only so the simulator orders regions sensibly; do not use
// them for capacity planning. Pairs missing here are estimated from distance.
var latencyMS = buildLatencyTable()

func buildLatencyTable() map[[2]string]float64 {
	table := map[[2]string]float64{}
	// Each row: region, then (peer, ms) pairs. Symmetric; each pair appears once.
	rows := []struct {
		from  string
		peers []any
	}{
		{"us-east-1", []any{"us-east-2", 12, "us-west-1", 62, "us-west-2", 67, "ca-central-1", 16, "sa-east-1", 115,
			"eu-west-1", 68, "eu-west-2", 76, "eu-west-3", 80, "eu-central-1", 90, "eu-north-1", 110, "eu-south-1", 98,
			"ap-south-1", 190, "ap-southeast-1", 220, "ap-southeast-2", 198, "ap-northeast-1", 145, "ap-northeast-2", 175,
			"ap-northeast-3", 150, "ap-east-1", 195, "me-south-1", 160, "af-south-1", 225}},
		{"us-east-2", []any{"us-west-1", 50, "us-west-2", 50, "ca-central-1", 25, "sa-east-1", 125,
			"eu-west-1", 80, "eu-west-2", 86, "eu-west-3", 90, "eu-central-1", 100, "eu-north-1", 118, "eu-south-1", 108,
			"ap-south-1", 200, "ap-southeast-1", 205, "ap-southeast-2", 185, "ap-northeast-1", 135, "ap-northeast-2", 160,
			"ap-northeast-3", 140, "ap-east-1", 185, "me-south-1", 170, "af-south-1", 235}},
		{"us-west-1", []any{"us-west-2", 22, "ca-central-1", 75, "sa-east-1", 175,
			"eu-west-1", 130, "eu-west-2", 140, "eu-west-3", 142, "eu-central-1", 150, "eu-north-1", 170, "eu-south-1", 158,
			"ap-south-1", 230, "ap-southeast-1", 170, "ap-southeast-2", 140, "ap-northeast-1", 108, "ap-northeast-2", 130,
			"ap-northeast-3", 112, "ap-east-1", 155, "me-south-1", 225, "af-south-1", 285}},
		{"us-west-2", []any{"ca-central-1", 60, "sa-east-1", 175,
			"eu-west-1", 125, "eu-west-2", 135, "eu-west-3", 140, "eu-central-1", 145, "eu-north-1", 160, "eu-south-1", 155,
			"ap-south-1", 220, "ap-southeast-1", 165, "ap-southeast-2", 140, "ap-northeast-1", 98, "ap-northeast-2", 125,
			"ap-northeast-3", 105, "ap-east-1", 145, "me-south-1", 230, "af-south-1", 280}},
		{"ca-central-1", []any{"sa-east-1", 125,
			"eu-west-1", 70, "eu-west-2", 78, "eu-west-3", 85, "eu-central-1", 92, "eu-north-1", 105, "eu-south-1", 100,
			"ap-south-1", 195, "ap-southeast-1", 215, "ap-southeast-2", 200, "ap-northeast-1", 145, "ap-northeast-2", 170,
			"ap-northeast-3", 150, "ap-east-1", 195, "me-south-1", 165, "af-south-1", 230}},
		{"sa-east-1", []any{
			"eu-west-1", 178, "eu-west-2", 185, "eu-west-3", 190, "eu-central-1", 200, "eu-north-1", 215, "eu-south-1", 205,
			"ap-south-1", 300, "ap-southeast-1", 325, "ap-southeast-2", 310, "ap-northeast-1", 255, "ap-northeast-2", 285,
			"ap-northeast-3", 260, "ap-east-1", 305, "me-south-1", 275, "af-south-1", 340}},
		{"eu-west-1", []any{"eu-west-2", 12, "eu-west-3", 18, "eu-central-1", 25, "eu-north-1", 40, "eu-south-1", 32,
			"ap-south-1", 120, "ap-southeast-1", 170, "ap-southeast-2", 255, "ap-northeast-1", 210, "ap-northeast-2", 235,
			"ap-northeast-3", 215, "ap-east-1", 195, "me-south-1", 100, "af-south-1", 160}},
		{"eu-west-2", []any{"eu-west-3", 9, "eu-central-1", 15, "eu-north-1", 32, "eu-south-1", 25,
			"ap-south-1", 115, "ap-southeast-1", 165, "ap-southeast-2", 265, "ap-northeast-1", 215, "ap-northeast-2", 240,
			"ap-northeast-3", 222, "ap-east-1", 190, "me-south-1", 95, "af-south-1", 150}},
		{"eu-west-3", []any{"eu-central-1", 10, "eu-north-1", 32, "eu-south-1", 18,
			"ap-south-1", 110, "ap-southeast-1", 160, "ap-southeast-2", 270, "ap-northeast-1", 225, "ap-northeast-2", 245,
			"ap-northeast-3", 230, "ap-east-1", 185, "me-south-1", 90, "af-south-1", 145}},
		{"eu-central-1", []any{"eu-north-1", 22, "eu-south-1", 12,
			"ap-south-1", 110, "ap-southeast-1", 158, "ap-southeast-2", 280, "ap-northeast-1", 225, "ap-northeast-2", 245,
			"ap-northeast-3", 235, "ap-east-1", 190, "me-south-1", 85, "af-south-1", 155}},
		{"eu-north-1", []any{"eu-south-1", 32,
			"ap-south-1", 130, "ap-southeast-1", 175, "ap-southeast-2", 295, "ap-northeast-1", 245, "ap-northeast-2", 265,
			"ap-northeast-3", 250, "ap-east-1", 205, "me-south-1", 105, "af-south-1", 175}},
		{"eu-south-1", []any{
			"ap-south-1", 105, "ap-southeast-1", 150, "ap-southeast-2", 275, "ap-northeast-1", 220, "ap-northeast-2", 240,
			"ap-northeast-3", 228, "ap-east-1", 180, "me-south-1", 80, "af-south-1", 165}},
		{"ap-south-1", []any{"ap-southeast-1", 58, "ap-southeast-2", 150, "ap-northeast-1", 125, "ap-northeast-2", 135,
			"ap-northeast-3", 130, "ap-east-1", 95, "me-south-1", 35, "af-south-1", 210}},
		{"ap-southeast-1", []any{"ap-southeast-2", 92, "ap-northeast-1", 70, "ap-northeast-2", 75,
			"ap-northeast-3", 75, "ap-east-1", 35, "me-south-1", 90, "af-south-1", 260}},
		{"ap-southeast-2", []any{"ap-northeast-1", 110, "ap-northeast-2", 135, "ap-northeast-3", 120, "ap-east-1", 125,
			"me-south-1", 175, "af-south-1", 330}},
		{"ap-northeast-1", []any{"ap-northeast-2", 33, "ap-northeast-3", 10, "ap-east-1", 50, "me-south-1", 155, "af-south-1", 340}},
		{"ap-northeast-2", []any{"ap-northeast-3", 25, "ap-east-1", 40, "me-south-1", 165, "af-south-1", 360}},
		{"ap-northeast-3", []any{"ap-east-1", 52, "me-south-1", 160, "af-south-1", 345}},
		{"ap-east-1", []any{"me-south-1", 125, "af-south-1", 300}},
		{"me-south-1", []any{"af-south-1", 180}},
	}
	for _, row := range rows {
		for i := 0; i < len(row.peers); i += 2 {
			peer := row.peers[i].(string)
			ms := float64(row.peers[i+1].(int))
			if !IsRegion(row.from) || !IsRegion(peer) {
				panic(fmt.Sprintf("trafficflow: latency table names unknown region %s or %s", row.from, peer))
			}
			table[[2]string{row.from, peer}] = ms
			table[[2]string{peer, row.from}] = ms
		}
	}
	return table
}

// sameRegionMS is the RTT assumed for a client inside the region it queries.
const sameRegionMS = 2

// LatencyMS returns the approximate round-trip time in milliseconds between a
// client in region from and resources in region to, and whether the figure
// comes from the measured-style table (true) or from the distance estimate
// (false). It fails for unknown regions.
//
// The distance estimate is 3 ms plus 0.014 ms per great-circle kilometre: light
// in fibre covers about 200 km per ms one way, and real paths are about 40 %
// longer than the great circle. It reproduces the table within a few tens of
// per cent for most pairs and is only used where the table has no entry.
func LatencyMS(from, to string) (ms float64, fromTable bool, err error) {
	a, ok := LookupRegion(from)
	if !ok {
		return 0, false, fmt.Errorf("trafficflow: unknown AWS region %q", from)
	}
	b, ok := LookupRegion(to)
	if !ok {
		return 0, false, fmt.Errorf("trafficflow: unknown AWS region %q", to)
	}
	if from == to {
		return sameRegionMS, true, nil
	}
	if v, ok := latencyMS[[2]string{from, to}]; ok {
		return v, true, nil
	}
	return 3 + 0.014*distanceKM(a.Latitude, a.Longitude, b.Latitude, b.Longitude), false, nil
}

// distanceKM is the great-circle distance (haversine, mean Earth radius).
func distanceKM(lat1, lon1, lat2, lon2 float64) float64 {
	const earthRadiusKM = 6371.0
	rad := math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLon := (lon2 - lon1) * rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKM * math.Asin(math.Min(1, math.Sqrt(h)))
}

// continentOf maps every country code Route 53 accepts for geolocation to its
// continent, as listed in the Route 53 Developer Guide ("Values for Geolocation
// Records", Location). BV, CX, EH and HM are deliberately absent: Route 53 does
// not support them.
var continentOf = func() map[string]string {
	lists := map[string]string{
		"AF": "AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG ER ET GA GH GM GN GQ GW KE KM LR LS LY MA MG ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TN TZ UG YT ZA ZM ZW",
		"AN": "AQ GS TF",
		"AS": "AE AF AM AZ BD BH BN BT CC CN GE HK ID IL IN IO IQ IR JO JP KG KH KP KR KW KZ LA LB LK MM MN MO MV MY NP OM PH PK PS QA SA SG SY TH TJ TM TR TW UZ VN YE",
		"EU": "AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA XK",
		"NA": "AG AI AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MF MQ MS MX NI PA PM PR SV SX TC TT US VC VG VI",
		"OC": "AS AU CK FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TL TO TV UM VU WF WS",
		"SA": "AR BO BR CL CO EC FK GF GY PE PY SR UY VE",
	}
	m := map[string]string{}
	for cont, list := range lists {
		for _, c := range strings.Fields(list) {
			m[c] = cont
		}
	}
	return m
}()

var continents = map[string]string{
	"AF": "Africa", "AN": "Antarctica", "AS": "Asia", "EU": "Europe",
	"NA": "North America", "OC": "Oceania", "SA": "South America",
}

// usStates are the subdivision codes Route 53 accepts (US states and DC).
var usStates = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range strings.Fields("AK AL AR AZ CA CO CT DC DE FL GA HI IA ID IL IN KS KY LA MA MD ME MI MN MO MS MT NC ND NE NH NJ NM NV NY OH OK OR PA RI SC SD TN TX UT VA VT WA WI WV WY") {
		m[s] = true
	}
	return m
}()
