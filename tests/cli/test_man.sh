#!/bin/sh
# The manual pages (doc/man/*.scd, scdoc): one page per command of the
# table in cli/main.c plus k1fw(1); every option each --help prints (and
# each subcommand's --help) is in the OPTIONS section of its page, in bold;
# every page has the sections a reader looks for, its NAME line is the
# command's summary, and it renders without a warning from man.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/help_words.sh"
MAN="$TOP/doc/man"

if ! command -v scdoc >/dev/null; then
	not_ok "scdoc is installed (scripts/install-deps.sh)"
	done_testing
	exit 1
fi

# render PAGE.scd: the page as man reads it, in $T/<name>; 0 when scdoc took it.
render() {
	sed 's/@VERSION@/test/g' "$1" | scdoc >"$T/$(basename "$1" .scd)" 2>"$T/scdoc.err"
}

# has_sections SRC NAME...: the page has these "# SECTION" headings.
has_sections() {
	src=$1; shift
	missing=""
	for s in "$@"; do grep -qx "# $s" "$src" || missing="$missing '$s'"; done
	if [ -z "$missing" ]; then ok "$(basename "$src"): sections $*"; else
		not_ok "$(basename "$src"): missing sections$missing"; fi
}

# options_in SRC LABEL < HELP: every option of HELP is in the OPTIONS
# section of SRC, in bold (*--option*).
options_in() {
	src=$1 label=$2
	sed -n '/^# OPTIONS$/,/^# /p' "$src" >"$T/options"
	missing=""
	for o in $(help_options); do
		grep -qF -- "*$o*" "$T/options" || missing="$missing $o"
	done
	if [ -z "$missing" ]; then ok "$(basename "$src"): every option of $label"; else
		not_ok "$(basename "$src"): options of $label not in the page:$missing"; fi
}

commands=$(help_commands)
[ -n "$commands" ] && ok "k1fw --help lists commands" || not_ok "k1fw --help lists commands"

# k1fw(1) itself.
main="$MAN/k1fw.1.scd"
has_sections "$main" NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS "EXIT STATUS" FILES EXAMPLES "SEE ALSO"
# (help text through a file, not a pipe: options_in counts tests in this shell)
"$K1FW" --help >"$T/help" 2>&1
options_in "$main" "k1fw --help" <"$T/help"
missing=""
for c in $commands; do grep -qF "*k1fw-$c*(1)" "$main" || missing="$missing $c"; done
[ -z "$missing" ] && ok "k1fw.1 names every command's page" ||
	not_ok "k1fw.1 does not name the pages of:$missing"

for c in $commands; do
	src="$MAN/k1fw-$c.1.scd"
	if [ ! -f "$src" ]; then
		not_ok "doc/man/k1fw-$c.1.scd exists (scripts/man-page.sh $c writes a first draft)"
		continue
	fi
	has_sections "$src" NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES "SEE ALSO"
	"$K1FW" "$c" --help >"$T/help" 2>&1
	options_in "$src" "k1fw $c --help" <"$T/help"
	for s in $(help_subcommands "$c" <"$T/help"); do
		"$K1FW" "$c" "$s" --help >"$T/subhelp" 2>&1
		options_in "$src" "k1fw $c $s --help" <"$T/subhelp"
	done
	# NAME: "k1fw-CMD - summary", the summary of the command table.
	summary=$("$K1FW" --help | sed -n "s/^  $c  *//p")
	if render "$src"; then
		name=$(MANWIDTH=200 man -E ascii -l "$T/k1fw-$c.1" 2>/dev/null | sed -n '/^NAME/{n;p;}' |
			sed 's/^ *//')
		[ "$name" = "k1fw-$c - $summary" ] && ok "k1fw-$c.1: NAME is the command's summary" ||
			not_ok "k1fw-$c.1: NAME is '$name', the table says '$summary'"
	fi
done

# No page for a command that is not in the table.
for src in "$MAN"/k1fw-*.1.scd; do
	c=$(basename "$src" .1.scd)
	c=${c#k1fw-}
	case " $(echo $commands) " in
	*" $c "*) ;;
	*) not_ok "$(basename "$src"): no command '$c' in k1fw --help" ;;
	esac
done

# Every page renders, without a warning from man.
for src in "$MAN"/*.scd; do
	p=$(basename "$src" .scd)
	if ! render "$src"; then
		not_ok "$p: scdoc: $(cat "$T/scdoc.err")"
		continue
	fi
	w=$(MANWIDTH=80 man --warnings -E UTF-8 -l "$T/$p" 2>&1 >/dev/null)
	[ -z "$w" ] && ok "$p renders without warnings" || not_ok "$p: man warns: $w"
done

# k1fw help COMMAND, off a terminal: the command's --help.
"$K1FW" help env >"$T/h1" 2>&1
"$K1FW" env --help >"$T/h2" 2>&1
same_file "$T/h1" "$T/h2" "k1fw help env (not a terminal) prints k1fw env --help"
expect_fail 2 "unknown command 'nosuch'" "k1fw help nosuch: one line, exit 2" "$K1FW" help nosuch
done_testing
