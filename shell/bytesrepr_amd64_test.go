package shell

import (
	"testing"

	"golang.org/x/sys/cpu"
)

// TestReprHasVectorMatchesXSysCPU: the fill's own CPUID and XGETBV
// questions (asked at the first repr, so that start-up does not ask them)
// give the answer golang.org/x/sys/cpu gives for the same features.
func TestReprHasVectorMatchesXSysCPU(t *testing.T) {
	want := cpu.X86.HasAVX512 && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL &&
		cpu.X86.HasAVX512VBMI && cpu.X86.HasAVX512VBMI2 && cpu.X86.HasPOPCNT
	if got := reprHasVector(); got != want {
		t.Fatalf("reprHasVector() = %v, golang.org/x/sys/cpu says %v", got, want)
	}
	t.Logf("the vector fill: %v", want)
}
