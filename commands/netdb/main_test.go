package netdb_test

import (
	"os"
	"testing"

	"github.com/sockshell/sockshell/shell/testenv"
)

// TestMain fails the package when its tests leave a goroutine running or
// a descriptor open (testenv.Main).
func TestMain(m *testing.M) { testenv.Main(m, os.Stderr) }
