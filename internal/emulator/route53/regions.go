package route53

import (
	"math"
	"sort"
	"strings"
)

// Region is an AWS region as the emulated Route 53 places it: where its data
// centers are (approximately: the metropolitan area AWS names for it) and
// where a DNS client in that region is, for latency, geolocation and
// geoproximity routing.
//
// The list is the set of region codes Route 53 accepts for latency records
// (ResourceRecordSet.Region in the Route 53 API reference); the locations are
// the cities of AWS's public region list ("Regions and Availability Zones").
// Route 53 does not publish its latency measurements, so LatencyMS is a
// model: it grows with the great-circle distance between the two regions.
type Region struct {
	Code string
	// City is the metropolitan area of the region, as AWS names it.
	City string
	// Latitude and Longitude locate City, in degrees.
	Latitude, Longitude float64
	// Continent, Country and Subdivision are the geolocation codes of a
	// client in the region, as Route 53 uses them (GeoLocation in
	// ChangeResourceRecordSets: continent codes AF, AN, AS, EU, NA, OC, SA;
	// ISO 3166-1 country codes; US state codes).
	Continent, Country, Subdivision string
}

// regionTable is written from AWS's public list of regions.
var regionTable = []Region{
	{"us-east-1", "N. Virginia (Ashburn)", 39.04, -77.49, "NA", "US", "VA"},
	{"us-east-2", "Ohio (Columbus)", 39.96, -83.00, "NA", "US", "OH"},
	{"us-west-1", "N. California (San Francisco Bay Area)", 37.35, -121.96, "NA", "US", "CA"},
	{"us-west-2", "Oregon (Boardman)", 45.84, -119.70, "NA", "US", "OR"},
	{"us-gov-west-1", "GovCloud US-West (Oregon)", 45.52, -122.68, "NA", "US", "OR"},
	{"us-gov-east-1", "GovCloud US-East (Ohio)", 40.42, -82.91, "NA", "US", "OH"},
	{"ca-central-1", "Canada (Montreal)", 45.50, -73.57, "NA", "CA", ""},
	{"ca-west-1", "Canada West (Calgary)", 51.05, -114.07, "NA", "CA", ""},
	{"mx-central-1", "Mexico (Queretaro)", 20.59, -100.39, "NA", "MX", ""},
	{"sa-east-1", "South America (Sao Paulo)", -23.55, -46.63, "SA", "BR", ""},
	{"eu-west-1", "Europe (Ireland, Dublin)", 53.35, -6.26, "EU", "IE", ""},
	{"eu-west-2", "Europe (London)", 51.51, -0.13, "EU", "GB", ""},
	{"eu-west-3", "Europe (Paris)", 48.86, 2.35, "EU", "FR", ""},
	{"eu-central-1", "Europe (Frankfurt)", 50.11, 8.68, "EU", "DE", ""},
	{"eu-central-2", "Europe (Zurich)", 47.37, 8.54, "EU", "CH", ""},
	{"eu-north-1", "Europe (Stockholm)", 59.33, 18.07, "EU", "SE", ""},
	{"eu-south-1", "Europe (Milan)", 45.46, 9.19, "EU", "IT", ""},
	{"eu-south-2", "Europe (Spain, Aragon)", 41.65, -0.88, "EU", "ES", ""},
	{"eusc-de-east-1", "AWS European Sovereign Cloud (Brandenburg)", 52.41, 12.53, "EU", "DE", ""},
	{"il-central-1", "Israel (Tel Aviv)", 32.09, 34.78, "AS", "IL", ""},
	{"me-south-1", "Middle East (Bahrain)", 26.23, 50.59, "AS", "BH", ""},
	{"me-central-1", "Middle East (UAE)", 24.45, 54.38, "AS", "AE", ""},
	{"af-south-1", "Africa (Cape Town)", -33.92, 18.42, "AF", "ZA", ""},
	{"ap-south-1", "Asia Pacific (Mumbai)", 19.08, 72.88, "AS", "IN", ""},
	{"ap-south-2", "Asia Pacific (Hyderabad)", 17.39, 78.49, "AS", "IN", ""},
	{"ap-east-1", "Asia Pacific (Hong Kong)", 22.32, 114.17, "AS", "HK", ""},
	{"ap-east-2", "Asia Pacific (Taipei)", 25.03, 121.57, "AS", "TW", ""},
	{"ap-southeast-1", "Asia Pacific (Singapore)", 1.35, 103.82, "AS", "SG", ""},
	{"ap-southeast-2", "Asia Pacific (Sydney)", -33.87, 151.21, "OC", "AU", ""},
	{"ap-southeast-3", "Asia Pacific (Jakarta)", -6.21, 106.85, "AS", "ID", ""},
	{"ap-southeast-4", "Asia Pacific (Melbourne)", -37.81, 144.96, "OC", "AU", ""},
	{"ap-southeast-5", "Asia Pacific (Malaysia)", 3.14, 101.69, "AS", "MY", ""},
	{"ap-southeast-6", "Asia Pacific (New Zealand)", -36.85, 174.76, "OC", "NZ", ""},
	{"ap-southeast-7", "Asia Pacific (Thailand)", 13.76, 100.50, "AS", "TH", ""},
	{"ap-northeast-1", "Asia Pacific (Tokyo)", 35.68, 139.69, "AS", "JP", ""},
	{"ap-northeast-2", "Asia Pacific (Seoul)", 37.57, 126.98, "AS", "KR", ""},
	{"ap-northeast-3", "Asia Pacific (Osaka)", 34.69, 135.50, "AS", "JP", ""},
	{"cn-north-1", "China (Beijing)", 39.90, 116.41, "AS", "CN", ""},
	{"cn-northwest-1", "China (Ningxia)", 37.51, 105.19, "AS", "CN", ""},
}

var regionIndex = func() map[string]Region {
	m := make(map[string]Region, len(regionTable))
	for _, r := range regionTable {
		m[r.Code] = r
	}
	return m
}()

// Regions lists the regions the emulated Route 53 knows, sorted by code.
func Regions() []Region {
	out := append([]Region(nil), regionTable...)
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// LookupRegion finds a region by code.
func LookupRegion(code string) (Region, bool) {
	r, ok := regionIndex[code]
	return r, ok
}

func isRegion(code string) bool {
	_, ok := regionIndex[code]
	return ok
}

// regionCodes lists the known codes, sorted, for error messages.
func regionCodes() string {
	codes := make([]string, 0, len(regionTable))
	for _, r := range regionTable {
		codes = append(codes, r.Code)
	}
	sort.Strings(codes)
	return strings.Join(codes, ", ")
}

// localZoneParent returns the region of a Local Zone or Local Zone group
// name such as "us-east-1-atl-1a" or "us-west-2-lax-1": the longest region
// code followed by "-".
func localZoneParent(name string) (Region, bool) {
	var best Region
	for _, r := range regionTable {
		if strings.HasPrefix(name, r.Code+"-") && len(name) > len(r.Code)+1 && len(r.Code) > len(best.Code) {
			best = r
		}
	}
	return best, best.Code != ""
}

// LatencyMS is the emulator's model of the round-trip latency between a
// client in one region and resources in another: 2 ms within a region plus
// 1.2 ms per 100 km of great-circle distance (light in fiber covers about
// 100 km per millisecond of round trip; real paths are longer than great
// circles). It is ok=false for unknown regions.
func LatencyMS(clientRegion, resourceRegion string) (ms float64, ok bool) {
	a, okA := regionIndex[clientRegion]
	b, okB := regionIndex[resourceRegion]
	if !okA || !okB {
		return 0, false
	}
	return 2 + 0.012*haversineKM(a.Latitude, a.Longitude, b.Latitude, b.Longitude), true
}

// haversineKM is the great-circle distance between two points, in km.
func haversineKM(lat1, lon1, lat2, lon2 float64) float64 {
	const earthRadiusKM = 6371.0
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKM * math.Asin(math.Min(1, math.Sqrt(h)))
}

// BiasedDistanceKM is the distance Route 53 compares for geoproximity
// routing, from its documented formula ("How Amazon Route 53 uses bias to
// route traffic"): with a positive bias, distance × (1 − bias/100); with a
// negative bias, distance / (1 + bias/100).
func BiasedDistanceKM(distanceKM float64, bias int) float64 {
	b := float64(bias)
	if b >= 0 {
		return distanceKM * (1 - b/100)
	}
	return distanceKM / (1 + b/100)
}
