#!/bin/sh
# Writes a first draft of doc/man/k1fw-COMMAND.1.scd from `k1fw COMMAND
# --help`: NAME from the command table, the usage as SYNOPSIS, the help's
# text as DESCRIPTION, one OPTIONS entry per option line of the help, and
# the sections tests/cli/test_man.sh asks for. Edit the draft into a page
# (scdoc(5): *bold* for what is typed, _italic_ for what is replaced, a tab
# before each option's text), then `make man man-check`.
# Usage: scripts/man-page.sh COMMAND [K1FW]   (K1FW default build/k1fw)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:?usage: scripts/man-page.sh COMMAND [K1FW]}
K1FW=${2:-$top/build/k1fw}
out="$top/doc/man/k1fw-$cmd.1.scd"
if [ -e "$out" ]; then
	echo "man-page: $out exists: edit it instead" >&2
	exit 2
fi
summary=$("$K1FW" --help | sed -n "s/^  $cmd  *//p")
if [ -z "$summary" ]; then
	echo "man-page: '$cmd' is not in the command table of $K1FW --help" >&2
	exit 2
fi
help=$("$K1FW" "$cmd" --help)
. "$top/tests/cli/help_words.sh" # help_options

# scdoc treats * and a word-leading _ as markup: escape them in plain text.
esc() { sed -e 's/\*/\\*/g' -e 's/\(^\|[^[:alnum:]]\)_/\1\\_/g'; }

{
	printf 'k1fw-%s(1) "k1fw @VERSION@"\n\n# NAME\n\nk1fw-%s - %s\n\n# SYNOPSIS\n\n' \
		"$cmd" "$cmd" "$summary"
	# the usage block, options in bold and their arguments in italics
	printf '%s\n' "$help" | sed -n '/^usage:/,/^[[:space:]]*$/p' | sed -e 's/^usage: *//' \
		-e 's/^ *//' -e '/^$/d' | esc | sed -E -e "s/^k1fw $cmd/*k1fw $cmd*/" \
		-e 's/(^| |\[|\(|\|)(--?[A-Za-z][A-Za-z0-9-]*)/\1*\2*/g' \
		-e 's/([ =])([A-Z][A-Z0-9_.]*)/\1_\2_/g' -e 's/^\[/\\[/'
	printf '\n# DESCRIPTION\n\n'
	printf '%s\n' "$help" | sed '1,/^[[:space:]]*$/d' | grep -vE '^[[:space:]]*-' | esc |
		sed -e 's/^[[:space:]]*//' -e 's/^\[/\\[/' | cat -s
	printf '\n# OPTIONS\n\n'
	# "  -o, --output OUT   text": the fields before the first run of two
	# spaces that do not start with "-" name the option, the rest explains it
	opts=$(printf '%s\n' "$help" | grep -E '^[[:space:]]*-' | esc | awk '
	{
		sub(/^[ \t]+/, ""); sub(/[ \t]+$/, "")
		n = split($0, f, /  +/); spec = ""; text = ""
		for (i = 1; i <= n; i++)
			if (text == "" && f[i] ~ /^-/) spec = spec (spec == "" ? "" : ", ") f[i]
			else text = text (text == "" ? "" : " ") f[i]
		gsub(/--?[A-Za-z][A-Za-z0-9-]*/, "*&*", spec)
		printf "%s\n\t%s\n\n", spec, text == "" ? "TODO" : text
	}' | sed -E '/^\t/!s/ ([A-Z][A-Z0-9_.]*)/ _\1_/g')
	printf '%s\n\n' "$opts"
	# options the help names without an entry above (usage only)
	for o in $(printf '%s\n' "$help" | help_options); do
		printf '%s\n' "$opts" | grep -qF -- "*$o*" || printf '*%s*\n\tTODO\n\n' "$o"
	done
	printf '*-h*, *--help*\n\tPrint the usage and exit.\n\n'
	printf '# EXIT STATUS\n\n*0*\n\tSuccess.\n\n*1*\n\tA check failed.\n\n*2*\n\tUsage or input error.\n\n'
	printf '# EXAMPLES\n\n```\nk1fw %s ...\n```\n\n# SEE ALSO\n\n*k1fw*(1)\n' "$cmd"
} >"$out"
echo "man-page: wrote $out (a draft: edit it, then make man man-check)"
