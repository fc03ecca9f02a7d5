// The command reference (docs/commands.md), generated from the command table.
package shell

import (
	"fmt"
	"strings"
)

// Markdown renders the command reference from the table.
func (t *Table) Markdown() string {
	var b strings.Builder
	b.WriteString("# sockshell command reference\n\n")
	b.WriteString("<!-- Generated from the command table; do not edit. Regenerate with:\n")
	b.WriteString("     UPDATE_DOCS=1 go test ./commands -run TestCommandsDoc -->\n\n")
	b.WriteString("Options (`--name`) may stand anywhere after the command name. `SOCK` is a socket's\n")
	b.WriteString("name in the session (`s1`), `PORT` a number or a service name, `DATA` a word or a\n")
	b.WriteString("Python-style string literal (`\"GET / HTTP/1.0\\r\\n\\r\\n\"`).\n\n")
	for _, g := range t.Groups() {
		fmt.Fprintf(&b, "## %s\n\n", g)
		b.WriteString("| command | summary |\n|---|---|\n")
		for _, c := range t.Commands() {
			if c.Group == g {
				fmt.Fprintf(&b, "| [`%s`](#%s) | %s |\n", c.Name, anchor(c.Name), mdEscape(c.Summary))
			}
		}
		b.WriteString("\n")
		for _, c := range t.Commands() {
			if c.Group != g {
				continue
			}
			fmt.Fprintf(&b, "### %s\n\n", c.Name)
			fmt.Fprintf(&b, "    %s\n\n%s\n\n", c.Usage(), c.Summary)
			if help := c.HelpProse(); help != "" {
				fmt.Fprintf(&b, "```\n%s\n```\n\n", help)
			}
			if len(c.Flags) > 0 {
				b.WriteString("Options:\n\n")
				for _, f := range c.Flags {
					fmt.Fprintf(&b, "- `%s`: %s\n", f.Synopsis(), mdEscape(f.Help))
				}
				b.WriteString("\n")
			}
			if len(c.Aliases) > 0 {
				fmt.Fprintf(&b, "Aliases: `%s`\n\n", strings.Join(c.Aliases, "`, `"))
			}
			if c.Python != "" {
				fmt.Fprintf(&b, "Python: `%s`\n\n", c.Python)
			}
			if len(c.Examples) > 0 {
				b.WriteString("Examples:\n\n")
				for _, e := range c.Examples {
					fmt.Fprintf(&b, "    >>> %s\n", e)
				}
				b.WriteString("\n")
			}
		}
	}
	return b.String()
}

func anchor(name string) string {
	return strings.ToLower(strings.Map(func(r rune) rune {
		if r == ' ' {
			return '-'
		}
		if r == '?' {
			return -1
		}
		return r
	}, name))
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
