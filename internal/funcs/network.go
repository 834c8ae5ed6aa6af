package funcs

// Network and geolocation functions.

func init() {
	register(
		&Spec{Name: "asn", Kind: Transform, DefaultParam: "field",
			Description: "Autonomous system number and organisation of an IP address.",
			Params:      []Param{opt("field", Field, "ip"), asParam("")}},
		&Spec{Name: "ipLocation", Kind: Transform, DefaultParam: "field",
			Description: "Country, city and coordinates of an IP address.",
			Params:      []Param{opt("field", Field, "ip"), asParam("")}},
		&Spec{Name: "rdns", Kind: Transform, DefaultParam: "field",
			Description: "Reverse DNS lookup (deprecated; use reverseDns).",
			Params: []Param{
				req("field", Field),
				asParam("hostname"),
				opt("limit", Number, ""),
				opt("server", String, ""),
			}},
		&Spec{Name: "reverseDns", Kind: Transform, DefaultParam: "field",
			Description: "Reverse DNS lookup of IP addresses.",
			Params: []Param{
				req("field", Field),
				asParam("_hostname"),
				opt("limit", Number, ""),
				opt("server", String, ""),
			}},
		&Spec{Name: "subnet", Kind: Transform, DefaultParam: "field", Value: true,
			Description: "Network prefix of an IP address.",
			Params:      []Param{req("field", Field), req("bits", Number), asParam("_subnet")}},
		&Spec{Name: "communityId", Kind: Transform, Value: true,
			Description: "Community ID hash of a network flow.",
			Params: []Param{
				asParam("_community_id"),
				req("sourceip", Field),
				opt("sourceport", Field, ""),
				req("destinationip", Field),
				opt("destinationport", Field, ""),
				req("proto", Field),
				opt("icmptype", Field, ""),
				opt("icmpcode", Field, ""),
			}},
		&Spec{Name: "geohash", Kind: Transform, Value: true,
			Description: "Geohash of a latitude/longitude pair.",
			Params: []Param{
				asParam("_geohash"),
				opt("lat", Field, "ip.lat"),
				opt("lon", Field, "ip.lon"),
				opt("precision", Number, "12"),
			}},
		&Spec{Name: "geography:distance", Kind: Transform, Value: true,
			Description: "Distance between two coordinates.",
			Params: []Param{
				asParam("_distance"),
				req("lat1", Field),
				req("lon1", Field),
				req("lat2", Field),
				req("lon2", Field),
			}},
	)
}
