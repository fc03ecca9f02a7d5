// Settings as data: each is declared once, by the family that owns it
// (name, help, values for Tab, get, set with its checks), and `set`, its
// help, its completion and docs/commands.md read the declarations. The
// shell declares its own here; a command family adds its own to the table
// (the name service's dns, say) with Table.AddSettings.
package shell

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// Settings are the values of the shell's own settings, read by the engine.
type Settings struct {
	Format  string        // "" (python for values, table for rows), "python", "table", "json"
	Timeout time.Duration // 0 with NoTimeout false means the default
	// NoTimeout is true after `set timeout none`: blocking calls wait until
	// they finish or Ctrl-C.
	NoTimeout bool
	Explain   bool
	Timing    bool // print each command's timing under its result
	Prompt    string
}

// DefaultTimeout bounds lookups and blocking socket calls unless `set timeout` says otherwise.
const DefaultTimeout = 30 * time.Second

// Setting is one setting `set` shows and changes.
type Setting struct {
	Name   string
	Help   string   // one line for `help set`: what the setting does and the values it takes
	Values []string // what Tab offers for the value
	// Get returns the value as `set` shows it ("30", "on", "system") and
	// as the json and python formats render it (30.0, true, None).
	Get func(s *Session) (text string, value any)
	// Set checks a value and, if it is good, changes the setting.
	Set func(s *Session, value string) error
	// Python, if not nil, is the Python statement that does what `set NAME
	// VALUE` did, given Set's error; "" for none.
	Python func(s *Session, value string, err error) string
}

// AddSettings adds settings to the table, after the shell's own; it panics
// on a duplicate name, a programming error any test finds.
func (t *Table) AddSettings(settings ...*Setting) {
	for _, st := range settings {
		if t.Setting(st.Name) != nil {
			panic("duplicate setting " + st.Name)
		}
		t.settings = append(t.settings, st)
	}
}

// Settings lists the settings in the order they were declared.
func (t *Table) Settings() []*Setting { return t.settings }

// Setting finds a setting by name; nil if there is none.
func (t *Table) Setting(name string) *Setting {
	for _, st := range t.settings {
		if st.Name == name {
			return st
		}
	}
	return nil
}

// settingNames lists the settings' names in order.
func (t *Table) settingNames() []string {
	names := make([]string, len(t.settings))
	for i, st := range t.settings {
		names[i] = st.Name
	}
	return names
}

// setIntro begins the set command's help; a line for each setting follows.
const setIntro = "set alone shows every setting; set NAME shows one; set NAME VALUE changes it."

// describeSettings is the set command's help, from the settings declared
// (its HelpFunc), so `help set` and docs/commands.md list every one.
func (t *Table) describeSettings() string {
	width := 0
	for _, st := range t.settings {
		width = max(width, len(st.Name))
	}
	var b strings.Builder
	b.WriteString(setIntro)
	for _, st := range t.settings {
		b.WriteString("\n  " + st.Name + strings.Repeat(" ", width-len(st.Name)+2) + st.Help)
	}
	return b.String()
}

// lookupSetting finds a setting, or says which there are.
func (s *Session) lookupSetting(name string) (*Setting, error) {
	if st := s.Table.Setting(name); st != nil {
		return st, nil
	}
	return nil, Usagef("no setting %q; settings are %s", name, strings.Join(s.Table.settingNames(), ", "))
}

// Setting shows one setting's value as `set` prints it.
func (s *Session) Setting(name string) (string, error) {
	st, err := s.lookupSetting(name)
	if err != nil {
		return "", err
	}
	text, _ := st.Get(s)
	return text, nil
}

// Set changes one setting, checking the value.
func (s *Session) Set(name, value string) error {
	st, err := s.lookupSetting(name)
	if err != nil {
		return err
	}
	return st.Set(s, value)
}

// shellSettings are the shell's own settings, in every table.
func shellSettings() []*Setting {
	return []*Setting{
		{
			Name: "format", Help: "python, table, json or auto (python for values, table for rows)",
			Values: []string{"auto", "python", "table", "json"},
			Get: func(s *Session) (string, any) {
				if s.Settings.Format == "" {
					return "auto", "auto"
				}
				return s.Settings.Format, s.Settings.Format
			},
			Set: func(s *Session, value string) error {
				switch value {
				case "auto", "":
					s.Settings.Format = ""
					s.setJSONEvents(false)
				case "python", "table", "json":
					s.Settings.Format = value
					s.setJSONEvents(value == "json")
				default:
					return Usagef("format is python, table, json or auto, not %q", value)
				}
				return nil
			},
		},
		{
			Name: "timeout", Help: "seconds that lookups and blocking socket calls may take, or none",
			Values: []string{"none", "1", "5", "30"},
			Get: func(s *Session) (string, any) {
				if d, ok := s.Timeout(); ok {
					return strconv.FormatFloat(d.Seconds(), 'g', -1, 64), d.Seconds()
				}
				return "none", nil
			},
			Set:    setTimeout,
			Python: pyTimeout,
		},
		{
			Name: "explain", Help: "on or off: show the Python and the system calls behind each command",
			Values: []string{"on", "off"},
			Get:    func(s *Session) (string, any) { return onOff(s.Settings.Explain), s.Settings.Explain },
			Set: func(s *Session, value string) error {
				b, err := parseOnOff(value)
				if err == nil {
					s.Settings.Explain = b
				}
				return err
			},
		},
		{
			Name: "color", Help: "on or off (never on when NO_COLOR is set to a non-empty value, or with --no-color)",
			Values: []string{"on", "off"},
			Get:    func(s *Session) (string, any) { on := s.colorOn(); return onOff(on), on },
			Set: func(s *Session, value string) error {
				b, err := parseOnOff(value)
				if err != nil {
					return err
				}
				return s.setColor(b)
			},
		},
		{
			Name: "timing", Help: "on or off: show under each result how long the command took, and its phases (a connect's name lookup, handshake and the kernel's RTT)",
			Values: []string{"on", "off"},
			Get:    func(s *Session) (string, any) { return onOff(s.Settings.Timing), s.Settings.Timing },
			Set: func(s *Session, value string) error {
				b, err := parseOnOff(value)
				if err == nil {
					s.Settings.Timing = b
				}
				return err
			},
		},
		{
			Name: "prompt", Help: "the prompt text; {sockets} shows how many sockets are open, {waiting} how many have data or connections waiting",
			Get: func(s *Session) (string, any) { return s.Settings.Prompt, s.Settings.Prompt },
			Set: func(s *Session, value string) error { s.Settings.Prompt = value; return nil },
		},
	}
}

// Timeout is the bound for blocking work; ok is false for `set timeout none`.
func (s *Session) Timeout() (time.Duration, bool) {
	if s.Settings.NoTimeout {
		return 0, false
	}
	return s.Settings.Timeout, true
}

func setTimeout(s *Session, value string) error {
	d, none, err := ParseSeconds(value)
	if err != nil {
		return err
	}
	if !none && d == 0 {
		return Usagef("a timeout of 0 would make every new socket non-blocking and every lookup fail; give seconds or none (settimeout SOCK 0 makes one socket non-blocking)")
	}
	s.Settings.NoTimeout = none
	if !none {
		s.Settings.Timeout = d
	}
	return nil
}

// pyTimeout is the Python of `set timeout`: the default timeout it sets,
// or the setdefaulttimeout call that raises the same ValueError or
// OverflowError.
func pyTimeout(s *Session, value string, err error) string {
	if err == nil {
		return s.pyDefaultTimeout()
	}
	if e, ok := err.(*Error); ok && (e.Class == "ValueError" || e.Class == "OverflowError") {
		if f, perr := strconv.ParseFloat(value, 64); perr == nil || errors.Is(perr, strconv.ErrRange) {
			return "socket.setdefaulttimeout(" + PyFloat(f) + ")"
		}
	}
	return ""
}

// pyDefaultTimeout is the Python statement that gives new sockets the
// session's timeout, as `set timeout` does.
func (s *Session) pyDefaultTimeout() string {
	d, ok := s.Timeout()
	if !ok {
		return "socket.setdefaulttimeout(None)"
	}
	// Every command's event carries it: spelled again only when it changed.
	if c := s.pyTimeout.Load(); c != nil && c.d == d {
		return c.text
	}
	c := &pyTimeoutText{d: d, text: "socket.setdefaulttimeout(" + PyFloat(d.Seconds()) + ")"}
	s.pyTimeout.Store(c)
	return c.text
}

// pyTimeoutText is the last default timeout spelled as Python.
type pyTimeoutText struct {
	d    time.Duration
	text string
}

// ParseSeconds reads a time in seconds as Python takes it: "1", "0.5", "none".
func ParseSeconds(v string) (d time.Duration, none bool, err error) {
	if strings.EqualFold(v, "none") {
		return 0, true, nil
	}
	f, perr := strconv.ParseFloat(v, 64)
	if perr != nil && !errors.Is(perr, strconv.ErrRange) { // 1e400 is inf, as in Python
		return 0, false, Usagef("a time is seconds (1, 0.5) or none, not %q", v)
	}
	// As Python's settimeout: its errors, its limit (nanoseconds in an
	// int64), and a time below a nanosecond rounded up, not down to 0
	// (non-blocking).
	switch {
	case f != f:
		return 0, false, &Error{Class: "ValueError", Msg: "Invalid value NaN (not a number)"}
	case f < 0:
		return 0, false, &Error{Class: "ValueError", Msg: "Timeout value out of range"}
	case f*1e9 >= math.MaxInt64:
		return 0, false, &Error{Class: "OverflowError", Msg: "timestamp out of range for platform time_t"}
	}
	return time.Duration(math.Ceil(f * float64(time.Second))), false, nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func parseOnOff(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "on", "true", "1", "yes":
		return true, nil
	case "off", "false", "0", "no":
		return false, nil
	}
	return false, Usagef("expected on or off, not %q", v)
}
