package classroom

import (
	"testing"
)

// TestRFCState: the kernel's and ss's spellings are RFC 9293's states;
// what is no TCP state is none.
func TestRFCState(t *testing.T) {
	for in, want := range map[string]string{
		"CLOSE": "CLOSED", "SYN_RECV": "SYN_RECEIVED", "NEW_SYN_RECV": "SYN_RECEIVED", "FIN_WAIT1": "FIN_WAIT_1",
		"FIN_WAIT2": "FIN_WAIT_2", "TIME-WAIT": "TIME_WAIT", "time_wait": "TIME_WAIT", "LISTEN": "LISTEN",
		"closed": "", "UNCONN": "", "?": "", "state 13": "",
	} {
		if got := RFCState(in); got != want {
			t.Errorf("RFCState(%q) = %q, want %q", in, got, want)
		}
	}
	// Every arrow joins two of the eleven states.
	for _, tr := range Transitions {
		if RFCState(tr.From) != tr.From || RFCState(tr.To) != tr.To {
			t.Errorf("transition %v names no state", tr)
		}
	}
	if len(States) != 11 {
		t.Errorf("%d states, RFC 9293 has 11", len(States))
	}
}
