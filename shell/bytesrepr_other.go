//go:build !amd64

package shell

import "unsafe"

// reprFillVec: no vector code on this processor architecture; reprFill
// does all of p.
func reprFillVec(dst unsafe.Pointer, _ []byte, _ *reprTable) (unsafe.Pointer, int) {
	return dst, 0
}

// reprVector is false: there is no vector fill here (bytesrepr_amd64.go).
var reprVector = false

func reprVectorOn() bool { return reprVector }
