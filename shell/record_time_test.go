package shell

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"
)

// TestAppendRFC3339NanoIsFormat: a time as appendRFC3339Nano writes it is
// what AppendFormat(time.RFC3339Nano) writes, byte for byte: random
// instants from before year 0 to after 9999 (those AppendFormat writes
// itself), the days around every month's end and the leap days, every
// count of trailing zeros in the nanoseconds, in UTC, the local zone, zones
// of whole hours, of minutes and of seconds either side of UTC, and zones
// of the zone database with their history (a Local Mean Time offset of
// seconds).
func TestAppendRFC3339NanoIsFormat(t *testing.T) {
	zones := []*time.Location{time.UTC, time.Local, time.FixedZone("", 0), time.FixedZone("X", 3600),
		time.FixedZone("Y", -5*3600-30*60), time.FixedZone("S", 45), time.FixedZone("T", -30), time.FixedZone("U", -3599),
		time.FixedZone("V", 14*3600), time.FixedZone("W", -12*3600-59)}
	for _, name := range []string{"Europe/Amsterdam", "America/St_Johns", "Asia/Kathmandu", "Africa/Monrovia", "Pacific/Chatham"} {
		if loc, err := time.LoadLocation(name); err == nil {
			zones = append(zones, loc)
		}
	}
	rng := rand.New(rand.NewPCG(11, 12))
	check := func(at time.Time) {
		t.Helper()
		want := at.AppendFormat([]byte("x"), time.RFC3339Nano)
		if got := appendRFC3339Nano([]byte("x"), at); !bytes.Equal(got, want) {
			t.Fatalf("%v (%d s %d ns): appendRFC3339Nano %s, AppendFormat %s", at, at.Unix(), at.Nanosecond(), got, want)
		}
	}
	nanos := func() int64 {
		switch rng.IntN(4) {
		case 0:
			return 0
		case 1:
			n := rng.Int64N(1e9)
			for range rng.IntN(9) {
				n -= n % 10
				n /= 10
			}
			return n * int64(pow10[min(rng.IntN(6), 5)])
		}
		return rng.Int64N(1e9)
	}
	for range 60000 {
		var sec int64
		switch rng.IntN(3) {
		case 0: // any time from year -300 to 10300
			sec = rng.Int64N(335e9) - 72e9
		case 1: // near now
			sec = time.Now().Unix() + rng.Int64N(4e8) - 2e8
		default: // within a second of midnight, the ends of months and years
			y, m := 1+rng.IntN(9998), time.Month(1+rng.IntN(12))
			sec = time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).Unix() + rng.Int64N(172800) - 86400
		}
		check(time.Unix(sec, nanos()).In(zones[rng.IntN(len(zones))]))
	}
	for y := 1896; y <= 2104; y += 1 + rng.IntN(3) {
		for _, md := range [][2]int{{2, 28}, {2, 29}, {3, 1}, {12, 31}, {1, 1}} {
			for _, z := range zones {
				check(time.Date(y, time.Month(md[0]), md[1], 23, 59, 59, 999999999, time.UTC).In(z))
				check(time.Date(y, time.Month(md[0]), md[1], 0, 0, 0, 0, time.UTC).In(z))
			}
		}
	}
	check(time.Time{})
	check(time.Date(0, 1, 1, 0, 0, 0, 1, time.UTC))
	check(time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC))
	check(time.Date(9999, 12, 31, 23, 59, 59, 100, time.UTC))
	check(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))
}
