package route53

import "strings"

// continentCountries is the list of countries Route 53 associates with each
// continent, as the Route 53 Developer Guide gives it ("Values specific for
// geolocation records", Location). Route 53 does not support the countries
// it has no IP data for (BV, CX, EH, HM), so they are not listed.
var continentCountries = map[string]string{
	"AF": "AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG ER ET GA GH GM GN GQ GW KE KM LR LS LY MA MG ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TN TZ UG YT ZA ZM ZW",
	"AN": "AQ GS TF",
	"AS": "AE AF AM AZ BD BH BN BT CC CN GE HK ID IL IN IO IQ IR JO JP KG KH KP KR KW KZ LA LB LK MM MN MO MV MY NP OM PH PK PS QA SA SG SY TH TJ TM TR TW UZ VN YE",
	"EU": "AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA XK",
	"NA": "AG AI AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MF MQ MS MX NI PA PM PR SV SX TC TT US VC VG VI",
	"OC": "AS AU CK FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TL TO TV UM VU WF WS",
	"SA": "AR BO BR CL CO EC FK GF GY PE PY SR UY VE",
}

// countryContinent maps a country code to its continent code.
var countryContinent = func() map[string]string {
	m := map[string]string{}
	for continent, list := range continentCountries {
		for _, c := range strings.Fields(list) {
			m[c] = continent
		}
	}
	return m
}()

// usStates are the subdivision codes Route 53 accepts for the United States
// (the states and the District of Columbia).
var usStates = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range strings.Fields("AK AL AR AZ CA CO CT DC DE FL GA HI IA ID IL IN KS KY LA MA MD ME MI MN MO MS MT NC ND NE NH NJ NM NV NY OH OK OR PA RI SC SD TN TX UT VA VT WA WI WV WY") {
		m[s] = true
	}
	return m
}()

func isContinent(code string) bool {
	_, ok := continentCountries[code]
	return ok
}

func isCountry(code string) bool {
	_, ok := countryContinent[code]
	return ok
}
