package engine

import (
	"math"

	"github.com/tiercel/tiercel/internal/event"
)

// geography:distance(lat1, lon1, lat2, lon2, as=_distance): the great-circle
// distance in meters between two points in decimal degrees (haversine on a
// sphere of the Earth's mean radius).

const earthRadiusMeters = 6_371_008.8

func init() {
	registerFunc("geography:distance", &funcImpl{params: []string{"", "as", "lat1", "lon1", "lat2", "lon2"}, defaultAs: "_distance",
		value: func(c *compiler, a *args) (expr, error) {
			e := &distanceExpr{}
			for i, p := range []string{"lat1", "lon1", "lat2", "lon2"} {
				f, err := a.fieldName(p, "")
				if err != nil {
					return nil, err
				}
				if f == "" {
					return nil, a.errorf(p, "missing required parameter %s", p)
				}
				e.fields[i] = f
			}
			return e, nil
		}})
}

type distanceExpr struct{ fields [4]string }

func (e *distanceExpr) eval(_ *exec, ev *event.Event) (string, bool) {
	var v [4]float64
	for i, f := range e.fields {
		s, ok := ev.Get(f)
		if !ok {
			return "", false
		}
		if v[i], ok = event.ParseNumber(s); !ok {
			return "", false
		}
	}
	if math.Abs(v[0]) > 90 || math.Abs(v[2]) > 90 || math.Abs(v[1]) > 180 || math.Abs(v[3]) > 180 {
		return "", false
	}
	return event.FormatNumber(haversine(v[0], v[1], v[2], v[3])), true
}

func haversine(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusMeters * math.Asin(math.Min(1, math.Sqrt(h)))
}
