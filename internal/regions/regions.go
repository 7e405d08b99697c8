package regions

import (
	"slices"
	"strings"
)

// Region is one AWS region this provider version knows.
type Region struct {
	Code      string // e.g. "ap-southeast-1"
	Partition string // e.g. "aws"
	// City is the metro area the region's data centres are near, and
	// Latitude and Longitude its approximate coordinates (rounded; not
	// data-centre locations). Continent, Country and Subdivision are where
	// Route 53's geolocation database would place a DNS resolver in the
	// region: a Route 53 continent code, an ISO 3166-1 alpha-2 country code
	// and, for US regions, the state. All are known for the commercial
	// partition's regions only (the Traffic Flow simulator uses them).
	City        string
	Latitude    float64
	Longitude   float64
	Continent   string
	Country     string
	Subdivision string
}

// known are the regions of every partition this provider version knows. The
// commercial ones are those Route 53 accepts as a latency Region (the
// ResourceRecordSet Region enum of the Route 53 API, minus the China,
// GovCloud and European Sovereign Cloud partitions).
var known = []Region{
	// aws
	{Code: "us-east-1", Partition: AWS, City: "N. Virginia", Latitude: 39.04, Longitude: -77.49, Continent: "NA", Country: "US", Subdivision: "VA"},
	{Code: "us-east-2", Partition: AWS, City: "Ohio", Latitude: 39.96, Longitude: -83.00, Continent: "NA", Country: "US", Subdivision: "OH"},
	{Code: "us-west-1", Partition: AWS, City: "N. California", Latitude: 37.35, Longitude: -121.96, Continent: "NA", Country: "US", Subdivision: "CA"},
	{Code: "us-west-2", Partition: AWS, City: "Oregon", Latitude: 45.84, Longitude: -119.70, Continent: "NA", Country: "US", Subdivision: "OR"},
	{Code: "ca-central-1", Partition: AWS, City: "Montreal", Latitude: 45.50, Longitude: -73.57, Continent: "NA", Country: "CA"},
	{Code: "ca-west-1", Partition: AWS, City: "Calgary", Latitude: 51.05, Longitude: -114.07, Continent: "NA", Country: "CA"},
	{Code: "mx-central-1", Partition: AWS, City: "Queretaro", Latitude: 20.59, Longitude: -100.39, Continent: "NA", Country: "MX"},
	{Code: "sa-east-1", Partition: AWS, City: "Sao Paulo", Latitude: -23.55, Longitude: -46.63, Continent: "SA", Country: "BR"},
	{Code: "eu-west-1", Partition: AWS, City: "Ireland", Latitude: 53.35, Longitude: -6.26, Continent: "EU", Country: "IE"},
	{Code: "eu-west-2", Partition: AWS, City: "London", Latitude: 51.51, Longitude: -0.13, Continent: "EU", Country: "GB"},
	{Code: "eu-west-3", Partition: AWS, City: "Paris", Latitude: 48.86, Longitude: 2.35, Continent: "EU", Country: "FR"},
	{Code: "eu-central-1", Partition: AWS, City: "Frankfurt", Latitude: 50.11, Longitude: 8.68, Continent: "EU", Country: "DE"},
	{Code: "eu-central-2", Partition: AWS, City: "Zurich", Latitude: 47.38, Longitude: 8.54, Continent: "EU", Country: "CH"},
	{Code: "eu-north-1", Partition: AWS, City: "Stockholm", Latitude: 59.33, Longitude: 18.07, Continent: "EU", Country: "SE"},
	{Code: "eu-south-1", Partition: AWS, City: "Milan", Latitude: 45.46, Longitude: 9.19, Continent: "EU", Country: "IT"},
	{Code: "eu-south-2", Partition: AWS, City: "Spain", Latitude: 41.65, Longitude: -0.88, Continent: "EU", Country: "ES"},
	{Code: "il-central-1", Partition: AWS, City: "Tel Aviv", Latitude: 32.09, Longitude: 34.78, Continent: "AS", Country: "IL"},
	{Code: "me-south-1", Partition: AWS, City: "Bahrain", Latitude: 26.23, Longitude: 50.59, Continent: "AS", Country: "BH"},
	{Code: "me-central-1", Partition: AWS, City: "UAE", Latitude: 25.20, Longitude: 55.27, Continent: "AS", Country: "AE"},
	{Code: "af-south-1", Partition: AWS, City: "Cape Town", Latitude: -33.92, Longitude: 18.42, Continent: "AF", Country: "ZA"},
	{Code: "ap-south-1", Partition: AWS, City: "Mumbai", Latitude: 19.08, Longitude: 72.88, Continent: "AS", Country: "IN"},
	{Code: "ap-south-2", Partition: AWS, City: "Hyderabad", Latitude: 17.39, Longitude: 78.49, Continent: "AS", Country: "IN"},
	{Code: "ap-southeast-1", Partition: AWS, City: "Singapore", Latitude: 1.35, Longitude: 103.82, Continent: "AS", Country: "SG"},
	{Code: "ap-southeast-2", Partition: AWS, City: "Sydney", Latitude: -33.87, Longitude: 151.21, Continent: "OC", Country: "AU"},
	{Code: "ap-southeast-3", Partition: AWS, City: "Jakarta", Latitude: -6.21, Longitude: 106.85, Continent: "AS", Country: "ID"},
	{Code: "ap-southeast-4", Partition: AWS, City: "Melbourne", Latitude: -37.81, Longitude: 144.96, Continent: "OC", Country: "AU"},
	{Code: "ap-southeast-5", Partition: AWS, City: "Malaysia", Latitude: 3.14, Longitude: 101.69, Continent: "AS", Country: "MY"},
	{Code: "ap-southeast-6", Partition: AWS, City: "New Zealand", Latitude: -36.85, Longitude: 174.76, Continent: "OC", Country: "NZ"},
	{Code: "ap-southeast-7", Partition: AWS, City: "Thailand", Latitude: 13.76, Longitude: 100.50, Continent: "AS", Country: "TH"},
	{Code: "ap-northeast-1", Partition: AWS, City: "Tokyo", Latitude: 35.68, Longitude: 139.69, Continent: "AS", Country: "JP"},
	{Code: "ap-northeast-2", Partition: AWS, City: "Seoul", Latitude: 37.57, Longitude: 126.98, Continent: "AS", Country: "KR"},
	{Code: "ap-northeast-3", Partition: AWS, City: "Osaka", Latitude: 34.69, Longitude: 135.50, Continent: "AS", Country: "JP"},
	{Code: "ap-east-1", Partition: AWS, City: "Hong Kong", Latitude: 22.32, Longitude: 114.17, Continent: "AS", Country: "HK"},
	{Code: "ap-east-2", Partition: AWS, City: "Taipei", Latitude: 25.03, Longitude: 121.57, Continent: "AS", Country: "TW"},
	// aws-cn
	{Code: "cn-north-1", Partition: AWSCN},
	{Code: "cn-northwest-1", Partition: AWSCN},
	// aws-us-gov
	{Code: "us-gov-east-1", Partition: AWSUSGov},
	{Code: "us-gov-west-1", Partition: AWSUSGov},
	// aws-iso*
	{Code: "us-iso-east-1", Partition: AWSISO},
	{Code: "us-iso-west-1", Partition: AWSISO},
	{Code: "us-isob-east-1", Partition: AWSISOB},
	{Code: "us-isof-south-1", Partition: AWSISOF},
	{Code: "us-isof-east-1", Partition: AWSISOF},
	{Code: "eu-isoe-west-1", Partition: AWSISOE},
}

var index = func() map[string]Region {
	m := make(map[string]Region, len(known))
	for _, r := range known {
		m[r.Code] = r
	}
	return m
}()

// Lookup returns the known region named code.
func Lookup(code string) (Region, bool) {
	r, ok := index[code]
	return r, ok
}

// IsKnown reports whether code is a region this provider version knows.
func IsKnown(code string) bool {
	_, ok := index[code]
	return ok
}

// InPartition returns the known regions of a partition, sorted by code.
func InPartition(partition string) []Region {
	var out []Region
	for _, r := range known {
		if r.Partition == partition {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b Region) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// Codes returns the codes of every known region, sorted.
func Codes() []string {
	out := make([]string, 0, len(known))
	for _, r := range known {
		out = append(out, r.Code)
	}
	slices.Sort(out)
	return out
}
