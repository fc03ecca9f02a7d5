package shell

import "time"

// appendRFC3339Nano appends t as t.AppendFormat(b, time.RFC3339Nano) does
// (a step's time, once a record): the civil date and clock of t's zone
// from its Unix seconds and offset, the nanoseconds without their trailing
// zeros (no point when there are none), then Z for a zero offset, else
// ±hh:mm. Years outside 0 to 9999 go to AppendFormat itself.
// TestAppendRFC3339NanoIsFormat compares the two.
func appendRFC3339Nano(b []byte, t time.Time) []byte {
	_, offset := t.Zone()
	secs := t.Unix() + int64(offset)
	days := secs / 86400
	rem := secs % 86400
	if rem < 0 {
		days, rem = days-1, rem+86400
	}
	year, month, day := civilDate(days)
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, time.RFC3339Nano)
	}
	b = append(b, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-')
	b = append2(b, month)
	b = append(b, '-')
	b = append2(b, day)
	b = append(b, 'T')
	b = append2(b, int(rem/3600))
	b = append(b, ':')
	b = append2(b, int(rem/60%60))
	b = append(b, ':')
	b = append2(b, int(rem%60))
	if ns := t.Nanosecond(); ns != 0 {
		digits := 9
		for ns%10 == 0 {
			ns /= 10
			digits--
		}
		b = append(b, '.')
		var d [9]byte
		for i := digits - 1; i >= 0; i-- {
			d[i] = byte('0' + ns%10)
			ns /= 10
		}
		b = append(b, d[:digits]...)
	}
	if offset == 0 {
		return append(b, 'Z')
	}
	zone := offset / 60 // minutes; the seconds of an offset are not written
	if zone < 0 {
		b = append(b, '-')
		zone = -zone
	} else {
		b = append(b, '+')
	}
	b = append2(b, zone/60)
	b = append(b, ':')
	return append2(b, zone%60)
}

// append2 appends n, 0 to 99, as two digits.
func append2(b []byte, n int) []byte {
	return append(b, byte('0'+n/10), byte('0'+n%10))
}

// civilDate is the proleptic Gregorian date of days since 1970-01-01
// (the days-from-civil inverse: eras of 400 years from 0000-03-01).
func civilDate(days int64) (year, month, day int) {
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // [0, 365]
	mp := (5*doy + 2) / 153                                // [0, 11], from March
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	y := yoe + era*400
	if m <= 2 {
		y++
	}
	return int(y), int(m), int(d)
}
