// docs/tutorial.md and docs/tutorial.zh.md: the lessons as one page each,
// generated from the same data files the lesson command walks.
package commands

import (
	"fmt"
	"strings"
)

// tutorialWords are the tutorial's own words, by language.
var tutorialWords = map[string]struct{ title, intro, step, waits, sep, end string }{
	"en": {
		title: "sockshell tutorial",
		intro: "The lessons of `lesson`, on one page (docs/tutorial.zh.md is the Chinese). In the shell, `lesson` lists them and " +
			"`lesson N` walks one lesson a step at a time: it waits until the session shows each step done (any command that does it counts), " +
			"then explains it. Below, HOST and PORT stand for the address the shell printed when the server or socket was made, " +
			"and s1, srv, … for the names the shell gave your sockets.",
		step: "Step %d: %s", waits: "The shell waits until: ", sep: "; ", end: ".",
	},
	"zh": {
		title: "sockshell 教程",
		intro: "`lesson` 命令里的课程,汇总在一页上(英文版是 docs/tutorial.md)。在 shell 里,`lesson` 列出所有课程," +
			"`lesson N` 一步一步地带你学:它会等到会话显示这一步已经完成(任何能做到的命令都算),再讲解刚才发生了什么。" +
			"下文中 HOST 和 PORT 代表建立服务器或套接字时 shell 打印出的地址,s1、srv 等代表 shell 给你的套接字起的名字。",
		step: "第 %d 步:%s", waits: "完成的标志:", sep: ";", end: "。",
	},
}

// TutorialMarkdown is the tutorial in lang, as docs/tutorial*.md holds it.
func TutorialMarkdown(lang string) string {
	st := &lessonState{lang: lang}
	w := tutorialWords[lang]
	var b strings.Builder
	fmt.Fprintf(&b, "<!-- Generated from commands/lessons/data by: UPDATE_DOCS=1 go test ./commands -run TestTutorialDoc. Do not edit. -->\n\n")
	fmt.Fprintf(&b, "# %s\n\n%s\n\n", w.title, w.intro)
	for _, l := range st.lessons() {
		fmt.Fprintf(&b, "- [%d. %s](#lesson-%d)\n", l.N, l.Title, l.N)
	}
	for _, l := range st.lessons() {
		fmt.Fprintf(&b, "\n<a id=\"lesson-%d\"></a>\n\n## %d. %s\n\n%s\n", l.N, l.N, l.Title, fill(nil, st, l.Intro))
		for i, step := range l.Steps {
			fmt.Fprintf(&b, "\n### "+w.step+"\n\n", i+1, step.Title)
			if step.Why != "" {
				b.WriteString(fill(nil, st, step.Why) + "\n\n")
			}
			b.WriteString("```\n")
			for _, d := range step.Do {
				b.WriteString(">>> " + fill(nil, st, d) + "\n")
			}
			b.WriteString("```\n\n")
			var checks []string
			for _, ch := range step.Checks {
				checks = append(checks, describeCheck(lang, ch))
			}
			b.WriteString(w.waits + strings.Join(checks, w.sep) + w.end + "\n")
			if step.After != "" {
				b.WriteString("\n" + fill(nil, st, step.After) + "\n")
			}
		}
	}
	return b.String()
}
