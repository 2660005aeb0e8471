package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// interspersed rewrites args so that a command's flags may follow its
// arguments, as in `fitbit2garmin import EXPORT --dry-run` (urfave/cli v2
// stops reading flags at the first argument), and global flags may follow
// the command (`fitbit2garmin import EXPORT -q`). Flags are moved in front of
// the arguments, each with its value; "--" ends the flags.
func interspersed(app *cli.App, args []string) []string {
	if len(args) == 0 {
		return args
	}
	out := []string{args[0]}
	rest := args[1:]
	const globalAt = 1 // global flags found after the command go right after the program name
	flags := app.Flags
	cmds := app.Commands
	for {
		// Copy the flags standing before the command name.
		i := 0
		for i < len(rest) && isFlag(rest[i]) {
			if rest[i] == "--" {
				return append(out, rest...)
			}
			n := 1
			if takesValue(flags, rest[i]) && i+1 < len(rest) {
				n = 2
			}
			out = append(out, rest[i:i+n]...)
			i += n
		}
		rest = rest[i:]
		if len(rest) == 0 {
			return out
		}
		cmd := findCommand(cmds, rest[0])
		if cmd == nil {
			return append(out, rest...)
		}
		out = append(out, rest[0])
		rest = rest[1:]
		if len(cmd.Subcommands) > 0 {
			flags, cmds = cmd.Flags, cmd.Subcommands
			continue
		}
		var fl, pos, global []string
		for i := 0; i < len(rest); i++ {
			a := rest[i]
			switch {
			case a == "--":
				pos = append(pos, rest[i:]...)
				i = len(rest)
			case isFlag(a) && !hasFlag(cmd.Flags, a) && hasFlag(app.Flags, a):
				global = append(global, a)
				if takesValue(app.Flags, a) && i+1 < len(rest) {
					global = append(global, rest[i+1])
					i++
				}
			case isFlag(a):
				fl = append(fl, a)
				if takesValue(cmd.Flags, a) && i+1 < len(rest) {
					fl = append(fl, rest[i+1])
					i++
				}
			default:
				pos = append(pos, a)
			}
		}
		out = append(append(out, fl...), pos...)
		return append(append(append([]string{}, out[:globalAt]...), global...), out[globalAt:]...)
	}
}

// hasFlag reports whether the flag token a names one of flags.
func hasFlag(flags []cli.Flag, a string) bool {
	name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return true
			}
		}
	}
	return false
}

func isFlag(a string) bool { return len(a) > 1 && a[0] == '-' }

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// takesValue reports whether the flag token a needs the next token as its value.
func takesValue(flags []cli.Flag, a string) bool {
	name := strings.TrimLeft(a, "-")
	if strings.Contains(name, "=") {
		return false
	}
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				_, isBool := f.(*cli.BoolFlag)
				return !isBool
			}
		}
	}
	return false
}
